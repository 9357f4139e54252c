package kalman

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLateMeasurementAlmostMatchesInOrder: a target at 10 m/s is tracked
// by a radar at 20 Hz; one scan, taken at t = 0.95 s, arrives only after
// the scan of t = 1.0 s. Applied late with Retrodict and UpdateLate, the
// result is within a few centimetres of processing it in order, and
// better than dropping it.
func TestLateMeasurementAlmostMatchesInOrder(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	model := Model{Kind: Radar}
	truth := func(tt float64) (float64, float64) { return 30 + 10*tt, 5 }
	meas := func(tt float64) Measurement {
		x, y := truth(tt)
		m := Measurement{Dim: 3}
		m.Z[0] = math.Hypot(x, y) + 0.2*rnd.NormFloat64()
		m.Z[1] = math.Atan2(y, x) + 0.01*rnd.NormFloat64()
		m.Z[2] = 10*x/math.Hypot(x, y) + 0.1*rnd.NormFloat64()
		m.R[0][0], m.R[1][1], m.R[2][2] = 0.04, 1e-4, 0.01
		return m
	}
	start := Filter{X: [N]float64{30, 5, 0, 0}}
	start.P[0][0], start.P[1][1], start.P[2][2], start.P[3][3] = 1, 1, 100, 100
	inOrder, late, dropped := start, start, start
	var in Innovation
	apply := func(f *Filter, m *Measurement) {
		if f.Innovate(&in, &model, m) != nil {
			t.Fatal("innovate")
		}
		f.Update(&in)
	}
	var m95 Measurement
	for k := 1; k <= 20; k++ {
		tt := float64(k) / 20
		m := meas(tt)
		for _, f := range []*Filter{&inOrder, &late, &dropped} {
			if err := f.Predict(0.05, 2); err != nil {
				t.Fatal(err)
			}
		}
		apply(&inOrder, &m)
		if k == 19 {
			m95 = m // arrives late
			continue
		}
		apply(&late, &m)
		apply(&dropped, &m)
	}
	var past Filter
	if err := late.Retrodict(&past, 0.05, 2); err != nil {
		t.Fatal(err)
	}
	if past.Innovate(&in, &model, &m95) != nil {
		t.Fatal("innovate late")
	}
	late.UpdateLate(&in, 0.05)
	dist := func(f *Filter) float64 { return math.Hypot(f.X[PX]-inOrder.X[PX], f.X[PY]-inOrder.X[PY]) }
	t.Logf("late vs in order: %.4f m; dropped vs in order: %.4f m; P_xx %.4f (in order %.4f, dropped %.4f)",
		dist(&late), dist(&dropped), late.P[0][0], inOrder.P[0][0], dropped.P[0][0])
	if dist(&late) > 0.05 || dist(&late) >= dist(&dropped) || late.P[0][0] >= dropped.P[0][0] {
		t.Fatal("the late update did not bring the estimate towards the in-order one")
	}
	if err := late.Retrodict(&past, -1, 2); err == nil {
		t.Fatal("negative lag accepted")
	}
}
