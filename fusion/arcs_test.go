package fusion

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestArcIndexFindsWhatAScanFinds checks the index against testing every
// arc, on arcs from a hair's width to wider than the circle.
func TestArcIndexFindsWhatAScanFinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type span struct{ centre, half float64 }
	var x arcIndex
	for round := 0; round < 50; round++ {
		x.reset()
		arcs := make([]span, rng.IntN(300))
		for i := range arcs {
			arcs[i] = span{centre: math.Pi * (2*rng.Float64() - 1), half: math.Exp(-8*rng.Float64()*rng.Float64()) * 4}
			x.add(i, arcs[i].centre, arcs[i].half)
		}
		x.sort()
		for q := 0; q < 50; q++ {
			lo := math.Pi * (2*rng.Float64() - 1)
			hi := lo + 0.3*rng.Float64()
			var want []int32
			for i, a := range arcs {
				if a.centre-a.half <= hi && a.centre+a.half >= lo {
					want = append(want, int32(i))
				}
			}
			if got := x.meeting(nil, lo, hi); !slices.Equal(got, want) {
				t.Fatalf("round %d: [%g, %g] met %v, want %v", round, lo, hi, got, want)
			}
			// On the circle: every arc within half of a bearing,
			// however the difference wraps.
			centre, half := lo, hi-lo
			want = want[:0]
			for i, a := range arcs {
				if d := math.Abs(math.Remainder(a.centre-centre, 2*math.Pi)); d <= a.half+half {
					want = append(want, int32(i))
				}
			}
			got := x.meetingAround(nil, centre, half)
			slices.Sort(got)
			got = slices.Compact(got)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: around %g ± %g met %v, want %v", round, centre, half, got, want)
			}
		}
	}
}
