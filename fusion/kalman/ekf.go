// Package kalman is the extended Kalman filter of the tracker: a
// constant-velocity state in the odom frame and the nonlinear measurement
// models of the radar and the camera. Everything is fixed-size arrays, so
// predicting and updating allocate nothing.
package kalman

import (
	"errors"
	"math"
)

// N is the state dimension: x, y (m) and vx, vy (m/s) in odom.
const N = 4

// MaxDim is the largest measurement dimension.
const MaxDim = 3

// State indices.
const (
	PX = iota
	PY
	VX
	VY
)

// ErrNegativeDt is returned when asked to predict backwards in time.
var ErrNegativeDt = errors.New("kalman: negative time step")

// Filter is the mean X and covariance P of one object's state.
type Filter struct {
	X [N]float64
	P [N][N]float64
}

// Predict moves the filter dt seconds ahead under a constant-velocity model
// driven by white acceleration noise of standard deviation accelStd (m/s²)
// on each axis. A negative dt is refused.
func (f *Filter) Predict(dt, accelStd float64) error {
	if dt < 0 {
		return ErrNegativeDt
	}
	if dt == 0 {
		return nil
	}
	f.X[PX] += dt * f.X[VX]
	f.X[PY] += dt * f.X[VY]
	// P = F P Fᵀ with F = [[I, dt I], [0, I]], written out per 2×2 block.
	p := &f.P
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			pp, pv, vp, vv := p[a][b], p[a][b+2], p[a+2][b], p[a+2][b+2]
			p[a][b] = pp + dt*(pv+vp) + dt*dt*vv
			p[a][b+2] = pv + dt*vv
			p[a+2][b] = vp + dt*vv
		}
	}
	q := accelStd * accelStd
	dt2 := dt * dt
	for a := 0; a < 2; a++ {
		p[a][a] += q * dt2 * dt2 / 4
		p[a][a+2] += q * dt2 * dt / 2
		p[a+2][a] += q * dt2 * dt / 2
		p[a+2][a+2] += q * dt2
	}
	return nil
}

// Measurement is a sensor reading in the sensor's own coordinates.
type Measurement struct {
	Dim int
	Z   [MaxDim]float64
	R   [MaxDim][MaxDim]float64
}

// Innovation is a measurement compared with a filter's prediction of it.
type Innovation struct {
	Dim  int
	Y    [MaxDim]float64         // z - h(x), angles wrapped to (-π, π]
	H    [MaxDim][N]float64      // Jacobian of h at x
	S    [MaxDim][MaxDim]float64 // H P Hᵀ + R
	Sinv [MaxDim][MaxDim]float64
	// D2 is the squared Mahalanobis distance yᵀ S⁻¹ y.
	D2 float64
	// cholDiag is the diagonal of S's Cholesky factor, for LogDetS.
	cholDiag [MaxDim]float64
}

// LogDetS is ln|S|, worked out on demand: a gate that refuses the pair on
// D2 alone does not need it.
func (in *Innovation) LogDetS() float64 { return logDet(&in.cholDiag, in.Dim) }

// Innovate compares m with the prediction of model at the filter's state
// and stores the result in dst. It returns ErrNotPositive when S is not
// positive definite (a numeric failure, not a misuse).
func (f *Filter) Innovate(dst *Innovation, model *Model, m *Measurement) error {
	var p Projection
	f.Project(&p, model)
	return p.Innovate(dst, model, m)
}

// Projection is a filter's state and covariance seen through a sensor
// model: what Innovate needs of the filter, the same for every
// measurement the model compares with it.
type Projection struct {
	h   [MaxDim]float64    // the predicted measurement h(x)
	jac [MaxDim][N]float64 // H, the Jacobian of h at x
	hp  [MaxDim][N]float64 // H P
}

// Project fills p with the filter's projection through model.
func (f *Filter) Project(p *Projection, model *Model) {
	model.Predict(&p.h, &p.jac, &f.X)
	d := model.Dim()
	for i := 0; i < d; i++ {
		for k := 0; k < N; k++ {
			s := 0.0
			for l := 0; l < N; l++ {
				s += p.jac[i][l] * f.P[l][k]
			}
			p.hp[i][k] = s
		}
	}
}

