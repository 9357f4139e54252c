package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// Input is something that reached the node: a scan or an ego sample.
type Input struct {
	Scan    *fusion.Scan
	Ego     *fusion.Ego
	Arrival sensors.Time
}

// RunnerConfig configures a Runner.
type RunnerConfig struct {
	Engine   *fusion.Engine
	OutputHz float64
	Deadline time.Duration
	// LatencyBudget: see Config.
	LatencyBudget time.Duration
	Clock         sensors.Clock
	Sink          Sink
	// Sensors are the sensors expected, for diagnostics.
	Sensors []perception.Sensor
	// Devices, when set, reports the state of each device for the
	// diagnostics (a radar reconnecting, say).
	Devices func() []fusion.DeviceHealth
	// Stages, when set, reports the perception stages once per
	// diagnostics window.
	Stages func() []fusion.StageHealth
	// Inputs, when set, accounts for the input messages (diagnostics).
	Inputs *Inputs
	// Cycle, when set, is called after every cycle with its output.
	Cycle func(out *fusion.Output)
	// CycleOnScan runs a cycle as soon as a radar scan is submitted, on the
	// wall clock, OutputHz being the minimum rate (see
	// config.Config.CycleOnScan).
	CycleOnScan bool
	// QueueLen bounds the inputs waiting for the next cycle; when full,
	// the oldest is dropped and counted (default 256).
	QueueLen int
	// SimTime makes the loop follow Clock (a ROS /clock driven by a bag
	// being played) instead of the wall clock: a cycle runs whenever the
	// clock passes the next cycle time. When it jumps backwards, the
	// engine is reset and OnTimeJump is told.
	SimTime    bool
	OnTimeJump func(from, to sensors.Time)
	Logger     *zap.Logger
}

// Runner is the live node's driver of the pipeline: inputs arrive from
// sensor goroutines through Submit; one goroutine owns the engine and
// runs a cycle at the output rate.
type Runner struct {
	cfg     RunnerConfig
	in      chan Input
	wake    chan struct{} // a radar scan came, with CycleOnScan
	dropped atomic.Uint64
}

// NewRunner returns a runner; call Run to start it. It refuses a
// configuration it cannot run.
func NewRunner(cfg RunnerConfig) (*Runner, error) {
	switch {
	case cfg.Engine == nil:
		return nil, errors.New("runner: no engine")
	case cfg.Clock == nil:
		return nil, errors.New("runner: no clock")
	case !(cfg.OutputHz > 0 && cfg.OutputHz <= 1000):
		return nil, fmt.Errorf("runner: output rate must be in (0, 1000] Hz, got %g", cfg.OutputHz)
	case cfg.Deadline <= 0:
		return nil, fmt.Errorf("runner: deadline must be positive, got %v", cfg.Deadline)
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 256
	}
	return &Runner{cfg: cfg, in: make(chan Input, cfg.QueueLen), wake: make(chan struct{}, 1)}, nil
}

// Submit hands an input to the loop without blocking; when the queue is
// full the oldest input is dropped and counted.
func (r *Runner) Submit(in Input) {
	for {
		select {
		case r.in <- in:
			if r.cfg.CycleOnScan && in.Scan != nil && in.Scan.Sensor == perception.Radar {
				select {
				case r.wake <- struct{}{}:
				default: // a cycle is due already
				}
			}
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

// drain hands the engine every input that has arrived.
func (r *Runner) drain(e *fusion.Engine) error {
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
			return nil
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
	start := r.cfg.Clock.Now()
	pipe, err := New(Config{Engine: r.cfg.Engine, Sink: r.cfg.Sink, Clock: r.cfg.Clock, Deadline: r.cfg.Deadline, LatencyBudget: r.cfg.LatencyBudget,
		Sensors: r.cfg.Sensors, WallRates: !r.cfg.SimTime, FirstDiagnostics: start.Add(time.Second),
		Devices: r.cfg.Devices, Stages: r.cfg.Stages, Dropped: r.dropped.Load, Inputs: r.cfg.Inputs, Logger: r.cfg.Logger}, start)
	if err != nil {
		return err
	}
	cycle := func(now sensors.Time) {
		rep, _ := pipe.Cycle(now, r.drain) // drain never fails
		if r.cfg.Cycle != nil {
			r.cfg.Cycle(rep.Out)
		}
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	var next sensors.Time
	for {
		woken := false
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		case <-r.wake:
			woken = true
		}
		now := r.cfg.Clock.Now()
		if !r.cfg.SimTime {
			cycle(now)
			if woken {
				tick.Reset(period) // the minimum rate counts from this cycle
			}
			continue
		}
		if woken {
			continue // on ROS time cycles keep the clock's ticks
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
			pipe.RestartDiagnostics(now)
			continue
		}
		for now >= next {
			cycle(next)
			next += sensors.Time(period)
		}
	}
}
