package fusion

import (
	"math"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// clutterBands is a scan's clutter density in measurement space, every
// detection of the scan counted as possibly not the object a track took:
// for a radar, returns per metre of range, radian of azimuth and m/s of
// range rate, static in the static world's band of range rate (where
// guard rails, signs and spray fall, a band as wide as the range-rate
// noise) and moving the rest, spread over every range rate an object may
// show; for a camera, boxes per radian of bearing and metre of range (in
// a crowd a box in a track's gate is as often a neighbour's), in moving.
type clutterBands struct{ static, moving float64 }

// clutterStaticBandSigmas is how many standard deviations of its range
// rate a return may lie off the static world's rate and still count in
// the static band.
const clutterStaticBandSigmas = 3

// measureClutter counts the scan's detections, for a radar in and out of
// the static band, and spreads each count over its band of the sensor's
// coverage.
func (t *Tracker) measureClutter(sc *scan, dets []perception.Detection) clutterBands {
	if len(dets) == 0 {
		return clutterBands{}
	}
	area := sc.cov.MaxRangeM * sc.cov.FOVDeg * math.Pi / 180
	if sc.sensor == perception.Camera {
		return clutterBands{moving: float64(len(dets)) / area}
	}
	nStatic := 0
	for j := range dets {
		if t.inStaticBand(sc, &dets[j]) {
			nStatic++
		}
	}
	span := 2 * t.params.MaxSpeedMps
	if sc.model.RangeRateSpan > 0 {
		span = min(span, sc.model.RangeRateSpan)
	}
	bands := clutterBands{moving: float64(len(dets)-nStatic) / (area * span)}
	if nStatic > 0 {
		bands.static = staticClutterDensity(sc.cov, dets, nStatic)
	}
	return bands
}

// inStaticBand reports whether a detection is a radar return whose range
// rate is the static world's, seen from the moving sensor, within its
// noise.
func (t *Tracker) inStaticBand(sc *scan, d *perception.Detection) bool {
	if sc.sensor != perception.Radar || d.Dim < 3 || !(d.R[2][2] > 0) {
		return false // no range rate to tell
	}
	static := -ownRadialSpeed(sc.pose, d.Z[perception.RadarAzimuth])
	gap := sc.model.Residual(perception.RadarRangeRate, d.Z[perception.RadarRangeRate]-static)
	return math.Abs(gap) <= clutterStaticBandSigmas*math.Sqrt(d.R[2][2])
}

// falseShare is the probability, against the object, that a detection a
// track took is not the track's object: the scan's clutter density where
// the detection lies over the likelihood of the pair (from its
// assignment cost: d² + ln|S| for a k-dimensional reading, and the class
// affinity's weighted log-likelihood), never below the sensor's p_false. A detection that fits its track loosely, among many,
// then raises the track's existence little or lowers it; where
// detections are sparse p_false rules as before.
func (t *Tracker) falseShare(sc *scan, d *perception.Detection, pairCost float64) float64 {
	density := t.clutter.moving
	if t.inStaticBand(sc, d) {
		density = t.clutter.static
	}
	likelihood := math.Pow(2*math.Pi, -float64(d.Dim)/2) * math.Exp(-pairCost/2)
	return max(sc.cov.PFalse, density/likelihood)
}

// ownRadialSpeed is the speed at which a sensor at pose moves towards
// azimuth az (from its axis): the static world's range rate is minus it.
func ownRadialSpeed(pose kalman.SensorPose, az float64) float64 {
	b := pose.Yaw + az
	return pose.VX*math.Cos(b) + pose.VY*math.Sin(b)
}
