package fusion

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// TestGridWithinIsTheCellWalk: whether the grid walks a disc's cells or,
// for a disc wider than the scan, scans the detections, it returns tier by
// tier the detections of the cells the disc widened by the tier's slack
// touches, cell by cell in x then y order — the same list, so association
// does not depend on which. The returns' bearing errors spread them over
// every tier.
func TestGridWithinIsTheCellWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	_, g := scatteredReturns(rng, 80, 100)
	for k := range g.tiers {
		if len(g.tiers[k].order) == 0 {
			t.Fatalf("tier %d is empty: the test does not cover it", k)
		}
	}
	walk := func(x, y, r float64) []int32 { // the cells, one by one
		var out []int32
		for k := range g.tiers {
			tr := &g.tiers[k]
			r := min(r+tr.slack, 400) // beyond 400 m every cell with a detection is touched
			for cx := cellOf(x - r); cx <= cellOf(x+r); cx++ {
				for cy := cellOf(y - r); cy <= cellOf(y+r); cy++ {
					for _, j := range tr.order {
						if g.keys[j] == cellKey(cx, cy) {
							out = append(out, j)
						}
					}
				}
			}
		}
		return out
	}
	for _, r := range []float64{1, 10, 40, 300, 1e6} {
		for k := 0; k < 20; k++ {
			x, y := -100+200*rng.Float64(), -100+200*rng.Float64()
			want := walk(x, y, r)
			got := g.within(nil, x, y, r)
			if !slices.Equal(got, want) {
				t.Fatalf("r %g at (%.1f, %.1f): %v, want %v", r, x, y, got, want)
			}
		}
	}
}

// TestGridFindsEveryNearReturn: a track finds, through the grid, every
// radar return whose position lies within three standard deviations of
// its own plus three of the return's, however imprecise the scan's other
// returns.
func TestGridFindsEveryNearReturn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	dets, g := scatteredReturns(rng, 200, 150)
	for k := 0; k < 200; k++ {
		x, y, sd := -150+300*rng.Float64(), -150+300*rng.Float64(), 5*rng.Float64()
		found := map[int32]bool{}
		for _, j := range g.within(nil, x, y, 3*sd) {
			found[j] = true
		}
		for j := range dets {
			rng, _, rangeVar, azVar := polar(perception.Radar, &dets[j])
			if math.Hypot(g.x[j]-x, g.y[j]-y) <= 3*sd+3*math.Sqrt(rangeVar+rng*rng*azVar) && !found[int32(j)] {
				t.Fatalf("return %d at (%.1f, %.1f) not found from (%.1f, %.1f) ± %.1f", j, g.x[j], g.y[j], x, y, sd)
			}
		}
	}
}

// TestGridSubsetIsWithinFiltered: a subset grid answers a query with
// the full grid's answer less the detections it left out, in the same
// order, whatever the disc.
func TestGridSubsetIsWithinFiltered(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	_, g := scatteredReturns(rng, 150, 100)
	keep := func(j int) bool { return j%3 != 0 }
	var sub spatialGrid
	if !sub.subset(g, keep) {
		t.Fatal("the subset holds nothing")
	}
	for _, r := range []float64{1, 10, 40, 300, 1e6} {
		for k := 0; k < 20; k++ {
			x, y := -100+200*rng.Float64(), -100+200*rng.Float64()
			want := slices.DeleteFunc(g.within(nil, x, y, r), func(j int32) bool { return !keep(int(j)) })
			if got := sub.within(nil, x, y, r); !slices.Equal(got, want) {
				t.Fatalf("r %g at (%.1f, %.1f): %v, want %v", r, x, y, got, want)
			}
		}
	}
	if sub.subset(g, func(int) bool { return false }) {
		t.Error("an empty subset says it holds detections")
	}
}

// scatteredReturns makes n radar returns spread over a square of half-side
// half around a sensor at the origin, their bearing variances over five
// decades (so over every tier), and indexes them in a grid.
func scatteredReturns(rng *rand.Rand, n int, half float64) ([]perception.Detection, *spatialGrid) {
	dets := make([]perception.Detection, n)
	for j := range dets {
		dets[j] = radarAt(0, -half+2*half*rng.Float64(), -half+2*half*rng.Float64())
		dets[j].R[1][1] = 1e-6 * math.Pow(10, 5*rng.Float64())
	}
	g := &spatialGrid{}
	g.index(perception.Radar, kalman.SensorPose{}, dets)
	return dets, g
}
