package sim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/pipeline"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
	"github.com/avfusion/avfusion/sim/eval"
)

// Sink receives each cycle's output and the diagnostics (see pipeline.Sink).
type Sink = pipeline.Sink

// RadarPointsSink is a Sink that also publishes the radar's point clouds
// (the ROS node does, on radar/points, when the radar is emulated).
type RadarPointsSink interface {
	PublishRadarPoints(stamp sensors.Time, pts []radar.Point)
}

// Recorder receives a run's raw sensor streams and ground truth, each at
// the time it reaches the node (ros/record writes them to a bag).
type Recorder interface {
	RadarPoints(stamp, arrival sensors.Time, pts []radar.Point) error
	CameraBoxes(stamp, arrival sensors.Time, dets []perception.Detection) error
	// CameraImage records a rendered camera frame, JPEG-compressed.
	CameraImage(stamp, arrival sensors.Time, jpeg []byte) error
	// Audio records a stretch of the microphone array's sound (16 kHz,
	// one slice per channel) whose first sample was captured at stamp.
	Audio(stamp, arrival sensors.Time, array calib.MicArray, channels [][]float64) error
	Ego(e fusion.Ego) error
	Truth(stamp sensors.Time, truth []Truth) error
}

// CameraImager turns camera frame k of a world into detections through
// images: it renders the frame, runs a detector on it and projects the
// boxes (sim/render has one). Recorder, when not nil, also gets the image.
type CameraImager interface {
	CameraFrame(dst []perception.Detection, w *World, k int, rec Recorder, arrival sensors.Time) ([]perception.Detection, error)
}

// RunConfig configures a simulated run of the node.
type RunConfig struct {
	Scenario *Scenario
	// Node is the node's configuration. The scenario overrides what it
	// declares of each sensor (field of view, range, detection
	// probability) and the rig's lens; the fusion engine is built from the
	// rest as the live node builds it (pipeline.NewEngine).
	Node config.Config
	// Duration overrides the scenario's duration when positive.
	Duration time.Duration
	// Realtime paces the run on the wall clock; otherwise it runs as fast
	// as possible on a virtual clock starting at Start.
	Realtime bool
	Start    sensors.Time
	Sink     Sink
	// Radar selects object-level or emulated TI radar detections (default
	// RadarObjects); RadarConfig is the TI .cfg uploaded to the emulated
	// radar (launch.ReadTIConfig reads one; its frame period is set to the
	// scenario's radar rate), clustered as Node.RadarPerception says.
	Radar       RadarMode
	RadarConfig []mmwave.ConfigLine
	// ConfigLimits makes the TI path follow the configuration's chirps
	// (mmwave.DeriveLimits): the virtual radar reports nothing beyond
	// their range and wraps every Doppler into their unambiguous
	// velocity, and the node takes that velocity unless its own is set
	// (pipeline.TakeTILimits). Off, the radar reports what the
	// scenario's radar model sees, as the fusion head was trained.
	ConfigLimits bool
	// Breakdown counts the run's misses and false positives by kind of
	// object (class, moving or static, range from the ego: kindOf), in
	// Result.Tracking's MissesByKind and FalsePositivesByKind.
	Breakdown bool
	// Recorder, when set, records the raw streams (sim --bag).
	Recorder Recorder
	// Imager, when set, makes camera detections from rendered images
	// instead of the object-level camera model.
	Imager CameraImager
	// Without silences sensors of the scenario for an ablation: their
	// data never reach the tracker, but the ground truth is still the
	// objects the whole sensor set covers, so runs compare.
	Without []perception.Sensor
	// Observe, when set, is called after every cycle with the ground
	// truth the cycle was scored against, its output and its latency (ms,
	// NaN when nothing was fused yet).
	Observe func(now sensors.Time, truth []Truth, out *fusion.Output, latencyMs float64)
	// Label, when set, is called after every cycle for every track inside
	// the scored region, published or held back, with the class of the
	// true object it matches (nearest first, one to one, within
	// Node.MatchDistanceM) or ok false when it matches none: training data
	// for a fusion head. Through the clustered TI radar, an unmatched
	// track on the footprint of a true object no track matched (a
	// fragment) is left out.
	Label func(ts *fusion.TrackState, class perception.Class, ok bool)
	// Status, when set, is called about once a second of run time.
	Status func(Status)
	Logger *zap.Logger
}

