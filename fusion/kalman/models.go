package kalman

import "math"

// SensorPose is where a sensor is, where it points and how it moves, in
// odom at the measurement's capture time.
type SensorPose struct {
	X, Y   float64 // m
	Yaw    float64 // rad
	VX, VY float64 // m/s
}

// OwnVelocity is the sensor's velocity over the ground in its own frame
// (x forward, y left): what a radar must add to a return's range rate to
// tell whether the object moves.
func (p SensorPose) OwnVelocity() (vx, vy float64) {
	s, c := math.Sincos(p.Yaw)
	return c*p.VX + s*p.VY, -s*p.VX + c*p.VY
}

// Kind is the kind of a measurement model.
type Kind uint8

// Measurement model kinds.
const (
	// Radar measures range (m), azimuth (rad, from the sensor's x axis)
	// and range rate (m/s, positive receding) relative to a moving sensor.
	Radar Kind = iota
	// Camera measures bearing (rad, from the optical axis on the ground
	// plane) and range (m, from the ground-plane assumption).
	Camera
)

// Model is a measurement model: the prediction h(x) of a sensor reading
// from the state, and its Jacobian. It is a concrete type (not an
// interface) so that calls with pointers to stack arrays do not move them
// to the heap.
type Model struct {
	Kind Kind
	Pose SensorPose
	// RangeRateSpan is, for a radar that tells range rate only modulo a
	// span (twice its unambiguous velocity: a faster object's Doppler
	// wraps around), that span; 0 when it is unambiguous. See Residual
	// and discountAmbiguous.
	RangeRateSpan float64
}

// Dim is the measurement dimension.
func (m *Model) Dim() int {
	if m.Kind == Camera {
		return 2
	}
	return 3
}

// IsAngle reports whether component i is an angle whose residual wraps.
func (m *Model) IsAngle(i int) bool {
	if m.Kind == Camera {
		return i == 0
	}
	return i == 1
}

// Residual is component i of z − h(x): an angle wrapped into (−π, π], an
// ambiguous range rate into ±RangeRateSpan/2 (the alias nearest the
// prediction).
func (m *Model) Residual(i int, y float64) float64 {
	switch {
	case m.IsAngle(i):
		return WrapAngle(y)
	case m.Kind == Radar && i == 2 && m.RangeRateSpan > 0:
		return math.Remainder(y, m.RangeRateSpan)
	}
	return y
}

// ambiguousShare is how much of an ambiguous range rate's span the
// prediction's standard deviation may reach before the alias nearest it
// is no longer reliably the right one.
const ambiguousShare = 1.0 / 6

// discountAmbiguous makes a reading's range rate count for almost nothing
// when the prediction is too uncertain to tell which alias it is (its
// variance, S − R, beyond (RangeRateSpan·ambiguousShare)²): S grows by
// span² there. s is the innovation covariance, r the reading's.
func (m *Model) discountAmbiguous(s, r *[MaxDim][MaxDim]float64) {
	if m.Kind != Radar || m.RangeRateSpan <= 0 {
		return
	}
	if lim := m.RangeRateSpan * ambiguousShare; s[2][2]-r[2][2] > lim*lim {
		s[2][2] += m.RangeRateSpan * m.RangeRateSpan
	}
}

// Predict writes h(x) to z and ∂h/∂x to jac.
func (m *Model) Predict(z *[MaxDim]float64, jac *[MaxDim][N]float64, x *[N]float64) {
	dx, dy := x[PX]-m.Pose.X, x[PY]-m.Pose.Y
	r2 := dx*dx + dy*dy
	if r2 < 1e-6 {
		r2 = 1e-6
	}
	rng := math.Sqrt(r2)
	bearing := WrapAngle(math.Atan2(dy, dx) - m.Pose.Yaw)
	if m.Kind == Camera {
		z[0], z[1] = bearing, rng
		*jac = [MaxDim][N]float64{
			{-dy / r2, dx / r2, 0, 0},
			{dx / rng, dy / rng, 0, 0},
		}
		return
	}
	dvx, dvy := x[VX]-m.Pose.VX, x[VY]-m.Pose.VY
	rr := (dx*dvx + dy*dvy) / rng
	z[0], z[1], z[2] = rng, bearing, rr
	*jac = [MaxDim][N]float64{
		{dx / rng, dy / rng, 0, 0},
		{-dy / r2, dx / r2, 0, 0},
		{dvx/rng - rr*dx/r2, dvy/rng - rr*dy/r2, dx / rng, dy / rng},
	}
}
