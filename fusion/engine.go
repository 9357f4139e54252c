package fusion

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// Scan is everything one sensor reported for one capture instant. A scan
// with no detections is still information: the sensor looked and saw
// nothing.
type Scan struct {
	Sensor perception.Sensor
	Stamp  sensors.Time
	Dets   []perception.Detection
}

// EngineConfig configures the engine.
type EngineConfig struct {
	Params Params
	Rig    calib.Rig
	// MaxLatency bounds how long a scan waits for slower sensors: a scan
	// older than now-MaxLatency is fused even if another sensor has not
	// caught up.
	MaxLatency time.Duration
	// SensorTimeout is how long a sensor may stay silent before it stops
	// holding back the watermark.
	SensorTimeout time.Duration
	// RetrodictLate fuses scans that arrive after newer ones were fused
	// into the present states (Tracker.Retrodict) instead of dropping
	// them; both are counted.
	RetrodictLate bool
	// Head judges each track's class and existence for publishing; nil
	// is the Bayesian rule (the tracker's own recursive class and
	// existence, confirmed tracks published).
	Head Head
}

// Engine orders scans by capture stamp and feeds them to the tracker up to
// the watermark: the oldest "latest stamp" among live sensors, so a scan
// from a fast sensor waits until every slower one has reported past it.
// A scan older than what was already fused is dropped and counted.
type Engine struct {
	cfg     EngineConfig
	tracker *Tracker

	pending []pendingScan
	latest  [perception.NumSensors]sensors.Time
	heard   [perception.NumSensors]sensors.Time // arrival time of the latest scan
	// period is each sensor's mean interval between arrivals (an
	// exponential average), for how long its silence holds fusion back.
	period  [perception.NumSensors]time.Duration
	fused   sensors.Time // stamp of the newest fused scan
	newest  sensors.Time // newest stamp of a fused scan that had detections
	arrived sensors.Time // when that scan reached the node
	seq     uint64       // arrival counter, breaks ties between equal stamps

	// DroppedLate counts scans that arrived after newer ones were fused
	// and were dropped; RetrodictedLate those fused late instead.
	DroppedLate     [perception.NumSensors]uint64
	RetrodictedLate [perception.NumSensors]uint64
	// Fused counts scans fused per sensor.
	Fused [perception.NumSensors]uint64
	// unfamiliar counts the track judgements left to the Bayesian rule
	// because the head did not know the track's evidence.
	unfamiliar uint64

	shown map[uint32]bool // ids published by the last Snapshot
	// Scratch for the fusion head.
	evidence Evidence
	probs    perception.ClassProbs
}

type pendingScan struct {
	sensor  perception.Sensor
	stamp   sensors.Time
	arrival sensors.Time
	seq     uint64
	dets    []perception.Detection
}

// NewEngine returns an engine with a fresh tracker.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	t, err := NewTracker(cfg.Params, cfg.Rig)
	if err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, tracker: t}, nil
}

// PushEgo records an ego-motion sample.
func (e *Engine) PushEgo(g Ego) { e.tracker.PushEgo(g) }

// EgoAt returns the ego state at t from the samples pushed so far.
func (e *Engine) EgoAt(t sensors.Time) Ego { return e.tracker.EgoAt(t) }