// Status is the live state of a run.
type Status struct {
	Elapsed   time.Duration
	Tracks    int
	CycleHz   float64
	LatencyMs float64
	// OverBudget counts the cycles over the latency budget so far.
	OverBudget int
}

// Result summarises a run.
type Result struct {
	Cycles         int
	Tracking       eval.Metrics
	LatencyMs      fusion.Percentiles // capture stamp of the newest fused detection → publish
	CycleMs        fusion.Percentiles // wall time a cycle took
	DeadlineMisses int
	// DeliveryMs and NodeMs split the latency: capture to arrival at the
	// node, and arrival to publish. OverBudget counts the cycles over the
	// latency budget.
	DeliveryMs, NodeMs fusion.Percentiles
	OverBudget         int
	PublishErrors      int
	DroppedLate        uint64
	// HeapStartMB and HeapEndMB are the live heap after a collection a
	// tenth into the run and at its end.
	HeapStartMB, HeapEndMB float64
	// ClassAccuracy is the fraction of (cycle, object) pairs, over the
	// objects a confirmed track matched, whose track had the object's
	// class; FinalClass is the class of each actor's track the last time
	// one matched it.
	ClassAccuracy float64
	FinalClass    map[int]perception.Class
	// FinalTrack is the track that last matched each actor, with its
	// explanation (hits and evidence per sensor).
	FinalTrack map[int]fusion.TrackState
	// Warnings name what the scenario asks of the virtual TI radar that
	// its configuration cannot see (see BeyondTIConfig); Overlaps the
	// actors that pass through each other (see Overlaps).
	Warnings, Overlaps []string
}

// run is one simulated run: the world, the node's pipeline on it, and
// the scoring that observes the pipeline's output.
type run struct {
	cfg      *RunConfig
	log      *zap.Logger
	world    *World
	clock    sensors.Clock
	virtual  *sensors.VirtualClock
	start    sensors.Time
	pipe     *pipeline.Pipeline
	feed     *feed
	score    *scoring
	res      *Result
	duration time.Duration
}

// Run simulates the scenario's sensors, runs the node's pipeline on them
// cycle by cycle, scores the confirmed tracks against the ground truth
// and hands each cycle's output to the sink.
func Run(ctx context.Context, cfg RunConfig) (*Result, error) {
	r, err := newRun(&cfg)
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.feed.close(r.log) }() // logged
	period := time.Duration(float64(time.Second) / cfg.Node.OutputHz)
	end := r.start.Add(r.duration)
	heapAt := r.start.Add(r.duration / 10)
	r.pipe.Engine().PushEgo(r.world.Ego(r.start))
	for now := r.nextCycle(r.start, period); now <= end; now = r.nextCycle(now, period) {
		if cfg.Realtime {
			if err := sleepUntil(ctx, r.clock, now); err != nil {
				return r.res, err
			}
		} else if err := ctx.Err(); err != nil {
			return r.res, err
		}
		if err := r.cycle(ctx, now); err != nil {
			return r.res, err
		}
		if r.res.HeapStartMB == 0 && now >= heapAt {
			// The heap after a collection, early (after warm-up) and at the
			// end: a soak run shows whether it grows.
			r.res.HeapStartMB = liveHeapMB()
		}
	}
	r.res.HeapEndMB = liveHeapMB()
	r.finish()
	return r.res, nil
}

// nextCycle is when the cycle after the one at last runs: a period
// later, or, with cycle_on_scan, as soon as the leading sensor's next scan
// has arrived, so that what it saw is published at once, and a period
// after last at the latest (output_hz is then the minimum rate: tracks
// are predicted to the publish time when nothing arrives).
func (r *run) nextCycle(last sensors.Time, period time.Duration) sensors.Time {
	// A scan due within a millisecond of the period's end is waited for:
	// no cycle a hair before it publishes nothing new.
	const tolerance = time.Millisecond
	next := last.Add(period)
	if !r.cfg.Node.CycleOnScan {
		return next
	}
	if lead := r.feed.leadArrival(); lead > last && lead <= next.Add(tolerance) {
		next = lead
	}
	return next
}

