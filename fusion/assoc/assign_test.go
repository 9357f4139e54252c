package assoc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var inf = math.Inf(1)

func TestAssignKnownCases(t *testing.T) {
	cases := []struct {
		name       string
		rows, cols int
		cost       []float64
		want       []int
		pairs      int
	}{
		// Greedy takes row 1 → col 1 (cost 0) and is then forced into a worse
		// total; the optimum is 1 + 2 + 2 = 5.
		{"square", 3, 3, []float64{
			4, 1, 3,
			2, 0, 5,
			3, 2, 2}, []int{1, 0, 2}, 3},
		{"more columns than rows", 2, 3, []float64{
			10, 1, 10,
			1, 10, 10}, []int{1, 0}, 2},
		{"more rows than columns", 3, 2, []float64{
			5, 9,
			1, 2,
			8, 1}, []int{-1, 0, 1}, 2},
		{"infeasible entries leave a row unassigned", 2, 2, []float64{
			1, inf,
			2, inf}, []int{0, -1}, 1},
		{"infeasibility forces a costlier pairing", 2, 2, []float64{
			1, 2,
			3, inf}, []int{1, 0}, 2},
		{"all infeasible", 2, 2, []float64{inf, inf, inf, math.NaN()}, []int{-1, -1}, 0},
		{"empty", 0, 3, nil, []int{}, 0},
	}
	var s Solver
	for _, tc := range cases {
		got := make([]int, tc.rows)
		pairs := s.Assign(got, tc.cost, tc.rows, tc.cols)
		if pairs != tc.pairs {
			t.Errorf("%s: %d pairs, want %d", tc.name, pairs, tc.pairs)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: row→col %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

// bruteForce returns the best (max pairs, then min cost) over all partial
// injections of rows into columns.
func bruteForce(cost []float64, rows, cols int) (int, float64) {
	bestPairs, bestCost := -1, inf
	used := make([]bool, cols)
	var rec func(i, pairs int, c float64)
	rec = func(i, pairs int, c float64) {
		if i == rows {
			if pairs > bestPairs || (pairs == bestPairs && c < bestCost-1e-9) {
				bestPairs, bestCost = pairs, c
			}
			return
		}
		rec(i+1, pairs, c)
		for j := 0; j < cols; j++ {
			x := cost[i*cols+j]
			if used[j] || math.IsInf(x, 1) {
				continue
			}
			used[j] = true
			rec(i+1, pairs+1, c+x)
			used[j] = false
		}
	}
	rec(0, 0, 0)
	return bestPairs, bestCost
}

func TestAssignMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s Solver
	for trial := 0; trial < 500; trial++ {
		rows, cols := 1+rng.IntN(6), 1+rng.IntN(6)
		cost := make([]float64, rows*cols)
		for i := range cost {
			if rng.Float64() < 0.3 {
				cost[i] = inf
			} else {
				cost[i] = math.Round(rng.Float64()*100) / 10
			}
		}
		got := make([]int, rows)
		pairs := s.Assign(got, cost, rows, cols)
		total := 0.0
		seen := map[int]bool{}
		for i, j := range got {
			if j < 0 {
				continue
			}
			if seen[j] || math.IsInf(cost[i*cols+j], 1) {
				t.Fatalf("trial %d: invalid assignment %v of %v", trial, got, cost)
			}
			seen[j] = true
			total += cost[i*cols+j]
		}
		wantPairs, wantCost := bruteForce(cost, rows, cols)
		if pairs != wantPairs || math.Abs(total-wantCost) > 1e-9 {
			t.Fatalf("trial %d (%dx%d): got %d pairs cost %g, want %d pairs cost %g; cost %v",
				trial, rows, cols, pairs, total, wantPairs, wantCost, cost)
		}
	}
}

func TestAssignReusesScratch(t *testing.T) {
	var s Solver
	cost := make([]float64, 50*50)
	for i := range cost {
		cost[i] = float64((i * 7919) % 101)
	}
	res := make([]int, 50)
	s.Assign(res, cost, 50, 50)
	allocs := testing.AllocsPerRun(20, func() { s.Assign(res, cost, 50, 50) })
	if allocs != 0 {
		t.Fatalf("Assign allocates %v times per call after warm-up", allocs)
	}
}

func benchmarkAssign(b *testing.B, n int) {
	rng := rand.New(rand.NewPCG(3, 4))
	cost := make([]float64, n*n)
	for i := range cost {
		cost[i] = rng.Float64() * 100
	}
	res := make([]int, n)
	var s Solver
	b.ReportAllocs()
	for b.Loop() {
		s.Assign(res, cost, n, n)
	}
}

// BenchmarkAssign is the dense solver (shortest augmenting paths with
// potentials, the core of Jonker-Volgenant, O(n³)) on full random n×n
// cost matrices, the worst case: the tracker's sparse solver splits real
// scenes into small components first.
func BenchmarkAssign(b *testing.B) {
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprintf("%dx%d", n, n), func(b *testing.B) { benchmarkAssign(b, n) })
	}
}

func TestSparseMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var dense Solver
	var sparse Sparse
	for trial := 0; trial < 300; trial++ {
		rows, cols := 1+rng.IntN(12), 1+rng.IntN(12)
		cost := make([]float64, rows*cols)
		var edges []Edge
		for i := range cost {
			if rng.Float64() < 0.75 {
				cost[i] = inf
				continue
			}
			cost[i] = math.Round(rng.Float64()*100) / 10
			edges = append(edges, Edge{Row: i / cols, Col: i % cols, Cost: cost[i]})
		}
		want := make([]int, rows)
		wantPairs := dense.Assign(want, cost, rows, cols)
		got := make([]int, rows)
		gotPairs := sparse.Assign(got, edges, rows, cols)
		total := func(a []int) float64 {
			s := 0.0
			for i, j := range a {
				if j >= 0 {
					s += cost[i*cols+j]
				}
			}
			return s
		}
		if gotPairs != wantPairs || math.Abs(total(got)-total(want)) > 1e-9 {
			t.Fatalf("trial %d: sparse %d pairs cost %g, dense %d pairs cost %g", trial, gotPairs, total(got), wantPairs, total(want))
		}
	}
}
