package kalman

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPredictMatchesMatrixForm(t *testing.T) {
	f := Filter{X: [N]float64{1, 2, 3, -1}}
	for i := 0; i < N; i++ {
		for j := 0; j < N; j++ {
			f.P[i][j] = 0.1 * float64((i+1)*(j+1))
		}
		f.P[i][i]++
	}
	const dt, sa = 0.25, 2.0
	F := mat.NewDense(N, N, []float64{1, 0, dt, 0, 0, 1, 0, dt, 0, 0, 1, 0, 0, 0, 0, 1})
	G := mat.NewDense(N, 2, []float64{dt * dt / 2, 0, 0, dt * dt / 2, dt, 0, 0, dt})
	P := mat.NewDense(N, N, nil)
	for i := 0; i < N; i++ {
		for j := 0; j < N; j++ {
			P.Set(i, j, f.P[i][j])
		}
	}
	var want, q mat.Dense
	want.Product(F, P, F.T())
	q.Product(G, G.T())
	q.Scale(sa*sa, &q)
	want.Add(&want, &q)

	if err := f.Predict(dt, sa); err != nil {
		t.Fatal(err)
	}
	if f.X != [N]float64{1 + dt*3, 2 - dt, 3, -1} {
		t.Errorf("mean %v", f.X)
	}
	for i := 0; i < N; i++ {
		for j := 0; j < N; j++ {
			if math.Abs(f.P[i][j]-want.At(i, j)) > 1e-12 {
				t.Fatalf("P[%d][%d] = %g, want %g", i, j, f.P[i][j], want.At(i, j))
			}
		}
	}
	if err := f.Predict(-0.1, sa); !errors.Is(err, ErrNegativeDt) {
		t.Errorf("negative dt: got %v", err)
	}
}

// numericJacobian checks a model's analytic Jacobian by central differences.
func checkJacobian(t *testing.T, name string, m *Model, x [N]float64) {
	t.Helper()
	var z0 [MaxDim]float64
	var jac [MaxDim][N]float64
	m.Predict(&z0, &jac, &x)
	const h = 1e-6
	for k := 0; k < N; k++ {
		xp, xm := x, x
		xp[k] += h
		xm[k] -= h
		var zp, zm [MaxDim]float64
		var scratch [MaxDim][N]float64
		m.Predict(&zp, &scratch, &xp)
		m.Predict(&zm, &scratch, &xm)
		for i := 0; i < m.Dim(); i++ {
			d := zp[i] - zm[i]
			if m.IsAngle(i) {
				d = WrapAngle(d)
			}
			num := d / (2 * h)
			if math.Abs(num-jac[i][k]) > 1e-5*(1+math.Abs(num)) {
				t.Errorf("%s: ∂h%d/∂x%d = %g, numeric %g", name, i, k, jac[i][k], num)
			}
		}
	}
}

func TestJacobians(t *testing.T) {
	pose := SensorPose{X: 2, Y: -1, Yaw: 0.3, VX: 8, VY: 0.5}
	for _, x := range [][N]float64{{30, 4, -5, 1}, {-10, -20, 3, 3}, {2.5, 6, 0, -2}} {
		checkJacobian(t, "radar", &Model{Kind: Radar, Pose: pose}, x)
		checkJacobian(t, "camera", &Model{Kind: Camera, Pose: pose}, x)
	}
}

func TestRadarPrediction(t *testing.T) {
	// A target 10 m ahead and 10 m left of a sensor yawed by 45°, closing
	// on it at 1 m/s along the line of sight: range 10√2, azimuth 0,
	// range rate -1.
	r := Model{Kind: Radar, Pose: SensorPose{Yaw: math.Pi / 4, VX: 1 / math.Sqrt2, VY: 1 / math.Sqrt2}}
	var z [MaxDim]float64
	var jac [MaxDim][N]float64
	r.Predict(&z, &jac, &[N]float64{10, 10, 0, 0})
	if math.Abs(z[0]-10*math.Sqrt2) > 1e-12 || math.Abs(z[1]) > 1e-12 || math.Abs(z[2]+1) > 1e-12 {
		t.Fatalf("h(x) = %v", z)
	}
}

func TestUpdateConvergesOnStaticTarget(t *testing.T) {
	f := Filter{X: [N]float64{20, 5, 0, 0}}
	for i := 0; i < N; i++ {
		f.P[i][i] = 25
	}
	truth := [N]float64{25, 3, 0, 0}
	cam := &Model{Kind: Camera}
	var m Measurement
	cam.Predict(&m.Z, new([MaxDim][N]float64), &truth)
	m.Dim = 2
	m.R[0][0], m.R[1][1] = 1e-4, 0.25
	var in Innovation
	for i := 0; i < 50; i++ {
		if f.Innovate(&in, cam, &m) != nil {
			t.Fatal("innovation failed")
		}
		f.Update(&in)
	}
	if math.Hypot(f.X[0]-truth[0], f.X[1]-truth[1]) > 0.05 {
		t.Fatalf("converged to %v, want %v", f.X, truth)
	}
	if f.Innovate(&in, cam, &m) != nil || in.D2 > 0.05 {
		t.Fatalf("residual Mahalanobis distance %g after convergence", in.D2)
	}
}

