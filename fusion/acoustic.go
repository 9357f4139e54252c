package fusion

import (
	"math"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// AcousticHypothesis is a siren or horn heard where no confirmed track
// is: a direction only, never a track of its own.
type AcousticHypothesis struct {
	Stamp sensors.Time
	// Bearing is the direction in odom (rad) from the array at X, Y (odom,
	// m); BearingVar its variance. Mirror is the equally likely mirror
	// bearing of a collinear array, NaN otherwise.
	X, Y, Bearing, BearingVar, Mirror float64
	Sound                             perception.Sound
}

// Acoustic evidence about an emergency vehicle: how likely a siren is
// heard from one, and from anything else (another vehicle's radio, a
// siren elsewhere that the bearing happens to match).
const (
	pSirenGivenEmergency = 0.8
	pSirenGivenOther     = 0.02
	// hypothesisLife is how long an unexplained sound is reported.
	hypothesisLife = 2e9 // ns
	// maxHypotheses bounds the unexplained sounds kept.
	maxHypotheses = 16
)

// hear fuses acoustic detections: each siren or horn goes to the
// confirmed track whose bearing from the array matches it best within the
// gate (the bearing's uncertainty, the track's position uncertainty
// across the line of sight and the track's width); a siren there moves
// the track's class towards emergency_vehicle. Sound never moves a track
// or makes one: unmatched sounds become AcousticHypothesis entries, kept
// for two seconds.
func (t *Tracker) hear(stamp sensors.Time, dets []perception.Detection) {
	pose := t.ego.at(stamp).SensorPose(t.rig.Mic)
	kept := t.heard[:0]
	for _, h := range t.heard {
		if stamp-h.Stamp < hypothesisLife {
			kept = append(kept, h)
		}
	}
	t.heard = kept
	for di := range dets {
		d := &dets[di]
		if d.Sound.Background >= max(d.Sound.Siren, d.Sound.Horn) {
			continue
		}
		bearings, nb := [2]float64{d.Z[perception.AcousticBearing], d.Z[perception.AcousticMirror]}, 1
		if d.Dim == 2 {
			nb = 2
		}
		best, bestScore := -1, math.Inf(1)
		for i := range t.tracks {
			tr := &t.tracks[i]
			if tr.Status != Confirmed {
				continue
			}
			dt := stamp.Sub(tr.Stamp).Seconds()
			x := tr.Filter.X[0] + tr.Filter.X[2]*dt - pose.X
			y := tr.Filter.X[1] + tr.Filter.X[3]*dt - pose.Y
			r := math.Hypot(x, y)
			if r < 0.5 {
				continue
			}
			c, _ := tr.steering.Argmax()
			half := math.Atan2(perception.TypicalSize(c)[0]/2, r)
			posVar := (tr.Filter.P[0][0] + tr.Filter.P[1][1]) / 2 / (r * r)
			for _, b := range bearings[:nb] {
				diff := math.Abs(math.Remainder(math.Atan2(y, x)-pose.Yaw-b, 2*math.Pi))
				gate := 3*math.Sqrt(d.R[0][0]+posVar) + half
				if diff <= gate && diff/gate < bestScore {
					best, bestScore = i, diff/gate
				}
			}
		}
		if best < 0 {
			if len(t.heard) < maxHypotheses {
				mirror := math.NaN()
				if d.Dim == 2 {
					mirror = math.Remainder(d.Z[perception.AcousticMirror]+pose.Yaw, 2*math.Pi)
				}
				t.heard = append(t.heard, AcousticHypothesis{Stamp: stamp, X: pose.X, Y: pose.Y,
					Bearing: math.Remainder(bearings[0]+pose.Yaw, 2*math.Pi), BearingVar: d.R[0][0], Mirror: mirror, Sound: d.Sound})
			}
			continue
		}
		tr := &t.tracks[best]
		tr.LastHit[perception.Mic] = stamp
		tr.Hits[perception.Mic]++
		if p := d.Sound.Siren; p > d.Sound.Horn {
			var like perception.ClassProbs
			for c := range like {
				ps := pSirenGivenOther
				if perception.Class(c) == perception.EmergencyVehicle {
					ps = pSirenGivenEmergency
				}
				like[c] = p*ps + (1-p)*(1-ps)
			}
			tr.fuseClass(perception.Mic, &like, true)
		}
	}
}

// Heard returns the sounds heard in the last two seconds that no
// confirmed track explains.
func (t *Tracker) Heard() []AcousticHypothesis { return t.heard }
