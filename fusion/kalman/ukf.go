package kalman

import (
	"errors"
	"math"
)

// UKF is an unscented Kalman filter on the turn state: mean X and
// covariance P. It predicts through any Motion and updates through the
// radar and camera measurement models of the EKF (each sigma point's
// speed and heading turned into a velocity). Everything is fixed-size:
// predicting and updating allocate nothing.
type UKF struct {
	X [T]float64
	P [T][T]float64
}

// Sigma-point weights: λ = 1, so the centre point weighs 1/6 and the
// other ten 1/12 each (all positive: the covariance stays positive).
const (
	ukfLambda  = 1.0
	ukfPoints  = 2*T + 1
	ukfW0      = ukfLambda / (T + ukfLambda)
	ukfWi      = 1 / (2 * (T + ukfLambda))
	ukfHeading = THeading
)

// ErrNotPositive is returned when a covariance has lost positive
// definiteness: the one way every filter here reports a numeric failure
// (the filter is left unchanged).
var ErrNotPositive = errors.New("kalman: covariance not positive definite")

// sigmaPoints writes the 2T+1 sigma points of (X, P) to pts.
func (u *UKF) sigmaPoints(pts *[ukfPoints][T]float64) error {
	var l [T][T]float64
	if !cholesky(&l, &u.P) {
		return ErrNotPositive
	}
	scale := math.Sqrt(T + ukfLambda)
	pts[0] = u.X
	for k := 0; k < T; k++ {
		for i := 0; i < T; i++ {
			pts[1+k][i] = u.X[i] + scale*l[i][k]
			pts[1+T+k][i] = u.X[i] - scale*l[i][k]
		}
	}
	return nil
}

func weight(i int) float64 {
	if i == 0 {
		return ukfW0
	}
	return ukfWi
}

// Predict moves the filter dt seconds ahead under motion model m, in steps
// of at most MaxStep. A negative dt is refused.
func (u *UKF) Predict(m Motion, dt float64) error {
	if dt < 0 {
		return ErrNegativeDt
	}
	for dt > 0 {
		h := min(dt, MaxStep)
		if err := u.step(m, h); err != nil {
			return err
		}
		dt -= h
	}
	return nil
}

func (u *UKF) step(m Motion, dt float64) error {
	var pts [ukfPoints][T]float64
	if err := u.sigmaPoints(&pts); err != nil {
		return err
	}
	for i := range pts {
		pts[i] = m.Move(pts[i], dt)
	}
	mean := meanState(&pts)
	p := m.Noise(mean, dt)
	for i := range pts {
		d := stateDiff(&pts[i], &mean)
		addOuter(&p, &d, weight(i))
	}
	u.X, u.P = mean, p
	return nil
}

// meanState is the weighted mean of sigma points, the heading averaged
// as an angle (relative to the centre point).
func meanState(pts *[ukfPoints][T]float64) [T]float64 {
	var mean [T]float64
	ref := pts[0][ukfHeading]
	for i := range pts {
		w := weight(i)
		for k := 0; k < T; k++ {
			v := pts[i][k]
			if k == ukfHeading {
				v = ref + WrapAngle(v-ref)
			}
			mean[k] += w * v
		}
	}
	mean[ukfHeading] = WrapAngle(mean[ukfHeading])
	return mean
}

func stateDiff(a, b *[T]float64) [T]float64 {
	var d [T]float64
	for k := range d {
		d[k] = a[k] - b[k]
	}
	d[ukfHeading] = WrapAngle(d[ukfHeading])
	return d
}

// Velocity is a turn state's position and velocity: the EKF's state.
func Velocity(x *[T]float64) [N]float64 {
	s, c := math.Sincos(x[THeading])
	return [N]float64{x[TX], x[TY], x[TSpeed] * c, x[TSpeed] * s}
}

// Update fuses measurement m through model. It returns the squared
// Mahalanobis distance of the innovation and ln|S| (for the likelihood
// of the filter's motion model), or ErrNotPositive after a numeric
// failure (the filter is then unchanged).
func (u *UKF) Update(model *Model, m *Measurement) (d2, logDetS float64, err error) {
	return u.UpdateLate(model, m, nil, 0)
}