func TestWrapAngle(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0, 0}, {math.Pi, math.Pi}, {-math.Pi, math.Pi}, {3 * math.Pi / 2, -math.Pi / 2}, {-7, -7 + 2*math.Pi},
	} {
		if got := WrapAngle(c.in); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("WrapAngle(%g) = %g, want %g", c.in, got, c.want)
		}
	}
}

// TestNumericFailureIsOneError: a covariance that is not positive
// definite is reported the same way by every filter, ErrNotPositive, and
// leaves the filter unchanged.
func TestNumericFailureIsOneError(t *testing.T) {
	var f Filter
	for i := range N {
		f.P[i][i] = -1 // broken on purpose
	}
	model := Model{Kind: Radar}
	m := Measurement{Dim: 3, Z: [MaxDim]float64{10, 0, 0}}
	var in Innovation
	if err := f.Innovate(&in, &model, &m); !errors.Is(err, ErrNotPositive) {
		t.Fatalf("EKF innovation: %v", err)
	}
	var u UKF
	for i := range T {
		u.P[i][i] = -1
	}
	before := u
	if _, _, err := u.Update(&model, &m); !errors.Is(err, ErrNotPositive) || u != before {
		t.Fatalf("UKF update: %v, filter changed %v", err, u != before)
	}
	imm := IMM{Modes: [2]UKF{u, u}, Prob: [2]float64{0.5, 0.5}}
	if err := imm.Update(&model, &m); !errors.Is(err, ErrNotPositive) {
		t.Fatalf("IMM update: %v", err)
	}
}

// TestGateBoundsNeverExceedTheDistance: the cheap bounds a gate uses to
// refuse far pairs (range alone, bearing alone) are at most the
// innovation's squared Mahalanobis distance, for radar and camera
// measurements of random states; and the innovation's ln|S| is the
// determinant's.
func TestGateBoundsNeverExceedTheDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 2000; k++ {
		var f Filter
		f.X = [N]float64{-50 + 100*rng.Float64(), -50 + 100*rng.Float64(), 5 * rng.NormFloat64(), 5 * rng.NormFloat64()}
		var a [N][N]float64
		for i := range a {
			for j := range a[i] {
				a[i][j] = rng.NormFloat64() * 3
			}
		}
		for i := range N { // P = AAᵀ + εI
			for j := range N {
				for l := range N {
					f.P[i][j] += a[i][l] * a[j][l]
				}
			}
			f.P[i][i] += 1e-3
		}
		model := Model{Kind: Radar, Pose: SensorPose{X: 3.7, Yaw: 0.1}}
		m := Measurement{Dim: 3, Z: [MaxDim]float64{100 * rng.Float64(), rng.NormFloat64(), 3 * rng.NormFloat64()}}
		if k%2 == 1 {
			model.Kind, m.Dim = Camera, 2
			m.Z = [MaxDim]float64{rng.NormFloat64(), 100 * rng.Float64()}
		}
		for i := 0; i < m.Dim; i++ {
			m.R[i][i] = 0.01 + rng.Float64()
		}
		var in Innovation
		if err := f.Innovate(&in, &model, &m); err != nil {
			t.Fatal(err)
		}
		// ln|S| from the Cholesky factor, against gonum's determinant.
		sm := mat.NewSymDense(m.Dim, nil)
		for i := 0; i < m.Dim; i++ {
			for j := i; j < m.Dim; j++ {
				sm.SetSym(i, j, in.S[i][j])
			}
		}
		if got, want := in.LogDetS(), math.Log(mat.Det(sm)); math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
			t.Fatalf("case %d: ln|S| %g, want %g", k, got, want)
		}
		g := f.RangeGate(&model)
		if b := g.Bound(m.Z[g.K], m.R[g.K][g.K]); b > in.D2*(1+1e-9)+1e-12 {
			t.Fatalf("case %d: bound %g above the distance %g", k, b, in.D2)
		}
		if b := g.BearingBound(m.Z[g.B], m.R[g.B][g.B]); b > in.D2*(1+1e-9)+1e-12 {
			t.Fatalf("case %d: bearing bound %g above the distance %g", k, b, in.D2)
		}
	}
}
