package kalman

import "math"

// Model is a measurement model: the prediction h(x) of a sensor reading
// from the state, and its Jacobian.
type Model interface {
	// Dim is the measurement dimension.
	Dim() int
	// Predict writes h(x) to z and ∂h/∂x to jac.
	Predict(z *[MaxDim]float64, jac *[MaxDim][N]float64, x *[N]float64)
	// IsAngle reports whether component i is an angle whose residual wraps.
	IsAngle(i int) bool
}

// SensorPose is where a sensor is, where it points and how it moves, in
// odom at the measurement's capture time.
type SensorPose struct {
	X, Y   float64 // m
	Yaw    float64 // rad
	VX, VY float64 // m/s
}

// Radar measures range (m), azimuth (rad, from the sensor's x axis) and
// range rate (m/s, positive receding) relative to a moving sensor.
type Radar struct{ Pose SensorPose }

// Dim returns 3.
func (Radar) Dim() int { return 3 }

// IsAngle reports that component 1, the azimuth, is an angle.
func (Radar) IsAngle(i int) bool { return i == 1 }

// Predict implements Model.
func (r Radar) Predict(z *[MaxDim]float64, jac *[MaxDim][N]float64, x *[N]float64) {
	dx, dy := x[PX]-r.Pose.X, x[PY]-r.Pose.Y
	dvx, dvy := x[VX]-r.Pose.VX, x[VY]-r.Pose.VY
	r2 := dx*dx + dy*dy
	if r2 < 1e-6 {
		r2 = 1e-6
	}
	rng := math.Sqrt(r2)
	rr := (dx*dvx + dy*dvy) / rng
	z[0] = rng
	z[1] = WrapAngle(math.Atan2(dy, dx) - r.Pose.Yaw)
	z[2] = rr
	*jac = [MaxDim][N]float64{
		{dx / rng, dy / rng, 0, 0},
		{-dy / r2, dx / r2, 0, 0},
		{dvx/rng - rr*dx/r2, dvy/rng - rr*dy/r2, dx / rng, dy / rng},
	}
}

// Camera measures bearing (rad, from the optical axis on the ground plane)
// and range (m, from the ground-plane assumption).
type Camera struct{ Pose SensorPose }

// Dim returns 2.
func (Camera) Dim() int { return 2 }

// IsAngle reports that component 0, the bearing, is an angle.
func (Camera) IsAngle(i int) bool { return i == 0 }

// Predict implements Model.
func (c Camera) Predict(z *[MaxDim]float64, jac *[MaxDim][N]float64, x *[N]float64) {
	dx, dy := x[PX]-c.Pose.X, x[PY]-c.Pose.Y
	r2 := dx*dx + dy*dy
	if r2 < 1e-6 {
		r2 = 1e-6
	}
	rng := math.Sqrt(r2)
	z[0] = WrapAngle(math.Atan2(dy, dx) - c.Pose.Yaw)
	z[1] = rng
	*jac = [MaxDim][N]float64{
		{-dy / r2, dx / r2, 0, 0},
		{dx / rng, dy / rng, 0, 0},
	}
}