func newRun(cfg *RunConfig) (*run, error) {
	sc := cfg.Scenario
	if err := cfg.Node.Validate(); err != nil {
		return nil, fmt.Errorf("sim: config: %w", err)
	}
	r := &run{cfg: cfg, log: cfg.Logger, duration: sc.Duration, res: &Result{}}
	if r.log == nil {
		r.log = zap.NewNop()
	}
	if cfg.Radar == RadarTI && sc.Radar != nil && cfg.ConfigLimits {
		// The clustering and the tracker take the chirps' unambiguous
		// velocity; BeyondTIConfig says below when it cannot be told.
		_, _, _ = pipeline.TakeTILimits(&cfg.Node, cfg.RadarConfig)
	}
	if cfg.Duration > 0 {
		r.duration = cfg.Duration
	}
	// The run's clock: the wall clock in real time, otherwise a virtual
	// clock that jumps from cycle to cycle.
	r.virtual = sensors.NewVirtualClock(cfg.Start)
	r.clock = r.virtual
	if cfg.Realtime {
		r.clock = sensors.WallClock{}
	}
	r.start = r.clock.Now()
	r.world = NewWorld(sc, cfg.Node.Rig, r.start)
	node := cfg.Node
	node.Tracker, node.Rig = ScenarioParams(sc, node.Tracker), r.world.Rig()
	engine, err := pipeline.NewEngine(&node, cfg.Radar == RadarTI)
	if err != nil {
		return nil, err
	}
	if r.feed, err = newFeed(r.world, cfg); err != nil {
		return nil, err
	}
	r.res.Overlaps = Overlaps(sc, r.duration)
	if cfg.Radar == RadarTI && sc.Radar != nil {
		r.res.Warnings = BeyondTIConfig(sc, cfg.RadarConfig)
	}
	for _, w := range slices.Concat(r.res.Overlaps, r.res.Warnings) {
		r.log.Warn(w)
	}
	r.pipe, err = pipeline.New(pipeline.Config{Engine: engine, Sink: cfg.Sink, Clock: r.clock, Deadline: node.Deadline, LatencyBudget: node.LatencyBudget,
		Sensors: r.feed.live(), WallRates: cfg.Realtime, FirstDiagnostics: r.start.Add(time.Second), Logger: r.log}, r.start)
	if err != nil {
		return nil, errors.Join(err, r.feed.close(r.log))
	}
	r.score = newScoring(node.MatchDistanceM)
	return r, nil
}

// cycle runs the node's cycle at now on the sensor data that has arrived,
// then scores and reports it.
func (r *run) cycle(ctx context.Context, now sensors.Time) error {
	cfg := r.cfg
	r.virtual.Set(now)
	ego := r.world.Ego(now)
	if cfg.Recorder != nil {
		if err := cfg.Recorder.Ego(ego); err != nil {
			return err
		}
	}
	rep, err := r.pipe.Cycle(now, func(e *fusion.Engine) error {
		e.PushEgo(ego)
		err := r.feed.deliver(ctx, e, now)
		r.pipe.Exclude(r.feed.simCost)
		r.feed.simCost = 0
		return err
	})
	if err != nil {
		return err
	}
	truth, err := r.score.update(r.world, rep.Out, now, cfg)
	if err != nil {
		return err
	}
	if cfg.Observe != nil {
		cfg.Observe(now, truth, rep.Out, rep.LatencyMs)
	}
	r.res.Cycles++
	if d := rep.Diagnostics; d != nil && cfg.Status != nil {
		cfg.Status(Status{Elapsed: now.Sub(r.start), Tracks: len(rep.Out.Tracks), CycleHz: d.CycleHz, LatencyMs: d.LatencyMs.P50, OverBudget: d.TotalOverBudget})
	}
	return nil
}

// finish fills in the result's totals.
func (r *run) finish() {
	res, stats := r.res, r.pipe.Stats()
	res.Tracking = r.score.acc.Metrics()
	res.ClassAccuracy, res.FinalClass, res.FinalTrack = r.score.classes.accuracy(), r.score.classes.final, r.score.classes.track
	res.LatencyMs = stats.Latency.Percentiles()
	res.CycleMs = stats.Cycle.Percentiles()
	res.DeadlineMisses = stats.Misses
	res.DeliveryMs, res.NodeMs, res.OverBudget = stats.Delivery.Percentiles(), stats.Node.Percentiles(), stats.OverBudget
	res.PublishErrors, _ = r.pipe.PublishErrors()
	for _, n := range r.pipe.Engine().DroppedLate {
		res.DroppedLate += n
	}
}

