package kalman

import "math"

// IMMParams tunes an interacting multiple model filter of a constant
// velocity and a constant turn mode.
type IMMParams struct {
	Straight ConstantVelocity
	Turn     ConstantTurn
	// SwitchRate is how often (per second) an object changes between
	// driving straight and turning: the mode transition probability over
	// dt is 1 − exp(−SwitchRate·dt).
	SwitchRate float64
	// TurnRateStd is the turn-rate uncertainty (rad/s) of a filter started
	// from a velocity estimate.
	TurnRateStd float64
}

// IMM is an interacting multiple model filter: a constant velocity and a
// constant turn unscented filter, mixed before each prediction by the
// probability that the object switched, and weighed after each update by
// how well each predicted the measurement. Prob is the probability of
// each mode (0: straight, 1: turning).
type IMM struct {
	Modes [2]UKF
	Prob  [2]float64
}

// NewIMM starts an IMM from an EKF estimate: speed and heading from its
// velocity (linearised, with the heading's variance capped for objects
// too slow to have one), no turn, both modes equally likely.
func NewIMM(f *Filter, p *IMMParams) IMM {
	u := fromVelocity(f, 0, p.TurnRateStd*p.TurnRateStd)
	return IMM{Modes: [2]UKF{u, u}, Prob: [2]float64{0.5, 0.5}}
}

// fromVelocity turns an EKF estimate into a turn state with turn rate w
// of variance wVar, uncorrelated with the rest.
func fromVelocity(f *Filter, w, wVar float64) UKF {
	vx, vy := f.X[VX], f.X[VY]
	v := math.Hypot(vx, vy)
	vj := max(v, 0.5) // below walking pace the heading is anybody's guess
	// J maps (x, y, vx, vy) to (x, y, v, heading).
	j := [4][N]float64{
		{1, 0, 0, 0},
		{0, 1, 0, 0},
		{0, 0, vx / vj, vy / vj},
		{0, 0, -vy / (vj * vj), vx / (vj * vj)},
	}
	var u UKF
	u.X = [T]float64{f.X[PX], f.X[PY], v, math.Atan2(vy, vx), w}
	for a := 0; a < 4; a++ {
		for b := 0; b < 4; b++ {
			s := 0.0
			for k := 0; k < N; k++ {
				for l := 0; l < N; l++ {
					s += j[a][k] * f.P[k][l] * j[b][l]
				}
			}
			u.P[a][b] = s
		}
	}
	if hv := u.P[THeading][THeading]; hv > 1 {
		// Cap the heading's variance (and its correlations with it).
		r := math.Sqrt(1 / hv)
		for k := 0; k < 4; k++ {
			u.P[THeading][k] *= r
			u.P[k][THeading] *= r
		}
		u.P[THeading][THeading] = 1
	}
	u.P[TTurn][TTurn] = wVar
	return u
}

// Predict mixes the modes and moves each dt seconds ahead with its motion
// model. A negative dt is refused.
func (m *IMM) Predict(p *IMMParams, dt float64) error {
	if dt < 0 {
		return ErrNegativeDt
	}
	if dt == 0 {
		return nil
	}
	sw := 1 - math.Exp(-p.SwitchRate*dt)
	trans := [2][2]float64{{1 - sw, sw}, {sw, 1 - sw}}
	var c [2]float64
	for j := 0; j < 2; j++ {
		for i := 0; i < 2; i++ {
			c[j] += trans[i][j] * m.Prob[i]
		}
	}
	var mixed [2]UKF
	for j := 0; j < 2; j++ {
		var w [2]float64
		for i := 0; i < 2; i++ {
			w[i] = trans[i][j] * m.Prob[i] / c[j]
		}
		mixed[j] = mix(&m.Modes, &w)
	}
	if err := mixed[0].Predict(&p.Straight, dt); err != nil {
		return err
	}
	if err := mixed[1].Predict(&p.Turn, dt); err != nil {
		return err
	}
	m.Modes, m.Prob = mixed, c
	return nil
}

