package fusion

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// Input is something that reached the node: a scan or an ego sample.
type Input struct {
	Scan    *Scan
	Ego     *Ego
	Arrival sensors.Time
}

// Sink receives each cycle's output and, once a second, the diagnostics.
// Both are reused after the call returns.
type Sink interface {
	Publish(out *Output) error
	PublishDiagnostics(d *Diagnostics) error
}

// RunnerConfig configures a Runner.
type RunnerConfig struct {
	Engine   *Engine
	OutputHz float64
	Deadline time.Duration
	Clock    sensors.Clock
	Sink     Sink
	// Sensors are the sensors expected, for diagnostics.
	Sensors []perception.Sensor
	// Devices, when set, reports the state of each device for the
	// diagnostics (a radar reconnecting, say).
	Devices func() []DeviceHealth
	// Stages, when set, reports the perception stages once per
	// diagnostics window.
	Stages func() []StageHealth
	// Cycle, when set, is called after every cycle with its output.
	Cycle func(out *Output)
	// QueueLen bounds the inputs waiting for the next cycle; when full,
	// the oldest is dropped and counted.
	QueueLen int
	// SimTime makes the loop follow Clock (a ROS /clock driven by a bag
	// being played) instead of the wall clock: a cycle runs whenever the
	// clock passes the next cycle time. When it jumps backwards, the
	// engine is reset and OnTimeJump is told.
	SimTime    bool
	OnTimeJump func(from, to sensors.Time)
}

// Runner is the live node's loop: inputs arrive from sensor goroutines
// through Submit; one goroutine owns the engine and runs a cycle at the
// output rate.
type Runner struct {
	cfg     RunnerConfig
	in      chan Input
	dropped atomic.Uint64
}

// NewRunner returns a runner; call Run to start it.
func NewRunner(cfg RunnerConfig) *Runner {
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 256
	}
	return &Runner{cfg: cfg, in: make(chan Input, cfg.QueueLen)}
}

// Submit hands an input to the loop without blocking; when the queue is
// full the oldest input is dropped and counted.
func (r *Runner) Submit(in Input) {
	for {
		select {
		case r.in <- in:
			return
		default:
		}
		select {
		case <-r.in:
			r.dropped.Add(1)
		default:
		}
	}
}

// Run cycles until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	period := time.Duration(float64(time.Second) / r.cfg.OutputHz)
	poll := period
	if r.cfg.SimTime {
		poll = 2 * time.Millisecond // watch the simulated clock
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	c := cycler{r: r, health: NewHealthWindow(r.cfg.Sensors, r.cfg.Clock.Now(), !r.cfg.SimTime), lastDiag: r.cfg.Clock.Now()}
	var next sensors.Time
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		now := r.cfg.Clock.Now()
		if !r.cfg.SimTime {
			c.cycle(now)
			continue
		}
		if now == 0 {
			continue // no /clock yet
		}
		if next != 0 && now < next-sensors.Time(2*period) {
			// Time went backwards: a looped bag. Start afresh.
			if r.cfg.OnTimeJump != nil {
				r.cfg.OnTimeJump(next, now)
			}
			r.cfg.Engine.Reset()
			next = 0
		}
		if next == 0 {
			next = (now/sensors.Time(period) + 1) * sensors.Time(period)
			c.lastDiag = now
			continue
		}
		for now >= next {
			c.cycle(next)
			next += sensors.Time(period)
		}
	}
}

// cycler runs one cycle at a time and keeps the statistics.
type cycler struct {
	r        *Runner
	health   *HealthWindow
	out      Output
	stats    CycleStats
	lastDiag sensors.Time
}

func (c *cycler) cycle(now sensors.Time) {
	r, e := c.r, c.r.cfg.Engine
	began := time.Now()
drain:
	for {
		select {
		case in := <-r.in:
			if in.Ego != nil {
				e.PushEgo(*in.Ego)
			}
			if in.Scan != nil {
				e.Ingest(*in.Scan, in.Arrival)
			}
		default:
			break drain
		}
	}
	e.Advance(now)
	e.Snapshot(now, &c.out)
	if r.cfg.Sink != nil {
		_ = r.cfg.Sink.Publish(&c.out)
	}
	if r.cfg.Cycle != nil {
		r.cfg.Cycle(&c.out)
	}
	took := time.Since(began)
	latency := math.NaN()
	if c.out.Newest > 0 {
		latency = float64(r.cfg.Clock.Now()-c.out.Newest) / 1e6
	}
	c.stats.Record(latency, float64(took)/1e6, took > r.cfg.Deadline)
	if now.Sub(c.lastDiag) >= time.Second || now < c.lastDiag {
		d := c.health.Window(e, now, len(c.out.Tracks), &c.stats)
		d.DroppedInputs = r.dropped.Load()
		if r.cfg.Devices != nil {
			d.Devices = r.cfg.Devices()
		}
		if r.cfg.Stages != nil {
			d.Stages = r.cfg.Stages()
		}
		if r.cfg.Sink != nil {
			_ = r.cfg.Sink.PublishDiagnostics(d)
		}
		c.lastDiag = now
	}
}