// Ingest queues a scan that arrived at now. The detections are copied, so
// the caller may reuse s.Dets. Acoustic scans are heard at once instead
// (see Tracker.hear): they change no track's state, only its class.
func (e *Engine) Ingest(s Scan, now sensors.Time) {
	if s.Sensor == perception.Mic {
		// Sound never moves a track, so it need not wait for the
		// watermark, and must not: a window's stamp is its centre, half a
		// second before it can be analysed.
		e.latest[s.Sensor] = max(e.latest[s.Sensor], s.Stamp)
		e.heard[s.Sensor] = now
		e.tracker.hear(s.Stamp, s.Dets)
		return
	}
	if s.Stamp < e.fused {
		if e.cfg.RetrodictLate {
			e.tracker.Process(s.Sensor, s.Stamp, s.Dets)
			e.RetrodictedLate[s.Sensor]++
			return
		}
		e.DroppedLate[s.Sensor]++
		return
	}
	e.latest[s.Sensor] = max(e.latest[s.Sensor], s.Stamp)
	e.notePeriod(s.Sensor, now)
	e.heard[s.Sensor] = now
	n := len(e.pending)
	if n < cap(e.pending) {
		e.pending = e.pending[:n+1]
	} else {
		e.pending = append(e.pending, pendingScan{})
	}
	p := &e.pending[n]
	e.seq++
	p.sensor, p.stamp, p.seq, p.arrival = s.Sensor, s.Stamp, e.seq, now
	p.dets = append(p.dets[:0], s.Dets...)
}

// Watermark returns the stamp up to which scans can be fused at now: the
// oldest newest stamp among the live sensors, so scans are fused in
// capture order. With late scans retrodicted (RetrodictLate) a live radar
// leads instead: nothing waits for the slower camera, whose frames are
// fused into the present when they come, and new objects are tracked
// as soon as the radar sees them.
func (e *Engine) Watermark(now sensors.Time) sensors.Time {
	floor := now.Add(-e.cfg.MaxLatency)
	if e.cfg.RetrodictLate && e.holdsBack(perception.Radar, now) {
		return max(e.latest[perception.Radar], floor)
	}
	w := sensors.Time(0)
	live := false
	for s := range e.latest {
		if !e.holdsBack(perception.Sensor(s), now) || perception.Sensor(s) == perception.Mic {
			continue
		}
		if !live || e.latest[s] < w {
			w = e.latest[s]
		}
		live = true
	}
	if !live || w < floor {
		return floor
	}
	return w
}

// Advance fuses every pending scan up to the watermark at now, in stamp
// order.
func (e *Engine) Advance(now sensors.Time) {
	w := e.Watermark(now)
	slices.SortFunc(e.pending, func(a, b pendingScan) int {
		switch {
		case a.stamp != b.stamp:
			return cmp.Compare(a.stamp, b.stamp)
		case a.sensor != b.sensor:
			return int(a.sensor) - int(b.sensor)
		}
		return cmp.Compare(a.seq, b.seq)
	})
	k := 0
	for k < len(e.pending) && e.pending[k].stamp <= w {
		p := &e.pending[k]
		e.tracker.Process(p.sensor, p.stamp, p.dets)
		e.fused = p.stamp
		if len(p.dets) > 0 {
			e.newest, e.arrived = p.stamp, p.arrival
		}
		e.Fused[p.sensor]++
		k++
	}
	// Tracks that no sensor has hit for too long go even when no scan
	// comes at all (every sensor dead).
	e.tracker.manage(w, false)
	// Move the fused scans behind the pending ones, keeping their buffers.
	for i := k; i < len(e.pending); i++ {
		e.pending[i-k], e.pending[i] = e.pending[i], e.pending[i-k]
	}
	e.pending = e.pending[:len(e.pending)-k]
}

// Reset forgets every track, queued scan and sensor time, as when the
// clock jumps backwards (a bag replayed in a loop). Deleted confirmed
// tracks are reported by the next Snapshot.
func (e *Engine) Reset() {
	e.tracker.Reset()
	for i := range e.pending {
		e.pending[i].dets = e.pending[i].dets[:0]
	}
	e.pending = e.pending[:0]
	e.latest, e.heard = [perception.NumSensors]sensors.Time{}, [perception.NumSensors]sensors.Time{}
	e.period = [perception.NumSensors]time.Duration{}
	e.fused, e.newest, e.arrived = 0, 0, 0
}

// holdPeriods is how many of its mean intervals a sensor may stay silent
// before it stops holding fusion back, when late scans are retrodicted: a
// scan it sends later is fused into the present then, so the others need
// not wait out the whole sensor timeout for a sensor that has died.
const holdPeriods = 3

