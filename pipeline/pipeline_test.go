package pipeline

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// recordingSink records what a pipeline publishes, failing when told.
type recordingSink struct {
	outputs, diagnostics []sensors.Time
	fail                 error
}

func (s *recordingSink) Publish(out *fusion.Output) error {
	s.outputs = append(s.outputs, out.Stamp)
	return s.fail
}

func (s *recordingSink) PublishDiagnostics(d *fusion.Diagnostics) error {
	s.diagnostics = append(s.diagnostics, d.Stamp)
	return s.fail
}

// radarReturn is a radar detection of a static object 10 m ahead.
func radarReturn(stamp sensors.Time) perception.Detection {
	d := perception.Detection{Stamp: stamp, Sensor: perception.Radar, Dim: 3, Class: perception.Uniform()}
	d.Z = [3]float64{10, 0, 0}
	d.R[0][0], d.R[1][1], d.R[2][2] = 0.01, 1e-4, 0.01
	return d
}

// bayesEngine is the shipped configuration's engine with the Bayesian
// rule for a head, its ego at rest at the origin.
func bayesEngine(t *testing.T, clustered bool) *fusion.Engine {
	t.Helper()
	node := config.Default()
	node.FusionHead = config.Bayes
	engine, err := NewEngine(&node, clustered)
	if err != nil {
		t.Fatal(err)
	}
	engine.PushEgo(fusion.Ego{})
	return engine
}