// mix is the Gaussian matching the weighted mixture of the modes.
func mix(modes *[2]UKF, w *[2]float64) UKF {
	var out UKF
	ref := modes[0].X[THeading]
	for i := range modes {
		for k := 0; k < T; k++ {
			v := modes[i].X[k]
			if k == THeading {
				v = ref + WrapAngle(v-ref)
			}
			out.X[k] += w[i] * v
		}
	}
	out.X[THeading] = WrapAngle(out.X[THeading])
	for i := range modes {
		d := stateDiff(&modes[i].X, &out.X)
		for a := 0; a < T; a++ {
			for b := 0; b < T; b++ {
				out.P[a][b] += w[i] * (modes[i].P[a][b] + d[a]*d[b])
			}
		}
	}
	return out
}

// Update fuses measurement m through model into both modes and reweighs
// them by their likelihoods. It returns ErrNotPositive when neither mode
// could take it (numeric failure); the filter is then unchanged.
func (m *IMM) Update(model *Model, meas *Measurement) error {
	return m.UpdateLate(nil, model, meas, 0)
}

// UpdateLate is Update for a measurement taken lag seconds ago: each mode
// carries it forward along its own motion (UKF.UpdateLate).
func (m *IMM) UpdateLate(p *IMMParams, model *Model, meas *Measurement, lag float64) error {
	var like [2]float64
	modes := m.Modes
	okAny := false
	for i := range modes {
		var motion Motion
		if lag > 0 {
			motion = &p.Straight
			if i == 1 {
				motion = &p.Turn
			}
		}
		d2, logDet, err := modes[i].UpdateLate(model, meas, motion, lag)
		if err != nil {
			modes[i] = m.Modes[i]
			continue
		}
		okAny = true
		like[i] = math.Exp(-0.5*(d2+logDet)) + 1e-300
	}
	if !okAny {
		return ErrNotPositive
	}
	sum := 0.0
	for i := range like {
		like[i] *= m.Prob[i]
		sum += like[i]
	}
	if !(sum > 0) {
		return ErrNotPositive
	}
	for i := range like {
		m.Prob[i] = min(max(like[i]/sum, 1e-4), 1-1e-4)
	}
	m.Modes = modes
	return nil
}

// Combined writes to f the mixture of both modes as an EKF estimate
// (position and velocity), each mode carried over by the unscented
// transform.
func (m *IMM) Combined(f *Filter) {
	var ms [2]Filter
	for i := range m.Modes {
		ms[i] = m.Modes[i].velocityEstimate()
	}
	*f = Filter{}
	for i := range ms {
		for a := 0; a < N; a++ {
			f.X[a] += m.Prob[i] * ms[i].X[a]
		}
	}
	for i := range ms {
		for a := 0; a < N; a++ {
			for b := 0; b < N; b++ {
				f.P[a][b] += m.Prob[i] * (ms[i].P[a][b] + (ms[i].X[a]-f.X[a])*(ms[i].X[b]-f.X[b]))
			}
		}
	}
}

// velocityEstimate carries the turn state over to position and velocity
// by the unscented transform.
func (u *UKF) velocityEstimate() Filter {
	var pts [ukfPoints][T]float64
	var f Filter
	if u.sigmaPoints(&pts) != nil {
		f.X = Velocity(&u.X)
		for a := 0; a < N; a++ {
			f.P[a][a] = u.P[min(a, T-1)][min(a, T-1)]
		}
		return f
	}
	var vs [ukfPoints][N]float64
	for i := range pts {
		vs[i] = Velocity(&pts[i])
		for a := 0; a < N; a++ {
			f.X[a] += weight(i) * vs[i][a]
		}
	}
	for i := range vs {
		for a := 0; a < N; a++ {
			for b := 0; b < N; b++ {
				f.P[a][b] += weight(i) * (vs[i][a] - f.X[a]) * (vs[i][b] - f.X[b])
			}
		}
	}
	return f
}