// liveHeapMB is the live heap after a collection.
func liveHeapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// scoring observes a run's output: MOT metrics, class accuracy and,
// optionally, training labels.
type scoring struct {
	within  float64
	acc     *eval.Accumulator
	classes classScore
	labels  labeller
	truth   []Truth
	gt, hyp []eval.Object
}

// kinds names each kind of object the breakdown tells apart: class,
// moving or static (below 0.3 m/s over the ground), and range band from
// the ego (nearer than 30 m, 30–60 m, 60 m and beyond).
var kinds = func() (k [perception.NumClasses][2][3]string) {
	for c := range k {
		for m, motion := range [2]string{"static", "moving"} {
			for b, band := range [3]string{"<30 m", "30-60 m", ">=60 m"} {
				k[c][m][b] = fmt.Sprintf("%s %s %s", perception.Class(c), motion, band)
			}
		}
	}
	return k
}()

// kindOf is the kind of an object of class c at (x, y) moving at (vx,
// vy) over the ground, seen from ego.
func kindOf(c perception.Class, x, y, vx, vy float64, ego fusion.Ego) string {
	m, b := 0, 0
	if math.Hypot(vx, vy) >= 0.3 {
		m = 1
	}
	switch rng := math.Hypot(x-ego.X, y-ego.Y); {
	case rng >= 60:
		b = 2
	case rng >= 30:
		b = 1
	}
	return kinds[c][m][b]
}

func newScoring(within float64) *scoring {
	return &scoring{within: within, acc: eval.NewAccumulator(eval.GroundDistance(within)),
		classes: classScore{final: map[int]perception.Class{}, track: map[int]fusion.TrackState{}}}
}

// update scores one cycle's output against the truth at now (recorded
// when the run records) and returns that truth.
func (s *scoring) update(world *World, out *fusion.Output, now sensors.Time, cfg *RunConfig) ([]Truth, error) {
	s.truth = world.Truth(s.truth[:0], now)
	if cfg.Recorder != nil {
		if err := cfg.Recorder.Truth(now, s.truth); err != nil {
			return nil, err
		}
	}
	s.gt, s.hyp = s.gt[:0], s.hyp[:0]
	for _, t := range s.truth {
		o := eval.Object{ID: t.ID, X: t.X, Y: t.Y}
		if cfg.Breakdown {
			o.Kind = kindOf(t.Class, t.X, t.Y, t.VX, t.VY, out.Ego)
		}
		s.gt = append(s.gt, o)
	}
	// Tracks coasting outside every sensor's view are kept and published
	// but, like the truth there, not scored.
	for i := range out.Tracks {
		tr := &out.Tracks[i]
		if world.InCoverage(out.Ego, tr.X[0], tr.X[1]) {
			o := eval.Object{ID: int(tr.ID), X: tr.X[0], Y: tr.X[1]}
			if cfg.Breakdown {
				o.Kind = kindOf(tr.Class, tr.X[0], tr.X[1], tr.X[2], tr.X[3], out.Ego)
			}
			s.hyp = append(s.hyp, o)
		}
	}
	s.acc.Update(s.gt, s.hyp)
	if cfg.Label != nil {
		s.labels.label(cfg.Label, world, out, s.truth, s.within, cfg.Radar == RadarTI)
	}
	s.classes.update(s.truth, out.Tracks, s.within)
	return s.truth, nil
}

// classScore counts how often the track on an object has its class.
type classScore struct {
	right, total int
	final        map[int]perception.Class
	track        map[int]fusion.TrackState
	used         []bool
}

// update matches each object to the nearest unused confirmed track
// within maxDist (nearest pairs first would be exact; objects are far
// enough apart that greedy in truth order is the same here).
func (c *classScore) update(truth []Truth, tracks []fusion.TrackState, maxDist float64) {
	c.used = c.used[:0]
	for range tracks {
		c.used = append(c.used, false)
	}
	for _, t := range truth {
		best, bestD := -1, maxDist
		for i := range tracks {
			if d := math.Hypot(tracks[i].X[0]-t.X, tracks[i].X[1]-t.Y); !c.used[i] && d <= bestD {
				best, bestD = i, d
			}
		}
		if best < 0 {
			continue
		}
		c.used[best] = true
		c.total++
		if tracks[best].Class == t.Class {
			c.right++
		}
		c.final[t.ID] = tracks[best].Class
		c.track[t.ID] = tracks[best]
	}
}

func (c *classScore) accuracy() float64 {
	if c.total == 0 {
		return 0
	}
	return float64(c.right) / float64(c.total)
}

