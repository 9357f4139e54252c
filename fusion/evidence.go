package fusion

import (
	"math"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// NumEvidence is the length of a track's evidence vector.
const NumEvidence = 36

// Evidence is what the sensors have said about one track, as numbers for
// a late-fusion head (see Head). The layout, by index:
//
//	0      age, log(1 + s), counted up to 10 s
//	1      confirmed (1) or tentative (0)
//	2–4    existence log-odds each sensor contributed (radar, camera, mic)
//	5–6    hit ratio of the radar and the camera, (hits + 1) / (hits +
//	       misses + 2)
//	7–9    log(1 + hits) per sensor, counted up to 200
//	10–11  seconds since the radar's and the camera's last hit (capped at 5)
//	12–17  camera class log-likelihoods, minus their maximum (floored at
//	       -20); the emergency vehicle's is the car's or the truck's
//	       when higher (a camera cannot tell one from its base vehicle)
//	18–23  the same for the microphones
//	24     mean detection score of the camera
//	25     RMS normalised range-rate innovation of the radar hits
//	26     ground speed, m/s
//	27     log of the position standard deviation along the worst axis, m
//	28     range from the ego vehicle, m
//	29     |azimuth| from the ego vehicle's heading, rad
//	30     log of the velocity standard deviation, m/s
//	31     probability of the turning mode (0 without an IMM)
//	32–33  mean spread of a clustered radar's returns along and across
//	       the line of sight, m (0 for object-level radar)
//	34     log(1 + mean returns per radar hit) (0 for object-level radar)
//	35     mean spread of a clustered radar's returns in Doppler, m/s (a
//	       walker's limbs; 0 for object-level radar)
//
// Age and hits are capped so that a track alive for hours reads like one
// alive for seconds, as in training (see Head.Familiar). The radar's SNR
// is left out: it depends on the radar and its
// clustering as much as on the object, so a head trained on one radar
// path would misread another.
type Evidence [NumEvidence]float64

// AsOneReturnPerHit returns ev as a clustered radar that reports each
// object as one return would have given it (an object-list radar's
// radar_msgs/RadarScan, a return an object): one return per radar hit,
// no spread. Evidence without radar hits is returned as it is.
func (ev *Evidence) AsOneReturnPerHit() Evidence {
	out := *ev
	if out[7] > 0 { // log(1 + radar hits)
		out[32], out[33], out[34], out[35] = 0, 0, math.Log1p(1), 0
	}
	return out
}

// Head is a late-fusion rule: from a track's evidence it judges the
// track's class distribution and the probability that its object exists.
// The Engine calls it from one goroutine.
type Head interface {
	Judge(ev *Evidence, class *perception.ClassProbs) (existence float64)
	// Familiar reports whether ev is like the evidence the head learnt
	// from. The Engine judges a track whose evidence is not by the
	// Bayesian rule instead: out of its training data a head's
	// confidence means nothing.
	Familiar(ev *Evidence) bool
}

// evidence fills ev for track tr as seen at now from ego.
func (tr *Track) evidence(ev *Evidence, f *kalman.Filter, now sensors.Time, ego Ego) {
	const maxGap, maxAge, maxHits = 5.0, 15.0, 300
	ev[0] = math.Log1p(min(max(now.Sub(tr.Born).Seconds(), 0), maxAge))
	ev[1] = 0
	if tr.Status == Confirmed {
		ev[1] = 1
	}
	for s := range perception.NumSensors {
		ev[2+s] = tr.ExistenceEvidence[s]
		ev[7+s] = math.Log1p(float64(min(tr.Hits[s], maxHits)))
	}
	for k, s := range [...]perception.Sensor{perception.Radar, perception.Camera} {
		// Laplace's rule of succession: a sensor that was never expected
		// to see the track (no hits, no misses: out of its view, or a
		// static-blind radar across the line of sight) reads 0.5, not
		// like one that missed it every time.
		ev[5+k] = float64(tr.Hits[s]+1) / float64(tr.Hits[s]+tr.Misses[s]+2)
		ev[10+k] = maxGap
		if tr.LastHit[s] != 0 {
			ev[10+k] = min(max(now.Sub(tr.LastHit[s]).Seconds(), 0), maxGap)
		}
	}
	for k, s := range [...]perception.Sensor{perception.Camera, perception.Mic} {
		ce := tr.ClassEvidence[s]
		if s == perception.Camera {
			// A camera's detector has no emergency-vehicle class: it names
			// the car or truck one is built on, so what it says cannot
			// count against a siren the microphones hear.
			ce[perception.EmergencyVehicle] = max(ce[perception.EmergencyVehicle], ce[perception.Car], ce[perception.Truck])
		}
		top := math.Inf(-1)
		for _, v := range ce {
			top = max(top, v)
		}
		for c, v := range ce {
			ev[12+6*k+c] = max(v-top, -20)
		}
	}
	ev[24] = 0
	if n := tr.Hits[perception.Camera]; n > 0 {
		ev[24] = tr.ScoreSum[perception.Camera] / float64(n)
	}
	ev[25] = 0
	if n := tr.Hits[perception.Radar]; n > 1 {
		ev[25] = math.Sqrt(tr.RateNIS / float64(n-1))
	}
	ev[26] = math.Hypot(f.X[kalman.VX], f.X[kalman.VY])
	ev[27] = math.Log(positionStd(f))
	dx, dy := f.X[kalman.PX]-ego.X, f.X[kalman.PY]-ego.Y
	ev[28] = math.Hypot(dx, dy)
	ev[29] = math.Abs(kalman.WrapAngle(math.Atan2(dy, dx) - ego.Yaw))
	ev[30] = 0.5 * math.Log(max(f.P[kalman.VX][kalman.VX]+f.P[kalman.VY][kalman.VY], 1e-6))
	ev[31] = 0
	if tr.turning {
		ev[31] = tr.imm.Prob[1]
	}
	ev[32], ev[33], ev[34], ev[35] = 0, 0, 0, 0
	if n := float64(tr.Hits[perception.Radar]); n > 0 {
		ev[32], ev[33], ev[35] = tr.SpreadSum[0]/n, tr.SpreadSum[1]/n, tr.SpreadSum[2]/n
		ev[34] = math.Log1p(tr.ReturnsSum / n)
	}
}