// Innovate is Filter.Innovate for the filter p projects, through the
// same model: several measurements compared with one filter share the
// projection.
func (p *Projection) Innovate(dst *Innovation, model *Model, m *Measurement) error {
	d := model.Dim()
	if m.Dim != d {
		panic("kalman: measurement dimension does not match the model")
	}
	dst.Dim = d
	dst.H = p.jac
	for i := 0; i < d; i++ {
		dst.Y[i] = model.Residual(i, m.Z[i]-p.h[i])
	}
	// S = H P Hᵀ + R
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			s := m.R[i][j]
			for k := 0; k < N; k++ {
				s += p.hp[i][k] * p.jac[j][k]
			}
			dst.S[i][j] = s
		}
	}
	model.discountAmbiguous(&dst.S, &m.R)
	if !invertSPD(&dst.Sinv, &dst.cholDiag, &dst.S, d) {
		return ErrNotPositive
	}
	d2 := 0.0
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			d2 += dst.Y[i] * dst.Sinv[i][j] * dst.Y[j]
		}
	}
	dst.D2 = d2
	return nil
}

// RangeGate holds what two cheap lower bounds of the squared Mahalanobis
// distance Innovate would find need of a filter for one sensor model,
// worked out once for every measurement of a scan: the range residual's
// alone, y_r²/S_rr, and the bearing's, y_b²/S_bb (for a positive definite
// S, yᵀS⁻¹y ≥ y_k²/S_kk). A gate refuses far pairs with them before
// innovating them.
type RangeGate struct {
	// K is the measurement component of the range (radar) or its camera
	// counterpart, B that of the bearing.
	K, B int
	// Range is the filter's predicted range and HPH its variance,
	// H P Hᵀ; Bearing and BearingHPH the same for the bearing.
	Range, HPH          float64
	Bearing, BearingHPH float64
}

// RangeBearing returns the measurement components of a model's range
// (a camera's rough one) and bearing: those a RangeGate bounds.
func (model *Model) RangeBearing() (k, b int) {
	if model.Kind == Camera {
		return 1, 0
	}
	return 0, 1 // radar: range, then bearing
}

// RangeGate returns the filter's RangeGate for a sensor model.
func (f *Filter) RangeGate(model *Model) RangeGate {
	k, b := model.RangeBearing()
	dx, dy := f.X[PX]-model.Pose.X, f.X[PY]-model.Pose.Y
	r2 := max(dx*dx+dy*dy, 1e-6)
	rng := math.Sqrt(r2)
	hx, hy := dx/rng, dy/rng
	bx, by := -dy/r2, dx/r2
	return RangeGate{
		K: k, B: b,
		Range: rng, HPH: hx*hx*f.P[PX][PX] + 2*hx*hy*f.P[PX][PY] + hy*hy*f.P[PY][PY],
		Bearing:    WrapAngle(math.Atan2(dy, dx) - model.Pose.Yaw),
		BearingHPH: bx*bx*f.P[PX][PX] + 2*bx*by*f.P[PX][PY] + by*by*f.P[PY][PY],
	}
}

// Bound is the range bound for a measurement whose component K is z
// with variance rVar; 0 when it bounds nothing (S_rr not positive: let
// Innovate report it).
func (g RangeGate) Bound(z, rVar float64) float64 {
	srr := g.HPH + rVar
	if !(srr > 0) {
		return 0
	}
	y := z - g.Range
	return y * y / srr
}

// BearingBound is the bearing bound for a measurement whose component B
// is z with variance bVar.
func (g RangeGate) BearingBound(z, bVar float64) float64 {
	sbb := g.BearingHPH + bVar
	if !(sbb > 0) {
		return 0
	}
	y := WrapAngle(z - g.Bearing)
	return y * y / sbb
}

// Update applies the innovation in (from Innovate on this filter's current
// state).
func (f *Filter) Update(in *Innovation) {
	f.correct(in, &in.Y, &in.S)
}

