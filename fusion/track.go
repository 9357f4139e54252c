package fusion

import (
	"math"
	"math/bits"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// Status is a track's stage in its life.
type Status uint8

// Track stages. A deleted track leaves the pool, so it has no status.
const (
	Tentative Status = iota
	Confirmed
)

// Track is one object the tracker believes in.
type Track struct {
	ID     uint32
	Status Status
	Filter kalman.Filter
	// Stamp is the time the filter state refers to.
	Stamp sensors.Time
	// Existence is the probability that the object is real.
	Existence float64
	// Class is the Bayesian class belief: every associated detection's
	// class belief multiplied in.
	Class perception.ClassProbs
	// steering is the class belief that steers association, occlusion
	// and the motion model: Class without the doubtful camera boxes
	// (see Tracker.Process), which may be a neighbour's.
	steering perception.ClassProbs
	// Born is the stamp of the detection that started the track, bornBy
	// its sensor.
	Born   sensors.Time
	bornBy perception.Sensor
	// LastHit is the stamp of the latest detection per sensor (0 if none).
	LastHit [perception.NumSensors]sensors.Time
	// Hits counts associated detections per sensor.
	Hits [perception.NumSensors]uint32
	// ClassEvidence is each sensor's summed log-likelihood per class: how
	// far it moved the class belief, and towards what.
	ClassEvidence [perception.NumSensors]perception.ClassProbs
	// ExistenceEvidence is each sensor's summed change of the existence
	// log-odds: its hits raise it, its misses lower it.
	ExistenceEvidence [perception.NumSensors]float64
	// Misses counts, per sensor, the scans that covered the track, could
	// have seen it and did not.
	Misses [perception.NumSensors]uint32
	// ScoreSum sums the scores (radar SNR, camera confidence) of the
	// associated detections per sensor.
	ScoreSum [perception.NumSensors]float64
	// RateNIS sums the squared normalised range-rate innovations of the
	// radar hits: a real object moves as its track predicts, clutter
	// that happens to fall in the gate does not.
	RateNIS float64
	// ReturnsSum and SpreadSum sum the Returns and Spread of the radar
	// hits: the extent and the Doppler spread a clustered radar sees, as
	// class evidence.
	ReturnsSum float64
	SpreadSum  [3]float64
	// imm, when turning is set, is the track's interacting multiple
	// model; Filter then holds its combined estimate.
	imm     kalman.IMM
	turning bool
	// history has, per sensor, a 1 for each of its latest scans covering
	// the track that hit it, newest in bit 0. M-of-N is judged per sensor:
	// a camera that finds a third of what it sees at night must not hold
	// back a track the radar hits every scan.
	history [perception.NumSensors]uint32
	// onStructure is set while the track is static, lies on structure the
	// static map learned and no camera has confirmed it (Tracker.onStructure):
	// it is then neither confirmed nor published.
	onStructure bool
}

// LastSeen is the newest stamp at which a sensor that measures position
// (not the microphones, which only hear a bearing) hit the track.
func (t *Track) LastSeen() sensors.Time {
	return max(t.LastHit[perception.Radar], t.LastHit[perception.Camera])
}

// addExtent adds a radar detection's returns and spread to the track's
// sums; other sensors' detections have none.
func (t *Track) addExtent(d *perception.Detection) {
	if d.Sensor == perception.Radar {
		t.ReturnsSum += float64(d.Returns)
		t.SpreadSum[0] += d.Spread[0]
		t.SpreadSum[1] += d.Spread[1]
		t.SpreadSum[2] += d.Spread[2]
	}
}

func (t *Track) record(s perception.Sensor, hit bool, window int) {
	h := &t.history[s]
	*h <<= 1
	if hit {
		*h |= 1
	}
	if window < 32 {
		*h &= 1<<uint(window) - 1
	}
}

// passedMofN reports whether the sensor that started the track (any
// sensor when anySensor) hit it at least m times in its latest scans.
// Only the starting sensor confirms: a camera's boxes, ranged only
// roughly, must not confirm a stray radar return by lending it the
// detections of objects nearby.
func (t *Track) passedMofN(m int, anySensor bool) bool {
	for s, h := range t.history {
		if (anySensor || perception.Sensor(s) == t.bornBy) && bits.OnesCount32(h) >= m {
			return true
		}
	}
	return false
}

// failedMofN reports whether the sensor that started the track has
// judged a full window of n scans and hit it fewer than m times (when
// anySensor, whether every sensor that has judged one did).
func (t *Track) failedMofN(m, n int, anySensor bool) bool {
	if !anySensor {
		h := t.history[t.bornBy]
		return bits.Len32(h) >= n && bits.OnesCount32(h) < m
	}
	full := false
	for _, h := range t.history {
		if bits.OnesCount32(h) >= m {
			return false
		}
		full = full || bits.Len32(h) >= n
	}
	return full
}

// setExistence moves the existence probability to p and books the change
// of its log-odds to sensor s.
func (t *Track) setExistence(s perception.Sensor, p float64) {
	t.ExistenceEvidence[s] += logit(p) - logit(t.Existence)
	t.Existence = p
}

func logit(p float64) float64 {
	p = min(max(p, 1e-9), 1-1e-9)
	return math.Log(p / (1 - p))
}

// fuseClass multiplies a detection's class belief into the track's
// Class and books it as sensor s's class evidence (what the fusion head
// reads); when steer is set, also into its steering belief. The
// detection's probabilities are floored, and so are the beliefs, so
// that one confident mistake cannot make a class impossible.
func (t *Track) fuseClass(s perception.Sensor, obs *perception.ClassProbs, steer bool) {
	const floor = 0.02
	for i := range t.Class {
		t.ClassEvidence[s][i] += math.Log(obs[i] + floor)
	}
	multiply(&t.Class, obs, floor)
	if steer {
		multiply(&t.steering, obs, floor)
	}
}

// multiply multiplies belief by obs + floor, normalises it and floors
// it at 1e-6.
func multiply(belief, obs *perception.ClassProbs, floor float64) {
	sum := 0.0
	for i := range belief {
		belief[i] *= obs[i] + floor
		sum += belief[i]
	}
	for i := range belief {
		belief[i] /= sum
		belief[i] = max(belief[i], 1e-6)
	}
}
