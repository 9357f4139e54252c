package fusion

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestHistogramPercentilesWithinOnePercent(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	var h Histogram
	xs := make([]float64, 5000)
	for i := range xs {
		xs[i] = math.Exp(rng.NormFloat64()*2) * 10 // ms, spread over decades
		h.Add(xs[i])
	}
	slices.Sort(xs)
	exact := func(q float64) float64 { return xs[int(math.Ceil(q*float64(len(xs))))-1] }
	p := h.Percentiles()
	for _, c := range []struct{ got, want float64 }{{p.P50, exact(0.5)}, {p.P99, exact(0.99)}, {p.Max, xs[len(xs)-1]}} {
		if c.got < c.want || c.got > c.want*1.0101 {
			t.Errorf("got %g, want %g (up to 1%% above)", c.got, c.want)
		}
	}
	if h.Count() != 5000 {
		t.Fatal(h.Count())
	}
	h.Reset()
	if h.Percentiles() != (Percentiles{}) {
		t.Fatal("reset histogram not empty")
	}
}

func TestHistogramAddAllocatesNothing(t *testing.T) {
	var s CycleStats
	if n := testing.AllocsPerRun(100, func() { s.Record(12.5, 0.3, false) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
