// Package pipeline is the node's one pipeline: the fusion engine built
// from the configuration (NewEngine, the only place that decides late-scan
// handling, clustered radar and the fusion head), and the cycle that the
// simulator, the bag replay and the live node all drive, each on its own
// clock (Pipeline.Cycle: drain the inputs, advance, snapshot, publish with
// errors counted, statistics, diagnostics).
package pipeline

import (
	"errors"
	"math"
	"time"

	"go.uber.org/zap"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// Sink receives each cycle's output and, about once a second, the
// diagnostics (the ROS node, an output bag). Both are reused after the
// call returns.
type Sink interface {
	Publish(out *fusion.Output) error
	PublishDiagnostics(d *fusion.Diagnostics) error
}

// Config configures a Pipeline.
type Config struct {
	Engine *fusion.Engine
	// Sink receives each cycle's output and the diagnostics; nil
	// publishes nothing.
	Sink Sink
	// Clock is read right after publishing: a cycle's latency is that
	// time minus the capture stamp of the newest fused detection.
	Clock sensors.Clock
	// Deadline is the compute time a cycle may take; LatencyBudget the
	// time from the capture of the newest fused detection to publishing
	// (0: none). Cycles over each are counted apart.
	Deadline      time.Duration
	LatencyBudget time.Duration
	// Sensors are the sensors expected, for the diagnostics.
	Sensors []perception.Sensor
	// WallRates measures the diagnostics' rates on the wall clock (a node
	// in real time) rather than on Clock.
	WallRates bool
	// Untimed records every cycle's compute time as zero, so that what the
	// statistics and diagnostics say is deterministic (a replay as fast as
	// possible, whose output bag must be byte-identical run to run).
	Untimed bool
	// FirstDiagnostics is the time of the first diagnostics: they are
	// published at the first cycle at or after it, then about once a
	// second of Clock time.
	FirstDiagnostics sensors.Time
	// Devices and Stages, when set, report the state of each device (a
	// radar reconnecting, say) and of the perception stages for the
	// diagnostics; Dropped the inputs dropped before reaching the engine.
	Devices func() []fusion.DeviceHealth
	Stages  func() []fusion.StageHealth
	Dropped func() uint64
	// Inputs, when set, accounts for the input messages.
	Inputs *Inputs
	Logger *zap.Logger
}

// Pipeline runs the node's cycles. It is not safe for concurrent use: one
// goroutine drives it.
type Pipeline struct {
	cfg      Config
	log      *zap.Logger
	health   *fusion.HealthWindow
	stats    fusion.CycleStats
	out      fusion.Output
	lastDiag sensors.Time
	excluded time.Duration

	publishErrors int
	firstErr      error
}

// Report is what one cycle produced. Its pointers stay valid until the
// next cycle.
type Report struct {
	Out *fusion.Output
	// LatencyMs is the capture-to-publish latency, DeliveryMs its part
	// before the newest fused scan reached the node and NodeMs the
	// node's; NaN before anything was fused.
	LatencyMs, DeliveryMs, NodeMs float64
	// Diagnostics is set on the cycles that published them.
	Diagnostics *fusion.Diagnostics
}

// New returns a pipeline; its diagnostics window starts at start.
func New(cfg Config, start sensors.Time) (*Pipeline, error) {
	switch {
	case cfg.Engine == nil:
		return nil, errors.New("pipeline: no engine")
	case cfg.Clock == nil:
		return nil, errors.New("pipeline: no clock")
	case cfg.Deadline <= 0:
		return nil, errors.New("pipeline: deadline must be positive")
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return &Pipeline{cfg: cfg, log: log, health: fusion.NewHealthWindow(cfg.Sensors, start, cfg.WallRates),
		lastDiag: cfg.FirstDiagnostics.Add(-time.Second)}, nil
}

// Engine returns the engine the pipeline drives, for inputs that arrive
// between cycles.
func (p *Pipeline) Engine() *fusion.Engine { return p.cfg.Engine }

// Exclude leaves d out of the current cycle's compute time: work done
// inside it that the node does elsewhere (a simulator rendering sound).
func (p *Pipeline) Exclude(d time.Duration) { p.excluded += d }

// RestartDiagnostics makes the next diagnostics due a second after now
// (a clock that started late or jumped).
func (p *Pipeline) RestartDiagnostics(now sensors.Time) { p.lastDiag = now }

// Cycle runs one cycle at now: drain (nil for none) hands the engine the
// inputs that have arrived, then the engine advances to now and the
// tracks are published. Only drain's error is returned; publish errors
// are counted (see PublishErrors) and the first is logged.
func (p *Pipeline) Cycle(now sensors.Time, drain func(*fusion.Engine) error) (Report, error) {
	e := p.cfg.Engine
	began := time.Now()
	if drain != nil {
		if err := drain(e); err != nil {
			return Report{}, err
		}
	}
	e.Advance(now)
	e.Snapshot(now, &p.out)
	if p.cfg.Sink != nil {
		p.failed(p.cfg.Sink.Publish(&p.out))
	}
	published := p.cfg.Clock.Now()
	took := time.Since(began) - p.excluded
	p.excluded = 0
	if p.cfg.Untimed {
		took = 0
	}
	rep := Report{Out: &p.out, LatencyMs: math.NaN(), DeliveryMs: math.NaN(), NodeMs: math.NaN()}
	if p.out.Newest > 0 {
		rep.LatencyMs = float64(published-p.out.Newest) / 1e6
		rep.DeliveryMs, rep.NodeMs = float64(p.out.Arrived-p.out.Newest)/1e6, float64(published-p.out.Arrived)/1e6
	}
	p.stats.Record(rep.LatencyMs, float64(took)/1e6, took > p.cfg.Deadline)
	budget := p.cfg.LatencyBudget
	p.stats.RecordSplit(rep.DeliveryMs, rep.NodeMs, budget > 0 && p.out.Newest > 0 && published-p.out.Newest > sensors.Time(budget))
	if now.Sub(p.lastDiag) >= time.Second || now < p.lastDiag {
		rep.Diagnostics = p.diagnostics(now)
	}
	return rep, nil
}

func (p *Pipeline) diagnostics(now sensors.Time) *fusion.Diagnostics {
	d := p.health.Window(p.cfg.Engine, now, len(p.out.Tracks), &p.stats)
	if p.cfg.Dropped != nil {
		d.DroppedInputs = p.cfg.Dropped()
	}
	if p.cfg.Devices != nil {
		d.Devices = p.cfg.Devices()
	}
	if p.cfg.Stages != nil {
		d.Stages = p.cfg.Stages()
	}
	if p.cfg.Inputs != nil {
		d.Inputs = p.cfg.Inputs.Health()
	}
	if p.cfg.Sink != nil {
		p.failed(p.cfg.Sink.PublishDiagnostics(d))
	}
	p.lastDiag = now
	return d
}

func (p *Pipeline) failed(err error) {
	if err == nil {
		return
	}
	p.publishErrors++
	if p.firstErr == nil {
		p.firstErr = err
		p.log.Warn("publish failed; counting further failures silently", zap.Error(err))
	}
}

// PublishErrors returns how many publications failed, and the first
// failure.
func (p *Pipeline) PublishErrors() (int, error) { return p.publishErrors, p.firstErr }

// Stats returns the cycle statistics so far.
func (p *Pipeline) Stats() *fusion.CycleStats { return &p.stats }