// holdsBack reports whether fusion waits for sensor s at now: it is not
// silent and, with late scans retrodicted, it has sent something within
// holdPeriods of its mean interval.
func (e *Engine) holdsBack(s perception.Sensor, now sensors.Time) bool {
	if e.Silent(s, now) {
		return false
	}
	p := e.period[s]
	return !e.cfg.RetrodictLate || p == 0 || now.Sub(e.heard[s]) <= holdPeriods*p
}

// notePeriod folds the interval since sensor s's previous scan into its
// mean interval.
func (e *Engine) notePeriod(s perception.Sensor, now sensors.Time) {
	if e.heard[s] == 0 || now < e.heard[s] {
		return
	}
	gap := now.Sub(e.heard[s])
	if e.period[s] == 0 {
		e.period[s] = gap
		return
	}
	e.period[s] += (gap - e.period[s]) / 8
}

// Silent reports whether sensor s has sent nothing for longer than the
// sensor timeout (or never sent anything) at now.
func (e *Engine) Silent(s perception.Sensor, now sensors.Time) bool {
	return e.heard[s] == 0 || now.Sub(e.heard[s]) > e.cfg.SensorTimeout
}

// SensorState reports, for sensor s at now, how old its newest capture
// stamp is (0 if it never reported) and how many of its scans wait for
// the watermark.
func (e *Engine) SensorState(s perception.Sensor, now sensors.Time) (age time.Duration, queued int) {
	if e.latest[s] != 0 {
		age = now.Sub(e.latest[s])
	}
	for i := range e.pending {
		if e.pending[i].sensor == s {
			queued++
		}
	}
	return age, queued
}

// HeadFallbacks counts, since start, the track judgements left to the
// Bayesian rule because the head did not know the track's evidence
// (Head.Familiar).
func (e *Engine) HeadFallbacks() uint64 { return e.unfamiliar }

// Pending returns the number of scans waiting for the watermark.
func (e *Engine) Pending() int { return len(e.pending) }

// TrackState is a track predicted to an output time.
type TrackState struct {
	ID        uint32
	Status    Status
	X         [kalman.N]float64
	P         [kalman.N][kalman.N]float64
	Class     perception.Class
	ClassProb float64
	Probs     perception.ClassProbs
	Existence float64
	Age       time.Duration
	Hits      [perception.NumSensors]uint32
	LastHit   [perception.NumSensors]sensors.Time
	// Why explains the track per sensor (see Track.ClassEvidence).
	Why [perception.NumSensors]SensorEvidence
	// Evidence is what the fusion head judged the class and existence
	// from.
	Evidence Evidence
}

// SensorEvidence is how much one sensor moved a track's belief: the
// log-odds of the track's class (against the other classes, on average)
// and of its existence. (Its hits and their last stamp are in Hits and
// LastHit.)
type SensorEvidence struct {
	ClassLogOdds, ExistenceLogOdds float64
}

// Output is what one cycle publishes. Its slices are reused by Snapshot.
type Output struct {
	Stamp sensors.Time
	// Newest is the capture stamp of the newest detection fused, Arrived
	// when its scan reached the node: the latency to publishing splits
	// into the sensor's delivery (Arrived − Newest) and the node's part.
	Newest, Arrived sensors.Time
	// Tracks are the published tracks.
	Tracks []TrackState
	// Held are the tracks not published: tentative, judged unlikely to
	// exist, or placed too vaguely.
	Held []TrackState
	// Deleted lists the ids published before that are gone: deleted, or
	// no longer published.
	Deleted []uint32
	Ego     Ego
	// Heard lists recent sirens and horns that no track explains.
	Heard []AcousticHypothesis
}

