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
	// Cycle, when set, is called after every cycle with its output.
	Cycle func(out *Output)
	// QueueLen bounds the inputs waiting for the next cycle; when full,
	// the oldest is dropped and counted.
	QueueLen int
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

// Dropped returns the inputs dropped because the queue was full.
func (r *Runner) Dropped() uint64 { return r.dropped.Load() }

// Run cycles until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	period := time.Duration(float64(time.Second) / r.cfg.OutputHz)
	tick := time.NewTicker(period)
	defer tick.Stop()
	e := r.cfg.Engine
	start := r.cfg.Clock.Now()
	health := NewHealthWindow(r.cfg.Sensors, start, true)
	var out Output
	var stats CycleStats
	lastDiag := start
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		now := r.cfg.Clock.Now()
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
		e.Snapshot(now, &out)
		if r.cfg.Sink != nil {
			_ = r.cfg.Sink.Publish(&out)
		}
		if r.cfg.Cycle != nil {
			r.cfg.Cycle(&out)
		}
		took := time.Since(began)
		latency := math.NaN()
		if out.Newest > 0 {
			latency = float64(r.cfg.Clock.Now()-out.Newest) / 1e6
		}
		stats.Record(latency, float64(took)/1e6, took > r.cfg.Deadline)
		if now.Sub(lastDiag) >= time.Second {
			d := health.Window(e, now, len(out.Tracks), &stats)
			d.DroppedInputs = r.dropped.Load()
			if r.cfg.Devices != nil {
				d.Devices = r.cfg.Devices()
			}
			if r.cfg.Sink != nil {
				_ = r.cfg.Sink.PublishDiagnostics(d)
			}
			lastDiag = now
		}
	}
}
