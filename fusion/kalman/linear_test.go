package kalman

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

const robot = "../../testdata/kalman-robot"

func readCSV(t *testing.T, name string) *mat.Dense {
	t.Helper()
	f, err := os.Open(filepath.Join(robot, name))
	if err != nil {
		t.Fatalf("kalman-robot reference (the repository's testdata/): %v", err)
	}
	defer f.Close() //nolint:errcheck // read-only
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, row := range rows {
		for j, v := range row {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			m.Set(i, j, x)
		}
	}
	return m
}

// TestLinearReproducesKalmanRobot runs the linear filter over pykalman's
// "robot" data set and compares every filtered mean and covariance with
// the MATLAB reference values in ../../testdata/kalman-robot, to 1e-9
// relative (with a 1e-12 absolute floor for entries near zero).
func TestLinearReproducesKalmanRobot(t *testing.T) {
	a, c, q, r := readCSV(t, "A.csv"), readCSV(t, "C.csv"), readCSV(t, "Q.csv"), readCSV(t, "R.csv")
	b, d := readCSV(t, "transition_offsets.csv"), readCSV(t, "observation_offset.csv")
	x0, p0 := readCSV(t, "initial_state_mean.csv"), readCSV(t, "initial_state_covariance.csv")
	ys, means, covs := readCSV(t, "observations.csv"), readCSV(t, "filtered_state_means.csv"), readCSV(t, "filtered_state_covariances.csv")
	rs := mat.NewSymDense(2, []float64{r.At(0, 0), r.At(0, 1), r.At(1, 0), r.At(1, 1)})
	f := NewLinear(mat.NewVecDense(5, x0.RawRowView(0)), p0)
	steps, _ := ys.Dims()
	worst := 0.0
	for k := 0; k < steps; k++ {
		f.Predict(a, b.RowView(k), q)
		if err := f.Update(c, d.RowView(0), rs, ys.RowView(k)); err != nil {
			t.Fatalf("step %d: innovation covariance not positive definite", k)
		}
		check := func(what string, got, want float64) {
			err := math.Abs(got-want) / math.Max(math.Abs(want), 1e-3)
			worst = math.Max(worst, err)
			if math.Abs(got-want) > 1e-9*math.Abs(want)+1e-12 {
				t.Fatalf("step %d %s: %.17g, want %.17g", k, what, got, want)
			}
		}
		for i := 0; i < 5; i++ {
			check("mean", f.X.AtVec(i), means.At(k, i))
			for j := 0; j < 5; j++ {
				check("covariance", f.P.At(i, j), covs.At(k, 5*i+j))
			}
		}
	}
	t.Logf("largest relative difference over %d steps: %.2g", steps, worst)
}

// TestEKFPredictMatchesLinear checks the fixed-size EKF's constant-velocity
// prediction against the reference linear filter with the same model
// written as matrices.
func TestEKFPredictMatchesLinear(t *testing.T) {
	const dt, sa = 0.1, 1.5
	ekf := Filter{X: [N]float64{100, 2, -3, 0.5}}
	p0 := mat.NewDense(N, N, nil)
	for i := 0; i < N; i++ {
		ekf.P[i][i] = float64(i + 1)
		p0.Set(i, i, float64(i+1))
	}
	lin := NewLinear(mat.NewVecDense(N, ekf.X[:]), p0)
	a := mat.NewDense(N, N, []float64{1, 0, dt, 0, 0, 1, 0, dt, 0, 0, 1, 0, 0, 0, 0, 1})
	g := mat.NewDense(N, 2, []float64{dt * dt / 2, 0, 0, dt * dt / 2, dt, 0, 0, dt})
	var q mat.Dense
	q.Mul(g, g.T())
	q.Scale(sa*sa, &q)
	for k := 0; k < 20; k++ {
		if err := ekf.Predict(dt, sa); err != nil {
			t.Fatal(err)
		}
		lin.Predict(a, nil, &q)
	}
	for i := 0; i < N; i++ {
		if math.Abs(ekf.X[i]-lin.X.AtVec(i)) > 1e-12 {
			t.Fatalf("mean %d: %g vs %g", i, ekf.X[i], lin.X.AtVec(i))
		}
		for j := 0; j < N; j++ {
			if math.Abs(ekf.P[i][j]-lin.P.At(i, j)) > 1e-9 {
				t.Fatalf("P[%d][%d]: %g vs %g", i, j, ekf.P[i][j], lin.P.At(i, j))
			}
		}
	}
}
