package sim

import (
	"math"

	"github.com/avfusion/avfusion/sensors"
)

// guardRailPostM is the spacing of a guard rail's posts, m: each post and
// the rail beside it is one place that returns the radar's chirps, from
// scan to scan the same.
const guardRailPostM = 2

// guardRailPDetect is how likely the radar reports a post in view on a
// scan, with its p_detect: rails are low and often seen at a grazing
// angle.
const guardRailPDetect = 0.5

// guardRailSNRDB is the mean SNR of a guard rail's return.
const guardRailSNRDB = 10

// railReturn is one guard rail return of a radar frame, in the sensor
// frame: range, azimuth, range rate and SNR.
type railReturn struct{ r, az, rr, snr float64 }

// railReturns appends to dst the guard rail returns of the radar frame
// captured at t: each post inside the field of view is seen with
// guardRailPDetect × p_detect, somewhere along the rail within half a
// post spacing of it, with the scenario's noise and the static world's
// range rate. The draws come from the rails' own random stream, so a
// scenario without rails sees what it saw before there were any.
func (w *World) railReturns(dst []railReturn, t sensors.Time) []railReturn {
	m := w.sc.Radar
	pose := w.Ego(t).SensorPose(w.rig.Radar)
	azStd := m.AzimuthStdDeg * math.Pi / 180
	half := m.FOVDeg * math.Pi / 360
	rnd := w.rails
	for _, g := range w.sc.GuardRails {
		dx, dy := g.To[0]-g.From[0], g.To[1]-g.From[1]
		length := math.Hypot(dx, dy)
		ux, uy := dx/length, dy/length
		for s := 0.0; s <= length; s += guardRailPostM {
			along := math.Min(length, math.Max(0, s+(rnd.Float64()-0.5)*guardRailPostM))
			seen := rnd.Float64() < guardRailPDetect*m.PDetect
			r, az := polar(pose.X, pose.Y, pose.Yaw, g.From[0]+along*ux, g.From[1]+along*uy)
			if !seen || r < 1 || r > m.MaxRangeM || math.Abs(az) > half {
				continue
			}
			dst = append(dst, railReturn{
				r:   r + rnd.NormFloat64()*m.RangeStdM,
				az:  wrap(az + rnd.NormFloat64()*azStd),
				rr:  staticRangeRate(pose, az) + rnd.NormFloat64()*m.VelocityStdMps,
				snr: guardRailSNRDB + 3*rnd.NormFloat64(),
			})
		}
	}
	return dst
}

// guardRailHeightM is how high a guard rail stands, m.
const guardRailHeightM = 0.8