func sleepUntil(ctx context.Context, clock sensors.Clock, t sensors.Time) error {
	d := t.Sub(clock.Now())
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// feed delivers each sensor's scans to the engine when they would arrive:
// capture stamp plus the sensor's latency. Slower sensors therefore arrive
// out of capture order, as on a real vehicle.
type feed struct {
	world           *World
	radar           radarSource
	realtime        bool
	onScan          bool // cycles run on each radar scan (config cycle_on_scan)
	radarK, cameraK int
	micK            int
	acoustic        *acoustic.Detector // nil without a microphone array
	cameraDets      []perception.Detection
	micDets         [1]perception.Detection
	scans           []radarScan
	rec             Recorder
	points          RadarPointsSink // publishes emulated radar clouds, or nil
	imager          CameraImager    // renders and detects camera frames, or nil
	silent          [perception.NumSensors]bool
	// simCost is the wall time spent inside the current cycle on work
	// that is not the fusion loop's (rendering sound, the acoustic
	// detector), which the cycle time leaves out.
	simCost time.Duration
}

// quiet reports whether sensor s sends nothing at capture time t: it is
// silenced for an ablation or has died (the scenario's fail_at).
func (f *feed) quiet(s perception.Sensor, t sensors.Time) bool {
	if f.silent[s] {
		return true
	}
	var failAt time.Duration
	switch sc := f.world.sc; {
	case s == perception.Radar && sc.Radar != nil:
		failAt = sc.Radar.FailAt
	case s == perception.Camera && sc.Camera != nil:
		failAt = sc.Camera.FailAt
	}
	return failAt > 0 && t.Sub(f.world.start) >= failAt
}

func (f *feed) deliver(ctx context.Context, e *fusion.Engine, now sensors.Time) error {
	sc := f.world.sc
	for {
		var rArr, cArr, mArr sensors.Time = math.MaxInt64, math.MaxInt64, math.MaxInt64
		if sc.Radar != nil {
			rArr = f.world.RadarStamp(f.radarK).Add(sc.Radar.Latency)
		}
		if sc.Camera != nil {
			cArr = f.world.CameraStamp(f.cameraK).Add(sc.Camera.Latency)
		}
		if f.acoustic != nil {
			mArr = f.world.MicArrival(f.micK)
		}
		switch {
		case f.silent[perception.Mic] && mArr < rArr && mArr < cArr && mArr <= now:
			f.micK++
		case cArr < rArr && cArr <= now && f.quiet(perception.Camera, f.world.CameraStamp(f.cameraK)):
			f.cameraK++
		case rArr <= cArr && rArr <= now && f.quiet(perception.Radar, f.world.RadarStamp(f.radarK)):
			f.radarK++
		case mArr < rArr && mArr < cArr && mArr <= now:
			if err := f.deliverSound(e, mArr); err != nil {
				return err
			}
		case rArr <= cArr && rArr <= now:
			f.radar.emit(ctx, f.radarK)
			f.radarK++
			switch {
			case !f.realtime:
				// Virtual time: the frame is in when it is due.
				f.scans = f.radar.collect(f.scans[:0], true)
				if err := f.ingestScans(e, rArr); err != nil {
					return err
				}
			case f.onScan:
				// This cycle is for this scan: wait for it to come through
				// the serial link and the driver. The wait is the sensor's
				// delivery, not the node's work.
				began := time.Now()
				f.scans = f.radar.collect(f.scans[:0], true)
				f.simCost += time.Since(began)
				if err := f.ingestScans(e, sensors.WallClock{}.Now()); err != nil {
					return err
				}
			}
		case cArr < rArr && cArr <= now:
			if err := f.deliverCamera(e, cArr); err != nil {
				return err
			}
		default:
			if f.realtime {
				f.scans = f.radar.collect(f.scans[:0], false)
				return f.ingestScans(e, now)
			}
			return nil
		}
	}
}

// deliverSound renders the next microphone window, runs the acoustic
// detector on it and hands the engine what it heard at arrival.
func (f *feed) deliverSound(e *fusion.Engine, arrival sensors.Time) error {
	stamp := f.world.MicStamp(f.micK)
	// Rendering the sound is the world's work, and the acoustic detector
	// runs beside the fusion loop in the node (on the audio callback), so
	// neither counts towards the cycle.
	rendering := time.Now()
	window := f.world.MicWindow(f.micK)
	if f.rec != nil {
		if err := f.recordAudio(window, arrival); err != nil {
			return err
		}
	}
	det, _, ok := f.acoustic.Detect(window, stamp)
	f.simCost += time.Since(rendering)
	dets := f.micDets[:0]
	if ok {
		f.micDets[0] = det
		dets = f.micDets[:1]
	}
	e.Ingest(fusion.Scan{Sensor: perception.Mic, Stamp: stamp, Dets: dets}, arrival)
	f.micK++
	return nil
}

// deliverCamera hands the engine the next camera frame's detections at
// arrival: from rendered images through a detector, or the object-level
// camera model.
func (f *feed) deliverCamera(e *fusion.Engine, arrival sensors.Time) error {
	stamp := f.world.CameraStamp(f.cameraK)
	if f.imager != nil {
		var err error
		if f.cameraDets, err = f.imager.CameraFrame(f.cameraDets[:0], f.world, f.cameraK, f.rec, arrival); err != nil {
			return fmt.Errorf("sim: camera frame %d: %w", f.cameraK, err)
		}
	} else {
		f.cameraDets = f.world.CameraScan(f.cameraDets[:0], f.cameraK)
		if f.rec != nil {
			if err := f.rec.CameraBoxes(stamp, arrival, f.cameraDets); err != nil {
				return err
			}
		}
	}
	e.Ingest(fusion.Scan{Sensor: perception.Camera, Stamp: stamp, Dets: f.cameraDets}, arrival)
	f.cameraK++
	return nil
}

// recordAudio records the sound that window micK adds to the ones before
// it: the whole first window, then the newest half second of each, so the
// recording is continuous.
func (f *feed) recordAudio(window [][]float64, arrival sensors.Time) error {
	from := 0
	if f.micK > 0 {
		from = acoustic.WindowSamples - int(MicWindowHop.Seconds()*acoustic.SampleRate)
	}
	chunk := make([][]float64, len(window))
	for c := range window {
		chunk[c] = window[c][from:]
	}
	stamp := f.world.micStart(f.micK).Add(time.Duration(float64(from) / acoustic.SampleRate * 1e9))
	return f.rec.Audio(stamp, arrival, MicArrayOf(f.world.sc.Mic), chunk)
}

// ingestScans hands the engine the radar scans collected in f.scans,
// arrived at arrival.
func (f *feed) ingestScans(e *fusion.Engine, arrival sensors.Time) error {
	for _, s := range f.scans {
		if s.err != nil {
			return fmt.Errorf("sim: radar frame %d: %w", s.k, s.err)
		}
		e.Ingest(fusion.Scan{Sensor: perception.Radar, Stamp: s.stamp, Dets: s.dets}, arrival)
		if f.points != nil {
			f.points.PublishRadarPoints(s.stamp, s.points)
		}
		if f.rec != nil {
			if err := f.rec.RadarPoints(s.stamp, arrival, s.points); err != nil {
				return err
			}
		}
	}
	return nil
}

// newFeed returns the feed of a run's sensors: its radar started, its
// microphone array's detector built.
func newFeed(world *World, cfg *RunConfig) (*feed, error) {
	sc := world.sc
	f := &feed{world: world, realtime: cfg.Realtime, onScan: cfg.Node.CycleOnScan, rec: cfg.Recorder, imager: cfg.Imager}
	for _, s := range cfg.Without {
		f.silent[s] = true
	}
	var err error
	if sc.Mic != nil {
		hearing := acoustic.NewHearing(MicWindowHop.Seconds(), cfg.Node.Mic.SirenConfirmS)
		if f.acoustic, err = acoustic.NewDetector(MicArrayOf(sc.Mic), hearing); err != nil {
			return nil, fmt.Errorf("sim: microphone array: %w", err)
		}
	}
	if cfg.Radar == RadarTI {
		f.points, _ = cfg.Sink.(RadarPointsSink)
	}
	if sc.Radar != nil {
		if f.radar, err = newRadarSource(world, cfg); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// leadArrival is when the leading sensor's next scan reaches the node:
// the radar's while it reports, else the camera's (0 with neither).
func (f *feed) leadArrival() sensors.Time {
	sc := f.world.sc
	if sc.Radar != nil && !f.quiet(perception.Radar, f.world.RadarStamp(f.radarK)) {
		return f.world.RadarStamp(f.radarK).Add(sc.Radar.Latency)
	}
	if sc.Camera != nil && !f.quiet(perception.Camera, f.world.CameraStamp(f.cameraK)) {
		return f.world.CameraStamp(f.cameraK).Add(sc.Camera.Latency)
	}
	return 0
}

// live lists the sensors that report, for the diagnostics.
func (f *feed) live() []perception.Sensor {
	sc := f.world.sc
	var live []perception.Sensor
	for s, present := range map[perception.Sensor]bool{perception.Radar: sc.Radar != nil, perception.Camera: sc.Camera != nil, perception.Mic: sc.Mic != nil} {
		if present && !f.silent[s] {
			live = append(live, s)
		}
	}
	slices.Sort(live)
	return live
}

// close stops the radar source, logging a failure, and returns it.
func (f *feed) close(log *zap.Logger) error {
	if f.radar == nil {
		return nil
	}
	err := f.radar.close()
	if err != nil {
		log.Warn("closing the radar", zap.Error(err))
	}
	return err
}

func newRadarSource(world *World, cfg *RunConfig) (radarSource, error) {
	switch cfg.Radar {
	case RadarObjects, "":
		return &objectRadar{world: world}, nil
	case RadarTI:
		baud := 0
		if cfg.Realtime {
			baud = mmwave.DataBaud
		}
		return newTIRadar(world, cfg.RadarConfig, cfg.Node.RadarPerception, baud, cfg.ConfigLimits)
	}
	return nil, fmt.Errorf("sim: unknown radar mode %q", cfg.Radar)
}

// labeller matches every scored track to the truth for RunConfig.Label.
type labeller struct {
	tracks  []*fusion.TrackState
	pairs   []labelPair
	class   []perception.Class // per track
	matched []bool             // per track
	taken   []bool             // per true object
}

type labelPair struct {
	track, truth int
	d            float64
}

func (l *labeller) label(fn func(*fusion.TrackState, perception.Class, bool), world *World, out *fusion.Output, truth []Truth, within float64, fragments bool) {
	l.tracks = l.tracks[:0]
	for _, set := range [][]fusion.TrackState{out.Tracks, out.Held} {
		for i := range set {
			if world.InCoverage(out.Ego, set[i].X[0], set[i].X[1]) {
				l.tracks = append(l.tracks, &set[i])
			}
		}
	}
	l.pairs = l.pairs[:0]
	for i, tr := range l.tracks {
		for j := range truth {
			if d := math.Hypot(tr.X[0]-truth[j].X, tr.X[1]-truth[j].Y); d <= within {
				l.pairs = append(l.pairs, labelPair{i, j, d})
			}
		}
	}
	slices.SortFunc(l.pairs, func(a, b labelPair) int { return cmp.Compare(a.d, b.d) })
	l.class = slices.Grow(l.class[:0], len(l.tracks))[:len(l.tracks)]
	l.matched = slices.Grow(l.matched[:0], len(l.tracks))[:len(l.tracks)]
	l.taken = slices.Grow(l.taken[:0], len(truth))[:len(truth)]
	clear(l.class)
	clear(l.matched)
	clear(l.taken)
	class, matched, taken := l.class, l.matched, l.taken
	for _, p := range l.pairs {
		if !matched[p.track] && !taken[p.truth] {
			matched[p.track], taken[p.truth] = true, true
			class[p.track] = truth[p.truth].Class
		}
	}
	for i, tr := range l.tracks {
		if matched[i] || !fragments || !onUntrackedObject(tr, truth, taken, within) {
			fn(tr, class[i], matched[i])
		}
	}
}

// onUntrackedObject reports whether a track lies on the footprint of a
// true object no track matched (within half its class's typical length,
// plus the match distance, of its centre): through a clustered radar, a
// fragment of a real object, which is neither that object nor nothing.
// Taught that such tracks are false, a head withholds the long objects
// the clusters break into pieces. On an object another track matched, a
// second track is a duplicate, scored as a false positive, and labelled
// so.
func onUntrackedObject(tr *fusion.TrackState, truth []Truth, taken []bool, within float64) bool {
	for j := range truth {
		reach := perception.TypicalSize(truth[j].Class)[0]/2 + within
		if !taken[j] && math.Hypot(tr.X[0]-truth[j].X, tr.X[1]-truth[j].Y) <= reach {
			return true
		}
	}
	return false
}
