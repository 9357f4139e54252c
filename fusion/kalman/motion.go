package kalman

import "math"

// T is the dimension of the turn state: position x, y (m), speed (m/s),
// heading (rad, counter-clockwise from odom x) and turn rate (rad/s).
const T = 5

// Turn-state indices.
const (
	TX = iota
	TY
	TSpeed
	THeading
	TTurn
)

// MaxStep is the longest step a prediction takes at once (s); longer
// predictions are cut into steps no longer than this, so a turning
// object's arc is followed rather than cut by a chord.
const MaxStep = 0.05

// Motion is a motion model of the turn state, for the unscented filter:
// how a state moves in a short step, and how uncertain that makes it.
// States pass by value, so that calls through the interface move no
// stack array to the heap.
type Motion interface {
	// Move returns x moved dt seconds ahead (|dt| ≤ MaxStep; a negative
	// dt moves it back).
	Move(x [T]float64, dt float64) [T]float64
	// Noise returns the process-noise covariance of a dt-second step from
	// x.
	Noise(x [T]float64, dt float64) [T][T]float64
}

// ConstantVelocity keeps speed and heading; it carries the turn rate
// without using it (so an interacting multiple model can hand it on).
// Random accelerations along the heading (AccelStd, m/s²) and random
// heading rates (HeadingRateStd, rad/s — lane changes, drift) make it
// uncertain.
type ConstantVelocity struct {
	AccelStd, HeadingRateStd float64
}

// Move implements Motion.
func (m ConstantVelocity) Move(x [T]float64, dt float64) [T]float64 {
	s, c := math.Sincos(x[THeading])
	x[TX] += x[TSpeed] * c * dt
	x[TY] += x[TSpeed] * s * dt
	return x
}

// Noise implements Motion.
func (m ConstantVelocity) Noise(x [T]float64, dt float64) [T][T]float64 {
	s, c := math.Sincos(x[THeading])
	accel := [T]float64{dt * dt / 2 * c, dt * dt / 2 * s, dt, 0, 0}
	heading := [T]float64{0, 0, 0, dt, 0}
	var q [T][T]float64
	addOuter(&q, &accel, m.AccelStd*m.AccelStd)
	addOuter(&q, &heading, m.HeadingRateStd*m.HeadingRateStd)
	return q
}

// ConstantTurn is the constant turn rate and velocity model (CTRV): the
// object drives along a circular arc at constant speed. Random
// accelerations along the heading (AccelStd, m/s²) and random turn
// accelerations (TurnAccelStd, rad/s²) make it uncertain.
type ConstantTurn struct {
	AccelStd, TurnAccelStd float64
}

// Move implements Motion.
func (m ConstantTurn) Move(x [T]float64, dt float64) [T]float64 {
	v, h, w := x[TSpeed], x[THeading], x[TTurn]
	if math.Abs(w) < 1e-6 {
		s, c := math.Sincos(h)
		x[TX] += v * c * dt
		x[TY] += v * s * dt
		return x
	}
	s0, c0 := math.Sincos(h)
	s1, c1 := math.Sincos(h + w*dt)
	x[TX] += v / w * (s1 - s0)
	x[TY] += v / w * (c0 - c1)
	x[THeading] = WrapAngle(h + w*dt)
	return x
}

// Noise implements Motion.
func (m ConstantTurn) Noise(x [T]float64, dt float64) [T][T]float64 {
	s, c := math.Sincos(x[THeading])
	accel := [T]float64{dt * dt / 2 * c, dt * dt / 2 * s, dt, 0, 0}
	turn := [T]float64{0, 0, 0, dt * dt / 2, dt}
	var q [T][T]float64
	addOuter(&q, &accel, m.AccelStd*m.AccelStd)
	addOuter(&q, &turn, m.TurnAccelStd*m.TurnAccelStd)
	return q
}

// addOuter adds w·g·gᵀ to q.
func addOuter(q *[T][T]float64, g *[T]float64, w float64) {
	for i := range g {
		for j := range g {
			q[i][j] += w * g[i] * g[j]
		}
	}
}
