package assoc

import (
	"cmp"
	"slices"
)

// Edge is one feasible (row, column) pair and its cost.
type Edge struct {
	Row, Col int
	Cost     float64
}

// Sparse solves assignment problems given as a list of feasible pairs. It
// splits the problem into its connected components — rows and columns
// linked by feasible pairs — and solves each optimally with the dense
// Solver, so a thousand well-separated objects cost a thousand tiny
// problems rather than one O(n³) one. The result is the same as the dense
// Solver's on the full matrix with absent pairs infeasible. Scratch space is
// reused; a Sparse is not safe for concurrent use.
type Sparse struct {
	dense    Solver
	parent   []int
	edges    []Edge
	rowLocal []int
	colLocal []int
	rows     []int
	cols     []int
	cost     []float64
	local    []int
}

func (s *Sparse) find(x int) int {
	for s.parent[x] != x {
		s.parent[x] = s.parent[s.parent[x]]
		x = s.parent[x]
	}
	return x
}

// Assign fills rowToCol (length rows) with each row's column or -1 and
// returns the number of pairs. Edges must have Row < rows and Col < cols;
// the slice is reordered.
func (s *Sparse) Assign(rowToCol []int, edges []Edge, rows, cols int) int {
	if len(rowToCol) != rows {
		panic("assoc: result length does not match rows")
	}
	for i := range rowToCol {
		rowToCol[i] = -1
	}
	// Union rows (0..rows-1) and columns (rows..rows+cols-1) along edges.
	s.parent = grow(s.parent, rows+cols)
	for i := range s.parent {
		s.parent[i] = i
	}
	for _, e := range edges {
		a, b := s.find(e.Row), s.find(rows+e.Col)
		if a != b {
			s.parent[a] = b
		}
	}
	s.edges = append(s.edges[:0], edges...)
	slices.SortFunc(s.edges, func(a, b Edge) int { return cmp.Compare(s.find(a.Row), s.find(b.Row)) })
	s.rowLocal = grow(s.rowLocal, rows)
	s.colLocal = grow(s.colLocal, cols)
	for i := range s.rowLocal {
		s.rowLocal[i] = -1
	}
	for i := range s.colLocal {
		s.colLocal[i] = -1
	}
	pairs := 0
	for start := 0; start < len(s.edges); {
		root := s.find(s.edges[start].Row)
		end := start
		for end < len(s.edges) && s.find(s.edges[end].Row) == root {
			end++
		}
		pairs += s.solveComponent(rowToCol, s.edges[start:end])
		start = end
	}
	return pairs
}

// solveComponent assigns one connected component.
func (s *Sparse) solveComponent(rowToCol []int, edges []Edge) int {
	if len(edges) == 1 {
		rowToCol[edges[0].Row] = edges[0].Col
		return 1
	}
	s.rows, s.cols = s.rows[:0], s.cols[:0]
	for _, e := range edges {
		if s.rowLocal[e.Row] < 0 {
			s.rowLocal[e.Row] = len(s.rows)
			s.rows = append(s.rows, e.Row)
		}
		if s.colLocal[e.Col] < 0 {
			s.colLocal[e.Col] = len(s.cols)
			s.cols = append(s.cols, e.Col)
		}
	}
	nr, nc := len(s.rows), len(s.cols)
	s.cost = grow(s.cost, nr*nc)
	for i := range s.cost {
		s.cost[i] = Infeasible
	}
	for _, e := range edges {
		s.cost[s.rowLocal[e.Row]*nc+s.colLocal[e.Col]] = e.Cost
	}
	s.local = grow(s.local, nr)
	pairs := s.dense.Assign(s.local, s.cost, nr, nc)
	for r, c := range s.local {
		if c >= 0 {
			rowToCol[s.rows[r]] = s.cols[c]
		}
	}
	for _, r := range s.rows {
		s.rowLocal[r] = -1
	}
	for _, c := range s.cols {
		s.colLocal[c] = -1
	}
	return pairs
}
