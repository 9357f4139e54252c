package kalman

import (
	"math"
	"testing"
)

func pdaFilter() (Filter, Model, Measurement) {
	f := Filter{X: [N]float64{20, 0, 0, 0}}
	for i := range N {
		f.P[i][i] = 1
	}
	m := Measurement{Dim: 3}
	m.R = [MaxDim][MaxDim]float64{{0.04, 0, 0}, {0, 1e-4, 0}, {0, 0, 0.01}}
	return f, Model{Kind: Radar}, m
}

// TestPDAWithOneCertainMeasurementIsTheKalmanUpdate: β = 1 on a single
// measurement is the ordinary update.
func TestPDAWithOneCertainMeasurementIsTheKalmanUpdate(t *testing.T) {
	f, model, m := pdaFilter()
	m.Z = [MaxDim]float64{20.5, 0.01, 0.2}
	var in Innovation
	if f.Innovate(&in, &model, &m) != nil {
		t.Fatal("innovate")
	}
	a, b := f, f
	a.Update(&in)
	b.UpdatePDA(&in, [][MaxDim]float64{in.Y}, []float64{1})
	for i := range N {
		if math.Abs(a.X[i]-b.X[i]) > 1e-12 {
			t.Fatalf("mean %v vs %v", a.X, b.X)
		}
		for j := range N {
			if math.Abs(a.P[i][j]-b.P[i][j]) > 1e-12 {
				t.Fatalf("covariance %v vs %v", a.P, b.P)
			}
		}
	}
}

// TestPDAHedgesBetweenTwoCandidates: two equally likely returns either
// side of the prediction leave the mean between them and the position
// less certain than either would.
func TestPDAHedgesBetweenTwoCandidates(t *testing.T) {
	f, model, m := pdaFilter()
	var ys [][MaxDim]float64
	var in Innovation
	for _, r := range []float64{19.6, 20.4} {
		m.Z = [MaxDim]float64{r, 0, 0}
		if f.Innovate(&in, &model, &m) != nil {
			t.Fatal("innovate")
		}
		ys = append(ys, in.Y)
	}
	one := f
	one.Update(&in)
	both := f
	both.UpdatePDA(&in, ys, []float64{0.45, 0.45})
	if math.Abs(both.X[PX]-20) > 1e-9 || both.P[PX][PX] <= one.P[PX][PX] || both.P[PX][PX] >= f.P[PX][PX] {
		t.Fatalf("x %.4f, var %.4f (one return: %.4f, prior %.4f)", both.X[PX], both.P[PX][PX], one.P[PX][PX], f.P[PX][PX])
	}
}