func testPipeline(t *testing.T, sink Sink, clock sensors.Clock, first sensors.Time) *Pipeline {
	t.Helper()
	engine := bayesEngine(t, false)
	p, err := New(Config{Engine: engine, Sink: sink, Clock: clock, Deadline: time.Second, LatencyBudget: 20 * time.Millisecond,
		Sensors: []perception.Sensor{perception.Radar}, Untimed: true, FirstDiagnostics: first}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCycleLatencyAndDiagnostics: each cycle publishes its output, its
// latency is the clock after publishing minus the newest fused capture,
// and diagnostics come at the first cycle at or after FirstDiagnostics,
// then once a second.
func TestCycleLatencyAndDiagnostics(t *testing.T) {
	sink := &recordingSink{}
	clock := sensors.NewVirtualClock(0)
	const period = 50 * time.Millisecond
	p := testPipeline(t, sink, clock, sensors.Time(time.Second))
	for k := 1; k <= 60; k++ {
		now := sensors.Time(k) * sensors.Time(period)
		clock.Set(now + sensors.Time(3*time.Millisecond)) // publishing takes 3 ms of clock time
		capture := now - sensors.Time(20*time.Millisecond)
		rep, err := p.Cycle(now, func(e *fusion.Engine) error {
			e.Ingest(fusion.Scan{Sensor: perception.Radar, Stamp: capture, Dets: []perception.Detection{radarReturn(capture)}}, now)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Out.Stamp != now {
			t.Fatalf("cycle %d published for %v", k, rep.Out.Stamp)
		}
		if k > 1 && (math.Abs(rep.LatencyMs-23) > 1e-9 || math.Abs(rep.DeliveryMs-20) > 1e-9 || math.Abs(rep.NodeMs-3) > 1e-9) {
			t.Fatalf("cycle %d: latency %.3f ms (delivery %.3f, node %.3f), want 23 (20, 3)", k, rep.LatencyMs, rep.DeliveryMs, rep.NodeMs)
		}
		if (rep.Diagnostics != nil) != (k == 20 || k == 40 || k == 60) {
			t.Fatalf("cycle %d: diagnostics %v", k, rep.Diagnostics != nil)
		}
	}
	if len(sink.outputs) != 60 || len(sink.diagnostics) != 3 {
		t.Fatalf("%d outputs and %d diagnostics published", len(sink.outputs), len(sink.diagnostics))
	}
	if n, err := p.PublishErrors(); n != 0 || err != nil {
		t.Fatalf("publish errors %d %v", n, err)
	}
	if over := p.Stats().OverBudget; over != 60 { // a 20 ms budget, every cycle 23 ms late
		t.Fatalf("%d cycles over the latency budget, want 60", over)
	}
}

// TestPublishErrorsAreCountedNotFatal: a sink that fails costs the
// publication, not the cycle; every failure is counted and the first kept.
func TestPublishErrorsAreCountedNotFatal(t *testing.T) {
	boom := errors.New("master gone")
	sink := &recordingSink{fail: boom}
	clock := sensors.NewVirtualClock(0)
	p := testPipeline(t, sink, clock, 0)
	for k := 1; k <= 5; k++ {
		now := sensors.Time(k) * sensors.Time(time.Second)
		clock.Set(now)
		if _, err := p.Cycle(now, nil); err != nil {
			t.Fatal(err)
		}
	}
	n, err := p.PublishErrors()
	if n != 10 || !errors.Is(err, boom) { // five outputs and five diagnostics
		t.Fatalf("%d publish errors, first %v", n, err)
	}
	if p.Stats().Cycles != 5 {
		t.Fatalf("%d cycles recorded", p.Stats().Cycles)
	}
}

// TestDrainErrorStopsTheCycle: an input that cannot be delivered is the
// driver's error, returned before anything is published.
func TestDrainErrorStopsTheCycle(t *testing.T) {
	sink := &recordingSink{}
	p := testPipeline(t, sink, sensors.NewVirtualClock(0), 0)
	bad := errors.New("radar frame 7: truncated")
	if _, err := p.Cycle(1, func(*fusion.Engine) error { return bad }); !errors.Is(err, bad) {
		t.Fatalf("got %v", err)
	}
	if len(sink.outputs) != 0 {
		t.Fatal("published after a failed drain")
	}
}

// TestNewRefusesWhatItCannotRun: a runner without a usable rate or
// deadline, or a pipeline without an engine or clock, is refused at
// construction instead of failing later.
func TestNewRefusesWhatItCannotRun(t *testing.T) {
	engine := bayesEngine(t, true)
	for _, c := range []RunnerConfig{
		{Engine: engine, Clock: sensors.WallClock{}, OutputHz: 0, Deadline: time.Second},
		{Engine: engine, Clock: sensors.WallClock{}, OutputHz: 20},
		{Clock: sensors.WallClock{}, OutputHz: 20, Deadline: time.Second},
	} {
		if _, err := NewRunner(c); err == nil {
			t.Errorf("runner %+v accepted", c)
		}
	}
	if _, err := New(Config{Engine: engine, Deadline: time.Second}, 0); err == nil {
		t.Error("pipeline without a clock accepted")
	}
}

// TestHeadKnowsWhenItIsOutOfItsDepth: the learned head, trained on both
// radar paths, judges a person walking before a static clustered radar
// (never a vehicle); a track moving at 60 m/s, faster than anything it
// saw in training, it leaves to the Bayesian rule, and counts that.
func TestHeadKnowsWhenItIsOutOfItsDepth(t *testing.T) {
	run := func(head config.FusionHead, speed float64) (fusion.TrackState, uint64) {
		node := config.Default()
		node.FusionHead = head
		engine, err := NewEngine(&node, true)
		if err != nil {
			t.Fatal(err)
		}
		engine.PushEgo(fusion.Ego{})
		var out fusion.Output
		for k := 1; k <= 40; k++ {
			now := sensors.Time(k) * sensors.Time(50*time.Millisecond)
			d := radarReturn(now)
			d.Z[0], d.Z[2] = 1.3+speed*0.05*float64(k), speed // walking or racing away
			d.Returns, d.Spread = 5, [3]float64{0.1, 0.15, 0.2}
			engine.Ingest(fusion.Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{d}}, now)
			engine.Advance(now)
			engine.Snapshot(now, &out)
		}
		if len(out.Tracks) != 1 {
			t.Fatalf("%s head, %.1f m/s: %d tracks published", head, speed, len(out.Tracks))
		}
		return out.Tracks[0], engine.HeadFallbacks()
	}
	person, fallbacks := run(config.Learned, 0.4)
	t.Logf("person: %s %.3f, existence %.3f, %d fallbacks", person.Class, person.ClassProb, person.Existence, fallbacks)
	switch person.Class {
	case perception.Car, perception.Truck, perception.EmergencyVehicle:
		t.Errorf("a person before a clustered radar published as %s (%.3f)", person.Class, person.ClassProb)
	}
	if fallbacks != 0 {
		t.Errorf("the head left %d judgements of a familiar track to the Bayesian rule", fallbacks)
	}
	racer, fallbacks := run(config.Learned, 60)
	bayes, _ := run(config.Bayes, 60)
	t.Logf("60 m/s: learned engine %s %.3f, existence %.3f, %d fallbacks; Bayesian %s %.3f, existence %.3f",
		racer.Class, racer.ClassProb, racer.Existence, fallbacks, bayes.Class, bayes.ClassProb, bayes.Existence)
	if fallbacks == 0 || racer.Existence != bayes.Existence || racer.Probs != bayes.Probs {
		t.Error("the head judged a track unlike anything it learnt from")
	}
}

// TestRunnerCyclesOnARadarScan: with CycleOnScan a radar scan is
// published at once, not at the next tick of the (here 1 Hz) output rate.
func TestRunnerCyclesOnARadarScan(t *testing.T) {
	engine := bayesEngine(t, false)
	cycled := make(chan time.Time, 10)
	r, err := NewRunner(RunnerConfig{Engine: engine, OutputHz: 1, Deadline: time.Second, Clock: sensors.WallClock{}, CycleOnScan: true,
		Cycle: func(*fusion.Output) { cycled <- time.Now() }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("runner: %v", err)
		}
	}()
	time.Sleep(100 * time.Millisecond)
	sent := time.Now()
	now := sensors.WallClock{}.Now()
	r.Submit(Input{Scan: &fusion.Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{radarReturn(now)}}, Arrival: now})
	select {
	case at := <-cycled:
		if at.Before(sent) {
			t.Fatal("a cycle before the scan")
		}
	case <-time.After(700 * time.Millisecond):
		t.Fatal("no cycle within 0.7 s of the radar scan: it waited for the 1 Hz tick")
	}
}

// TestTakeTILimitsKeepsAConfiguredVelocity: a TI configuration's
// unambiguous velocity becomes radar_perception.max_velocity_mps when
// that is unset, and a value set by hand stays.
func TestTakeTILimitsKeepsAConfiguredVelocity(t *testing.T) {
	lines, err := launch.ReadTIConfig("")
	if err != nil {
		t.Fatal(err)
	}
	c := config.Default()
	l, taken, err := TakeTILimits(&c, lines)
	if err != nil || !taken || c.RadarPerception.MaxVelocityMps != l.MaxVelocityMps || !(l.MaxVelocityMps > 0) {
		t.Fatalf("unset: taken %v, max_velocity_mps %g, limits %v, %v", taken, c.RadarPerception.MaxVelocityMps, l, err)
	}
	c.RadarPerception.MaxVelocityMps = 7
	if _, taken, err := TakeTILimits(&c, lines); err != nil || taken || c.RadarPerception.MaxVelocityMps != 7 {
		t.Fatalf("set by hand: taken %v, max_velocity_mps %g, %v", taken, c.RadarPerception.MaxVelocityMps, err)
	}
}
