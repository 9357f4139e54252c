package fusion

import (
	"math"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/sensors"
)

// Ego is the vehicle's pose and motion in odom at Stamp: base_link's
// origin, heading, forward speed and yaw rate.
type Ego struct {
	Stamp   sensors.Time
	X, Y    float64 // m
	Yaw     float64 // rad
	Speed   float64 // m/s along the heading
	YawRate float64 // rad/s
}

// At extrapolates the ego state to t with constant speed and yaw rate.
func (e Ego) At(t sensors.Time) Ego {
	dt := t.Sub(e.Stamp).Seconds()
	out := e
	out.Stamp = t
	if math.Abs(e.YawRate) < 1e-9 {
		s, c := math.Sincos(e.Yaw)
		out.X += e.Speed * dt * c
		out.Y += e.Speed * dt * s
		return out
	}
	yaw := e.Yaw + e.YawRate*dt
	r := e.Speed / e.YawRate
	out.X += r * (math.Sin(yaw) - math.Sin(e.Yaw))
	out.Y += r * (math.Cos(e.Yaw) - math.Cos(yaw))
	out.Yaw = yaw
	return out
}

// SensorPose returns where a sensor on mount m is and how it moves in odom.
func (e Ego) SensorPose(m calib.Mount) kalman.SensorPose {
	x, y := e.ToOdom(m.X, m.Y)
	s, c := math.Sincos(e.Yaw)
	// Velocity of the mount point: ego velocity plus ω × lever arm.
	lx, ly := c*m.X-s*m.Y, s*m.X+c*m.Y
	return kalman.SensorPose{
		X: x, Y: y, Yaw: e.Yaw + m.Yaw,
		VX: e.Speed*c - e.YawRate*ly,
		VY: e.Speed*s + e.YawRate*lx,
	}
}

// ToOdom maps a point in base_link to odom.
func (e Ego) ToOdom(x, y float64) (ox, oy float64) {
	s, c := math.Sincos(e.Yaw)
	return e.X + c*x - s*y, e.Y + s*x + c*y
}

// egoHistory keeps the latest ego samples and answers the pose at any
// capture time by extrapolating from the newest sample not after it.
type egoHistory struct {
	ring [64]Ego
	n    int // samples stored, at most len(ring)
	head int // index of the newest
}

// EgoHistory keeps ego states as the tracker does (Tracker.PushEgo,
// Tracker.EgoAt), for work done beside the tracker on the same samples.
type EgoHistory struct{ h egoHistory }

// Push adds a sample (an older one than the newest is dropped).
func (e *EgoHistory) Push(g Ego) { e.h.push(g) }

// At returns the ego state at t.
func (e *EgoHistory) At(t sensors.Time) Ego { return e.h.at(t) }

func (h *egoHistory) push(e Ego) {
	if h.n > 0 && e.Stamp < h.ring[h.head].Stamp {
		return // ego samples arrive in order; an older one is stale
	}
	h.head = (h.head + 1) % len(h.ring)
	h.ring[h.head] = e
	if h.n < len(h.ring) {
		h.n++
	}
}

func (h *egoHistory) at(t sensors.Time) Ego {
	if h.n == 0 {
		return Ego{Stamp: t}
	}
	best := h.ring[h.head]
	for i := 0; i < h.n; i++ {
		e := h.ring[(h.head-i+len(h.ring))%len(h.ring)]
		best = e
		if e.Stamp <= t {
			break
		}
	}
	return best.At(t)
}
