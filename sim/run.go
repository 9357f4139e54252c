package sim

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
	"github.com/avfusion/avfusion/sim/eval"
	"go.uber.org/zap"
)

// Sink receives each cycle's output and the diagnostics (see fusion.Sink).
type Sink = fusion.Sink

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
	Engine   fusion.EngineConfig
	// OutputHz is the publish rate; Deadline the time a cycle may take.
	OutputHz float64
	Deadline time.Duration
	// Duration overrides the scenario's duration when positive.
	Duration time.Duration
	// Realtime paces the run on the wall clock; otherwise it runs as fast
	// as possible on a virtual clock starting at Start.
	Realtime bool
	Start    sensors.Time
	// MatchDistanceM is the ground-plane distance within which a track
	// matches a true object.
	MatchDistanceM float64
	Sink           Sink
	// Radar selects object-level or emulated TI radar detections (default
	// RadarObjects); RadarConfig is the TI .cfg uploaded to the emulated
	// radar (launch.ReadTIConfig reads one; its frame period is set to the
	// scenario's radar rate) and
	// RadarPerception tunes its clustering.
	Radar           RadarMode
	RadarConfig     []mmwave.ConfigLine
	RadarPerception radar.Params
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
	// MatchDistanceM) or ok false when it matches none: training data for
	// a fusion head.
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
}

// Result summarises a run.
type Result struct {
	Cycles         int
	Tracking       eval.Metrics
	LatencyMs      fusion.Percentiles // capture stamp of the newest fused detection → publish
	CycleMs        fusion.Percentiles // wall time a cycle took
	DeadlineMisses int
	PublishErrors  int
	DroppedLate    uint64
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
}

