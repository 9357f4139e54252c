package fusion

import (
	"math"
	"time"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// hit fuses detection d (the scan's j-th), which the associate stage gave
// track i: its state, its class, its motion model, its hit counts and its
// existence.
func (t *Tracker) hit(sc *scan, i int, d *perception.Detection, j int) {
	tr := &t.tracks[i]
	s := sc.sensor
	steer := t.steers(sc, i, j)
	z := measurementFor(d, t.at(i), sc.pose)
	if !t.pda.done[i] && steer && !t.failed(t.match.projection(sc, i, t.at(i)).Innovate(&t.innov, &sc.model, &z)) {
		placedByRadar := s == perception.Camera && tr.Hits[perception.Radar] > 0
		steer = !placedByRadar || t.innov.D2 <= rivalMargin
		if steer {
			if s == perception.Radar {
				tr.RateNIS += t.innov.Y[2] * t.innov.Y[2] / t.innov.S[2][2]
			}
			t.update(tr, i, &sc.model, &z)
		}
	}
	tr.fuseClass(s, &d.Class, steer)
	t.chooseMotion(tr)
	tr.LastHit[s] = max(tr.LastHit[s], sc.stamp)
	tr.Hits[s]++
	tr.ScoreSum[s] += d.Score
	tr.addExtent(d)
	tr.record(s, true, t.params.confirmWindow())
	pd, pf := sc.cov.PDetect, sc.cov.PFalse
	if t.params.ClutterDensity && !sc.cov.Fragments {
		pf = t.falseShare(sc, d, t.match.pairCost[i])
	}
	tr.setExistence(s, tr.Existence*pd/(tr.Existence*pd+(1-tr.Existence)*pf))
}

// steers reports whether the scan's j-th detection, taken by track i, may
// move the track and steer its own class. A camera box that could about
// as well belong to another track (or a track that another box could
// about as well belong to) is doubtful for a track the radar places: the
// camera's bearing is precise enough to drag the track onto the wrong
// object, and its range too vague to tell which object is which. (hit
// adds the other doubt: a box further off the track than rivalMargin in
// d², as likely an object no track has yet.) A doubtful box counts as a
// hit and as class evidence for the head, but neither moves the track nor
// steers its class (a neighbour's class would change which boxes the
// track takes and what may hide it).
//
// Through a radar whose returns are clustered, every box is doubtful for
// a track that radar holds still (hit within heldStillFor, slower than
// heldStillMps): parked cars stand in rows a car length apart, a degree
// or two apart in bearing at 40 m, and a box of the neighbour — its own
// often hidden or missed — pulled the track across, gave it a velocity
// the static returns then no longer fitted, and lost it.
func (t *Tracker) steers(sc *scan, i, j int) bool {
	m := &t.match
	tr := &t.tracks[i]
	placedByRadar := sc.sensor == perception.Camera && tr.Hits[perception.Radar] > 0
	if !placedByRadar {
		return true
	}
	heldStill := t.params.Radar.Fragments && sc.stamp.Sub(tr.LastHit[perception.Radar]) <= heldStillFor && !faster(t.at(i), heldStillMps)
	ambiguous := m.detRival[j] < m.pairCost[i]+rivalMargin || m.trackRival[i] < m.pairCost[i]+rivalMargin
	return !heldStill && !ambiguous
}

// heldStillMps and heldStillFor say when a clustered radar holds a track
// still (see steers): slower than a walker, hit within the last second.
const (
	heldStillMps = 1.0
	heldStillFor = time.Second
)

// update fuses measurement m, innovated in t.innov against track i's
// state at the scan's stamp, into the track: through its IMM or its EKF
// (for a late scan, their out-of-sequence updates).
func (t *Tracker) update(tr *Track, i int, model *kalman.Model, m *kalman.Measurement) {
	switch {
	case tr.turning:
		if !t.failed(tr.imm.UpdateLate(&t.imm, model, m, t.pred.lag[i])) {
			tr.imm.Combined(&tr.Filter)
		}
	case t.pred.lag[i] > 0:
		tr.Filter.UpdateLate(&t.innov, t.pred.lag[i])
	default:
		tr.Filter.Update(&t.innov)
	}
}

// chooseMotion switches a track to the motion model of its most likely
// class. The IMM's turn state (speed and heading) only suits objects that
// move, in a known direction: it takes over above immOnMps once the
// velocity is known within settledMps and hands back below immOffMps.
func (t *Tracker) chooseMotion(tr *Track) {
	const immOnMps, immOffMps, settledMps = 2.0, 1.0, 1.0
	c, _ := tr.steering.Argmax()
	f := &tr.Filter
	speed := math.Hypot(f.X[kalman.VX], f.X[kalman.VY])
	// The heading must be known too: a far object's velocity across the
	// line of sight is mostly azimuth noise at first.
	settled := f.P[kalman.VX][kalman.VX]+f.P[kalman.VY][kalman.VY] < settledMps*settledMps
	want := t.immClass[c] && ((speed > immOnMps && settled) || (tr.turning && speed > immOffMps))
	switch {
	case want && !tr.turning:
		tr.imm = kalman.NewIMM(&tr.Filter, &t.imm)
		tr.turning = true
	case !want && tr.turning:
		tr.turning = false
	}
}
