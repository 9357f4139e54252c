// Package assoc solves the data-association problem of the tracker: which
// detection belongs to which track.
package assoc

import "math"

// Infeasible marks a pair that must never be assigned (outside the gate).
var Infeasible = math.Inf(1)

// Solver finds minimum-cost assignments. Its scratch space grows to the
// largest problem seen and is reused, so repeated calls of the same size
// allocate nothing. A Solver is not safe for concurrent use.
type Solver struct {
	u, v, minv []float64
	p, way     []int
	used       []bool
	work       []float64
}

// Assign finds the assignment of rows to columns of the rows×cols cost
// matrix (row-major in cost) that first pairs as many rows as possible using
// feasible entries only and, among those, has the least total cost.
// Entries that are +Inf or NaN are infeasible. rowToCol must have length
// rows; on return rowToCol[i] is the column of row i, or -1. It returns the
// number of pairs. It panics when the slice lengths do not match.
func (s *Solver) Assign(rowToCol []int, cost []float64, rows, cols int) int {
	if len(cost) != rows*cols || len(rowToCol) != rows {
		panic("assoc: cost or result length does not match rows×cols")
	}
	for i := range rowToCol {
		rowToCol[i] = -1
	}
	if rows == 0 || cols == 0 {
		return 0
	}
	// Infeasible entries get a cost larger than any feasible assignment, so
	// the optimum uses as few of them as possible; they are dropped after.
	big := 1.0
	for _, c := range cost {
		if !math.IsInf(c, 0) && !math.IsNaN(c) {
			big += math.Abs(c)
		}
	}
	big *= 2
	n, m := rows, cols
	transpose := rows > cols
	if transpose {
		n, m = cols, rows
	}
	s.work = grow(s.work, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			c := cost[i*cols+j]
			if transpose {
				c = cost[j*cols+i]
			}
			if math.IsInf(c, 0) || math.IsNaN(c) {
				c = big
			}
			s.work[i*m+j] = c
		}
	}
	colOfRow := s.solve(n, m)
	pairs := 0
	for i := 0; i < n; i++ {
		j := colOfRow[i]
		if j < 0 || s.work[i*m+j] >= big {
			continue
		}
		pairs++
		if transpose {
			rowToCol[j] = i
		} else {
			rowToCol[i] = j
		}
	}
	return pairs
}

// solve runs the Hungarian method with potentials (O(n²m)) on the n×m
// matrix in s.work, n ≤ m, every entry finite. It returns for each row its
// column, reusing s.p as the result buffer.
func (s *Solver) solve(n, m int) []int {
	s.u = grow(s.u, n+1)
	s.v = grow(s.v, m+1)
	s.minv = grow(s.minv, m+1)
	s.p = grow(s.p, m+1)
	s.way = grow(s.way, m+1)
	s.used = grow(s.used, m+1)
	u, v, p, way, minv, used := s.u, s.v, s.p, s.way, s.minv, s.used
	for i := range u {
		u[i] = 0
	}
	for j := 0; j <= m; j++ {
		v[j], p[j], way[j] = 0, 0, 0
	}
	a := func(i, j int) float64 { return s.work[(i-1)*m+(j-1)] }
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := 0; j <= m; j++ {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				cur := a(i0, j) - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	// Turn column→row (1-based in p) into row→column, stored in way[0:n].
	res := way[:n]
	for i := range res {
		res[i] = -1
	}
	for j := 1; j <= m; j++ {
		if p[j] > 0 {
			res[p[j]-1] = j - 1
		}
	}
	return res
}

// grow returns s resized to n, reusing its backing array when it is large
// enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
