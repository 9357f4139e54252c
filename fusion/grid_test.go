package fusion

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// TestGridWithinIsTheCellWalk: whether the grid walks a disc's cells or,
// for a disc wider than the scan, scans the detections, it returns the
// detections of the cells the disc touches, cell by cell in x then y
// order — the same list, so association does not depend on which.
func TestGridWithinIsTheCellWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	dets := make([]perception.Detection, 60)
	for j := range dets {
		dets[j] = radarAt(0, -100+200*rng.Float64(), -100+200*rng.Float64())
	}
	var g detectionGrid
	g.index(perception.Radar, kalman.SensorPose{}, dets)
	walk := func(x, y, r float64) []int32 { // the cells, one by one
		var out []int32
		for cx := cellOf(x - r); cx <= cellOf(x+r); cx++ {
			for cy := cellOf(y - r); cy <= cellOf(y+r); cy++ {
				for _, j := range g.order {
					if g.keys[j] == cellKey(cx, cy) {
						out = append(out, j)
					}
				}
			}
		}
		return out
	}
	for _, r := range []float64{1, 10, 40, 300, 1e6} {
		for k := 0; k < 20; k++ {
			x, y := -100+200*rng.Float64(), -100+200*rng.Float64()
			want := walk(x, y, min(r, 400)) // beyond 400 m every cell with a detection is touched
			got := g.within(nil, x, y, r)
			if !slices.Equal(got, want) {
				t.Fatalf("r %g at (%.1f, %.1f): %v, want %v", r, x, y, got, want)
			}
		}
	}
}