// correct moves the filter by the gain K = P Hᵀ S⁻¹ of in: the mean by
// K·y, the covariance by −K·m·Kᵀ (m = S for one certain measurement,
// which is (I−KH)P for the optimal gain, cheaper), then symmetrised.
func (f *Filter) correct(in *Innovation, y *[MaxDim]float64, m *[MaxDim][MaxDim]float64) {
	d := in.Dim
	var pht, k [N][MaxDim]float64
	for i := 0; i < N; i++ {
		for j := 0; j < d; j++ {
			for l := 0; l < N; l++ {
				pht[i][j] += f.P[i][l] * in.H[j][l]
			}
		}
	}
	for i := 0; i < N; i++ {
		for j := 0; j < d; j++ {
			for l := 0; l < d; l++ {
				k[i][j] += pht[i][l] * in.Sinv[l][j]
			}
		}
	}
	for i := 0; i < N; i++ {
		for j := 0; j < d; j++ {
			f.X[i] += k[i][j] * y[j]
		}
	}
	var km [N][MaxDim]float64
	for i := 0; i < N; i++ {
		for j := 0; j < d; j++ {
			for l := 0; l < d; l++ {
				km[i][j] += k[i][l] * m[l][j]
			}
		}
	}
	for i := 0; i < N; i++ {
		for j := 0; j < N; j++ {
			s := 0.0
			for l := 0; l < d; l++ {
				s += km[i][l] * k[j][l]
			}
			f.P[i][j] -= s
		}
	}
	for i := 0; i < N; i++ {
		for j := i + 1; j < N; j++ {
			v := (f.P[i][j] + f.P[j][i]) / 2
			f.P[i][j], f.P[j][i] = v, v
		}
	}
}

// WrapAngle maps a to (-π, π].
func WrapAngle(a float64) float64 {
	if a > -math.Pi && a <= math.Pi {
		return a
	}
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a <= 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// invertSPD inverts the d×d symmetric positive-definite matrix a into dst
// through its Cholesky factor, whose diagonal it leaves in diag (see
// logDet). It reports false when a is not positive definite.
func invertSPD(dst *[MaxDim][MaxDim]float64, diag *[MaxDim]float64, a *[MaxDim][MaxDim]float64, d int) bool {
	var l [MaxDim][MaxDim]float64
	for j := 0; j < d; j++ {
		s := a[j][j]
		for k := 0; k < j; k++ {
			s -= l[j][k] * l[j][k]
		}
		if !(s > 0) {
			return false
		}
		l[j][j] = math.Sqrt(s)
		diag[j] = l[j][j]
		for i := j + 1; i < d; i++ {
			s := a[i][j]
			for k := 0; k < j; k++ {
				s -= l[i][k] * l[j][k]
			}
			l[i][j] = s / l[j][j]
		}
	}
	// inv(L) by forward substitution, then a⁻¹ = inv(L)ᵀ inv(L).
	var li [MaxDim][MaxDim]float64
	for i := 0; i < d; i++ {
		li[i][i] = 1 / l[i][i]
		for j := 0; j < i; j++ {
			s := 0.0
			for k := j; k < i; k++ {
				s -= l[i][k] * li[k][j]
			}
			li[i][j] = s / l[i][i]
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			s := 0.0
			for k := 0; k < d; k++ {
				s += li[k][i] * li[k][j]
			}
			dst[i][j] = s
		}
	}
	return true
}

// logDet is ln|a| from the diagonal of a's d×d Cholesky factor.
func logDet(diag *[MaxDim]float64, d int) float64 {
	v := 0.0
	for j := 0; j < d; j++ {
		v += 2 * math.Log(diag[j])
	}
	return v
}

// Retrodict writes to dst the filter's state dt seconds in the past (dt >
// 0): the constant-velocity model run backwards, the process noise of the
// interval added (the past is less certain than the present estimate
// made from it). Innovate dst with a late measurement, then apply it with
// UpdateLate.
func (f *Filter) Retrodict(dst *Filter, dt, accelStd float64) error {
	if dt < 0 {
		return ErrNegativeDt
	}
	*dst = *f
	dst.X[PX] -= dt * f.X[VX]
	dst.X[PY] -= dt * f.X[VY]
	p := &dst.P
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			pp, pv, vp, vv := p[a][b], p[a][b+2], p[a+2][b], p[a+2][b+2]
			p[a][b] = pp - dt*(pv+vp) + dt*dt*vv
			p[a][b+2] = pv - dt*vv
			p[a+2][b] = vp - dt*vv
		}
	}
	q := accelStd * accelStd
	dt2 := dt * dt
	for a := 0; a < 2; a++ {
		p[a][a] += q * dt2 * dt2 / 4
		p[a][a+2] -= q * dt2 * dt / 2
		p[a+2][a] -= q * dt2 * dt / 2
		p[a+2][a+2] += q * dt2
	}
	return nil
}