// UpdateLate fuses a measurement taken lag seconds before the filter's
// time into the present state: each sigma point is moved back by lag
// under motion before the measurement is predicted from it, so the gain
// carries the old measurement forward along the motion (the process noise
// of the interval is neglected). With lag 0 it is Update.
func (u *UKF) UpdateLate(model *Model, m *Measurement, motion Motion, lag float64) (d2, logDetS float64, err error) {
	var pts [ukfPoints][T]float64
	if err := u.sigmaPoints(&pts); err != nil {
		return 0, 0, err
	}
	d := model.Dim()
	if m.Dim != d {
		panic("kalman: measurement dimension does not match the model")
	}
	var zs [ukfPoints][MaxDim]float64
	sigmaMeasurements(&zs, &pts, model, motion, lag)
	zMean := measurementMean(&zs, model, d)
	var s [MaxDim][MaxDim]float64
	var pxz [T][MaxDim]float64
	u.covariances(&s, &pxz, &pts, &zs, &zMean, model, m)
	model.discountAmbiguous(&s, &m.R)
	var sinv [MaxDim][MaxDim]float64
	var diag [MaxDim]float64
	if !invertSPD(&sinv, &diag, &s, d) {
		return 0, 0, ErrNotPositive
	}
	logDetS = logDet(&diag, d)
	var y [MaxDim]float64
	for k := 0; k < d; k++ {
		y[k] = model.Residual(k, m.Z[k]-zMean[k])
	}
	for a := 0; a < d; a++ {
		for b := 0; b < d; b++ {
			d2 += y[a] * sinv[a][b] * y[b]
		}
	}
	u.correct(&pxz, &sinv, &y, d)
	return d2, logDetS, nil
}

// sigmaMeasurements predicts the measurement of every sigma point, each
// moved back lag seconds under motion first.
func sigmaMeasurements(zs *[ukfPoints][MaxDim]float64, pts *[ukfPoints][T]float64, model *Model, motion Motion, lag float64) {
	var jac [MaxDim][N]float64
	for i := range pts {
		past := pts[i]
		for back := lag; back > 0; back -= MaxStep {
			past = motion.Move(past, -min(back, MaxStep))
		}
		cv := Velocity(&past)
		model.Predict(&zs[i], &jac, &cv)
	}
}

// measurementMean is the weighted mean of the sigma points' measurements,
// angles unwrapped around the first point's.
func measurementMean(zs *[ukfPoints][MaxDim]float64, model *Model, d int) [MaxDim]float64 {
	var zMean [MaxDim]float64
	for k := 0; k < d; k++ {
		ref := zs[0][k]
		for i := range zs {
			v := zs[i][k]
			if model.IsAngle(k) {
				v = ref + WrapAngle(v-ref)
			}
			zMean[k] += weight(i) * v
		}
	}
	return zMean
}

// covariances writes the innovation covariance S (the measurement's noise
// included) and the state–measurement cross covariance Pxz.
func (u *UKF) covariances(s *[MaxDim][MaxDim]float64, pxz *[T][MaxDim]float64, pts *[ukfPoints][T]float64, zs *[ukfPoints][MaxDim]float64, zMean *[MaxDim]float64, model *Model, m *Measurement) {
	d := m.Dim
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			s[i][j] = m.R[i][j]
		}
	}
	for i := range zs {
		w := weight(i)
		var dz [MaxDim]float64
		for k := 0; k < d; k++ {
			dz[k] = zs[i][k] - zMean[k]
			if model.IsAngle(k) {
				dz[k] = WrapAngle(dz[k])
			}
		}
		dx := stateDiff(&pts[i], &u.X)
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				s[a][b] += w * dz[a] * dz[b]
			}
		}
		for a := 0; a < T; a++ {
			for b := 0; b < d; b++ {
				pxz[a][b] += w * dx[a] * dz[b]
			}
		}
	}
}

// correct applies the gain K = Pxz S⁻¹ to innovation y: x += K y,
// P -= K S Kᵀ = K Pxzᵀ.
func (u *UKF) correct(pxz *[T][MaxDim]float64, sinv *[MaxDim][MaxDim]float64, y *[MaxDim]float64, d int) {
	var k [T][MaxDim]float64
	for a := 0; a < T; a++ {
		for b := 0; b < d; b++ {
			for c := 0; c < d; c++ {
				k[a][b] += pxz[a][c] * sinv[c][b]
			}
		}
	}
	x, p := u.X, u.P
	for a := 0; a < T; a++ {
		for b := 0; b < d; b++ {
			x[a] += k[a][b] * y[b]
		}
		for c := 0; c < T; c++ {
			for b := 0; b < d; b++ {
				p[a][c] -= k[a][b] * pxz[c][b]
			}
		}
	}
	x[ukfHeading] = WrapAngle(x[ukfHeading])
	symmetrize(&p)
	u.X, u.P = x, p
}

// cholesky writes the lower factor of p to l; false if p is not positive
// definite.
func cholesky(l *[T][T]float64, p *[T][T]float64) bool {
	for i := 0; i < T; i++ {
		for j := 0; j <= i; j++ {
			s := p[i][j]
			for k := 0; k < j; k++ {
				s -= l[i][k] * l[j][k]
			}
			if i == j {
				if s <= 0 {
					return false
				}
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	return true
}

func symmetrize(p *[T][T]float64) {
	for i := 0; i < T; i++ {
		for j := 0; j < i; j++ {
			m := (p[i][j] + p[j][i]) / 2
			p[i][j], p[j][i] = m, m
		}
	}
}