// Run simulates the scenario's sensors, fuses them cycle by cycle, scores
// the confirmed tracks against the ground truth and hands each cycle's
// output to the sink.
func Run(ctx context.Context, cfg RunConfig) (*Result, error) {
	sc := cfg.Scenario
	if !(cfg.OutputHz > 0) {
		return nil, fmt.Errorf("sim: output rate must be positive, got %g", cfg.OutputHz)
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	duration := sc.Duration
	if cfg.Duration > 0 {
		duration = cfg.Duration
	}
	// The run's clock: the wall clock in real time, otherwise a virtual
	// clock that jumps from cycle to cycle.
	var clock sensors.Clock
	virtual := sensors.NewVirtualClock(cfg.Start)
	clock = virtual
	if cfg.Realtime {
		clock = sensors.WallClock{}
	}
	start := clock.Now()
	world := NewWorld(sc, cfg.Engine.Rig, start)
	ecfg := cfg.Engine
	ecfg.Rig = world.Rig()
	if cfg.Radar == RadarTI {
		ecfg.Params = ecfg.Params.WithClusteredRadar(cfg.RadarPerception.StaticToleranceMps)
	}
	engine, err := fusion.NewEngine(ecfg)
	if err != nil {
		return nil, err
	}
	period := time.Duration(float64(time.Second) / cfg.OutputHz)
	cycles := int(duration / period)

	feed := &feed{world: world, realtime: cfg.Realtime, rec: cfg.Recorder, imager: cfg.Imager}
	for _, s := range cfg.Without {
		feed.silent[s] = true
	}
	if sc.Mic != nil {
		if feed.acoustic, err = acoustic.NewDetector(MicArrayOf(sc.Mic)); err != nil {
			return nil, fmt.Errorf("sim: microphone array: %w", err)
		}
	}
	if cfg.Radar == RadarTI {
		feed.points, _ = cfg.Sink.(RadarPointsSink)
	}
	if sc.Radar != nil {
		if feed.radar, err = newRadarSource(world, &cfg); err != nil {
			return nil, err
		}
		defer func() {
			if cerr := feed.radar.close(); cerr != nil {
				log.Warn("closing the radar", zap.Error(cerr))
			}
		}()
	}
	acc := eval.NewAccumulator(eval.GroundDistance(cfg.MatchDistanceM))
	classes := classScore{final: map[int]perception.Class{}, track: map[int]fusion.TrackState{}}
	res := &Result{}
	var stats fusion.CycleStats
	var out fusion.Output
	var truth []Truth
	var gt, hyp []eval.Object
	var labels labeller
	lastStatus := time.Duration(0)
	var live []perception.Sensor
	for s, present := range map[perception.Sensor]bool{perception.Radar: sc.Radar != nil, perception.Camera: sc.Camera != nil, perception.Mic: sc.Mic != nil} {
		if present && !feed.silent[s] {
			live = append(live, s)
		}
	}
	slices.Sort(live)
	health := fusion.NewHealthWindow(live, start, cfg.Realtime)

	engine.PushEgo(world.Ego(start))
	for k := 1; k <= cycles; k++ {
		now := start.Add(time.Duration(k) * period)
		if cfg.Realtime {
			if err := sleepUntil(ctx, clock, now); err != nil {
				return res, err
			}
		} else if err := ctx.Err(); err != nil {
			return res, err
		}
		virtual.Set(now)
		began := time.Now()
		ego := world.Ego(now)
		engine.PushEgo(ego)
		if cfg.Recorder != nil {
			if err := cfg.Recorder.Ego(ego); err != nil {
				return res, err
			}
		}
		if err := feed.deliver(ctx, engine, now); err != nil {
			return res, err
		}
		engine.Advance(now)
		engine.Snapshot(now, &out)
		took := time.Since(began) - feed.simCost
		feed.simCost = 0

		if cfg.Sink != nil {
			if err := cfg.Sink.Publish(&out); err != nil {
				res.PublishErrors++
				if res.PublishErrors == 1 {
					log.Warn("publish failed; counting further failures silently", zap.Error(err))
				}
			}
		}
		published := clock.Now()
		if cfg.Realtime {
			took = published.Sub(now) // scheduling delay included
		}
		lat := math.NaN()
		if out.Newest > 0 {
			lat = float64(published-out.Newest) / 1e6
		}
		stats.Record(lat, float64(took)/1e6, took > cfg.Deadline)
		if k == cycles/10 || k == cycles {
			// The heap after a collection, early (after warm-up) and at the
			// end: a soak run shows whether it grows.
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if k == cycles {
				res.HeapEndMB = float64(ms.HeapAlloc) / (1 << 20)
			} else {
				res.HeapStartMB = float64(ms.HeapAlloc) / (1 << 20)
			}
		}

		truth = world.Truth(truth[:0], now)
		if cfg.Recorder != nil {
			if err := cfg.Recorder.Truth(now, truth); err != nil {
				return res, err
			}
		}
		gt, hyp = gt[:0], hyp[:0]
		for _, t := range truth {
			gt = append(gt, eval.Object{ID: t.ID, X: t.X, Y: t.Y})
		}
		// Tracks coasting outside every sensor's view are kept and published
		// but, like the truth there, not scored.
		for i := range out.Tracks {
			tr := &out.Tracks[i]
			if world.InCoverage(out.Ego, tr.X[0], tr.X[1]) {
				hyp = append(hyp, eval.Object{ID: int(tr.ID), X: tr.X[0], Y: tr.X[1]})
			}
		}
		acc.Update(gt, hyp)
		if cfg.Label != nil {
			labels.label(cfg.Label, world, &out, truth, cfg.MatchDistanceM)
		}
		classes.update(truth, out.Tracks, cfg.MatchDistanceM)
		if cfg.Observe != nil {
			cfg.Observe(now, truth, &out, lat)
		}
		res.Cycles++

		if el := now.Sub(start); el-lastStatus >= time.Second {
			d := health.Window(engine, now, len(out.Tracks), &stats)
			if cfg.Sink != nil {
				if err := cfg.Sink.PublishDiagnostics(d); err != nil {
					res.PublishErrors++
				}
			}
			if cfg.Status != nil {
				cfg.Status(Status{Elapsed: el, Tracks: len(out.Tracks), CycleHz: d.CycleHz, LatencyMs: d.LatencyMs.P50})
			}
			lastStatus = el
		}
	}
	res.Tracking = acc.Metrics()
	res.ClassAccuracy, res.FinalClass, res.FinalTrack = classes.accuracy(), classes.final, classes.track
	res.LatencyMs = stats.Latency.Percentiles()
	res.CycleMs = stats.Cycle.Percentiles()
	res.DeadlineMisses = stats.Misses
	for _, n := range engine.DroppedLate {
		res.DroppedLate += n
	}
	return res, nil
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
			stamp := f.world.MicStamp(f.micK)
			// Rendering the sound is the world's work, and the acoustic
			// detector runs beside the fusion loop in the node (on the
			// audio callback), so neither counts towards the cycle.
			rendering := time.Now()
			window := f.world.MicWindow(f.micK)
			if f.rec != nil {
				if err := f.recordAudio(window, mArr); err != nil {
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
			e.Ingest(fusion.Scan{Sensor: perception.Mic, Stamp: stamp, Dets: dets}, mArr)
			f.micK++
		case rArr <= cArr && rArr <= now:
			f.radar.emit(ctx, f.radarK)
			f.radarK++
			if !f.realtime {
				// Virtual time: the frame is in when it is due.
				if err := f.ingestRadar(e, rArr, true); err != nil {
					return err
				}
			}
		case cArr < rArr && cArr <= now:
			stamp := f.world.CameraStamp(f.cameraK)
			if f.imager != nil {
				var err error
				if f.cameraDets, err = f.imager.CameraFrame(f.cameraDets[:0], f.world, f.cameraK, f.rec, cArr); err != nil {
					return fmt.Errorf("sim: camera frame %d: %w", f.cameraK, err)
				}
			} else {
				f.cameraDets = f.world.CameraScan(f.cameraDets[:0], f.cameraK)
				if f.rec != nil {
					if err := f.rec.CameraBoxes(stamp, cArr, f.cameraDets); err != nil {
						return err
					}
				}
			}
			e.Ingest(fusion.Scan{Sensor: perception.Camera, Stamp: stamp, Dets: f.cameraDets}, cArr)
			f.cameraK++
		default:
			if f.realtime {
				return f.ingestRadar(e, now, false)
			}
			return nil
		}
	}
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

// ingestRadar hands the engine the radar scans that are ready.
func (f *feed) ingestRadar(e *fusion.Engine, arrival sensors.Time, wait bool) error {
	f.scans = f.radar.collect(f.scans[:0], wait)
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

func newRadarSource(world *World, cfg *RunConfig) (radarSource, error) {
	switch cfg.Radar {
	case RadarObjects, "":
		return &objectRadar{world: world}, nil
	case RadarTI:
		baud := 0
		if cfg.Realtime {
			baud = mmwave.DataBaud
		}
		return newTIRadar(world, cfg.RadarConfig, cfg.RadarPerception, baud)
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

func (l *labeller) label(fn func(*fusion.TrackState, perception.Class, bool), world *World, out *fusion.Output, truth []Truth, within float64) {
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
		fn(tr, class[i], matched[i])
	}
}