// UpdatePDA is the probabilistic data association update: the
// measurements gated to the filter, with innovations ys against in's
// prediction (in's H and S serve all of them), weighted by their
// association probabilities betas (the rest, 1 − Σβ, being the chance
// that none is the object's). The mean moves by the weighted innovation;
// the covariance shrinks by how sure the association is and grows by the
// spread of the candidates.
func (f *Filter) UpdatePDA(in *Innovation, ys [][MaxDim]float64, betas []float64) {
	d := in.Dim
	var y [MaxDim]float64
	sum := 0.0
	for k, yk := range ys {
		for i := 0; i < d; i++ {
			y[i] += betas[k] * yk[i]
		}
		sum += betas[k]
	}
	// Spread: Σ β y_k y_kᵀ − y yᵀ.
	var spread [MaxDim][MaxDim]float64
	for k, yk := range ys {
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				spread[i][j] += betas[k] * yk[i] * yk[j]
			}
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			spread[i][j] -= y[i] * y[j]
		}
	}
	// The covariance shrinks by Σβ·S and grows by the spread.
	var m [MaxDim][MaxDim]float64
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			m[i][j] = sum*in.S[i][j] - spread[i][j]
		}
	}
	f.correct(in, &y, &m)
}

// UpdateLate applies a measurement taken dt seconds before the filter's
// time, innovated against Retrodict's state, to the present state: the
// gain uses the cross-covariance of the present and the past states,
// approximated as P·F(−dt)ᵀ (Bar-Shalom's one-lag out-of-sequence update
// with the interval's process noise neglected in the cross term).
func (f *Filter) UpdateLate(in *Innovation, dt float64) {
	d := in.Dim
	// C = P F(−dt)ᵀ: position columns take −dt times the velocity ones.
	var c [N][N]float64
	for i := 0; i < N; i++ {
		for j := 0; j < N; j++ {
			c[i][j] = f.P[i][j]
		}
		c[i][PX] -= dt * f.P[i][VX]
		c[i][PY] -= dt * f.P[i][VY]
	}
	// K = C Hᵀ S⁻¹
	var cht [N][MaxDim]float64
	for i := 0; i < N; i++ {
		for j := 0; j < d; j++ {
			s := 0.0
			for l := 0; l < N; l++ {
				s += c[i][l] * in.H[j][l]
			}
			cht[i][j] = s
		}
	}
	var k [N][MaxDim]float64
	for i := 0; i < N; i++ {
		for j := 0; j < d; j++ {
			s := 0.0
			for l := 0; l < d; l++ {
				s += cht[i][l] * in.Sinv[l][j]
			}
			k[i][j] = s
		}
	}
	for i := 0; i < N; i++ {
		for j := 0; j < d; j++ {
			f.X[i] += k[i][j] * in.Y[j]
		}
	}
	// P = P − K S Kᵀ, symmetrised.
	for i := 0; i < N; i++ {
		for j := 0; j < N; j++ {
			s := 0.0
			for a := 0; a < d; a++ {
				for b := 0; b < d; b++ {
					s += k[i][a] * in.S[a][b] * k[j][b]
				}
			}
			f.P[i][j] -= s
		}
	}
	for i := 0; i < N; i++ {
		for j := i + 1; j < N; j++ {
			m := (f.P[i][j] + f.P[j][i]) / 2
			f.P[i][j], f.P[j][i] = m, m
		}
	}
}