// Snapshot predicts every track to now, without changing the tracks,
// judges each with the fusion head and fills out. With the Bayesian head
// (no EngineConfig.Head) the confirmed tracks are published, with their
// recursive class and existence; a learned head decides instead, for
// tentative tracks too, by its existence probability against
// Params.PublishExistence. A track placed worse than
// Params.PublishMaxStdM is held back unjudged.
func (e *Engine) Snapshot(now sensors.Time, out *Output) {
	out.Stamp = now
	out.Newest, out.Arrived = e.newest, e.arrived
	out.Tracks, out.Held = out.Tracks[:0], out.Held[:0]
	out.Deleted = e.tracker.DrainDeleted(out.Deleted[:0])
	out.Ego = e.tracker.EgoAt(now)
	out.Heard = append(out.Heard[:0], e.tracker.Heard()...)
	p := &e.cfg.Params
	for i := range e.tracker.tracks {
		tr := &e.tracker.tracks[i]
		f := tr.Filter
		if now > tr.Stamp {
			imm := tr.imm // predicted on copies: the track stays at its stamp
			e.tracker.predictState(&f, &imm, tr.turning, now.Sub(tr.Stamp).Seconds())
		}
		ts := TrackState{
			ID: tr.ID, Status: tr.Status, X: f.X, P: f.P, Probs: tr.Class,
			Existence: tr.Existence, Age: now.Sub(tr.Born), Hits: tr.Hits, LastHit: tr.LastHit,
		}
		// The head gets the engine's own buffers: a pointer into ts
		// passed through the interface would move ts to the heap.
		tr.evidence(&e.evidence, &f, now, out.Ego)
		ts.Evidence = e.evidence
		// A track placed too loosely is held back whatever the head would
		// say, so it is not judged (it keeps the tracker's own beliefs).
		placed := positionStd(&f) <= p.PublishMaxStdM
		publish := tr.Status == Confirmed && placed && !tr.onStructure
		judged := false
		if e.cfg.Head != nil && placed {
			if judged = e.cfg.Head.Familiar(&e.evidence); !judged {
				e.unfamiliar++
			}
		}
		if judged {
			e.probs = tr.Class
			ts.Existence = e.cfg.Head.Judge(&e.evidence, &e.probs)
			ts.Probs = e.probs
			publish = ts.Existence >= p.PublishExistence && !tr.onStructure
		}
		ts.Class, ts.ClassProb = ts.Probs.Argmax()
		for s := range ts.Why {
			ev := &tr.ClassEvidence[s]
			others := 0.0
			for k := range ev {
				if perception.Class(k) != ts.Class {
					others += ev[k] / float64(perception.NumClasses-1)
				}
			}
			ts.Why[s] = SensorEvidence{ClassLogOdds: ev[ts.Class] - others, ExistenceLogOdds: tr.ExistenceEvidence[s]}
		}
		if publish {
			out.Tracks = append(out.Tracks, ts)
		} else {
			out.Held = append(out.Held, ts)
		}
	}
	e.withdraw(out)
}

// withdraw adds to out.Deleted the tracks published last cycle that are
// alive but no longer published, and remembers what is published now.
func (e *Engine) withdraw(out *Output) {
	if e.shown == nil {
		e.shown = map[uint32]bool{}
	}
	for i := range out.Held {
		if e.shown[out.Held[i].ID] {
			out.Deleted = append(out.Deleted, out.Held[i].ID)
		}
	}
	clear(e.shown)
	for i := range out.Tracks {
		e.shown[out.Tracks[i].ID] = true
	}
}

// positionStd is the standard deviation of a filter's position along its
// least certain direction (the larger eigenvalue of the 2×2 block).
func positionStd(f *kalman.Filter) float64 {
	a, b, c := f.P[kalman.PX][kalman.PX], f.P[kalman.PX][kalman.PY], f.P[kalman.PY][kalman.PY]
	return math.Sqrt((a+c)/2 + math.Sqrt((a-c)*(a-c)/4+b*b))
}
