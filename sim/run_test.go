package sim

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
	"github.com/avfusion/avfusion/sim/eval"
)

func runScenario(t *testing.T, path string) *Result {
	t.Helper()
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), RunConfig{
		Scenario: sc,
		Node:     trackerOnly(50 * time.Millisecond),
		Start:    1_700_000_000e9,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// shippedRun runs a shipped scenario with the shipped configuration and
// the fusion head named (learned or bayes), some sensors silenced.
func shippedRun(t *testing.T, sc *Scenario, head config.FusionHead, without ...perception.Sensor) *Result {
	t.Helper()
	node := config.Default()
	node.FusionHead, node.Deadline = head, time.Second
	res, err := Run(context.Background(), RunConfig{Scenario: sc, Node: node, Start: 1_700_000_000e9, Without: without})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// shippedScenarios loads every shipped scenario; there must be twelve.
func shippedScenarios(t *testing.T) []*Scenario {
	t.Helper()
	files, _ := filepath.Glob("scenarios/*.yaml")
	if len(files) < 12 {
		t.Fatalf("want at least 12 shipped scenarios, found %d", len(files))
	}
	var out []*Scenario
	for _, f := range files {
		sc, err := LoadScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sc)
	}
	return out
}

// motErrors is what MOTA counts against a run: false positives, misses
// and identity switches.
func motErrors(r *Result) int {
	return r.Tracking.FalsePositives + r.Tracking.Misses + r.Tracking.Switches
}

// TestFusionAgainstEverySingleSensor is the fusion's acceptance test: on
// every shipped scenario, over its seed and the next four (as `avfusion
// eval --seeds 5`), radar and camera fused through the learned head
// track better (MOTA) than either sensor alone, and at least 85 % of
// what the fused runs match has the right class; pooled over the
// scenarios too. One seed is not enough: where the radar alone already
// does well fused and radar alone differ by a few thousandths, either
// way, and which scenarios fall on which side has changed with every
// training seed, size and cycle timing tried (occlusion and stress trail
// by 0.0006 and 0.0013 on their own seeds and lead over five; city leads
// by only 0.0001 over five). The log shows each margin.
func TestFusionAgainstEverySingleSensor(t *testing.T) {
	tier.Integration(t)
	const seeds = 5
	var pooledErrs [3]int
	var pooledGT int
	for _, sc := range shippedScenarios(t) {
		var errs [3]int
		gt, class := 0, 0.0
		for k := range seeds {
			seeded := *sc
			seeded.Seed += int64(k)
			runs := [3]*Result{
				shippedRun(t, &seeded, config.Learned),
				shippedRun(t, &seeded, config.Learned, perception.Camera, perception.Mic),
				shippedRun(t, &seeded, config.Learned, perception.Radar, perception.Mic),
			}
			for r, run := range runs {
				errs[r] += motErrors(run)
			}
			gt += runs[0].Tracking.GroundTruthFrames
			class += runs[0].ClassAccuracy / seeds
		}
		var mota [3]float64
		for r := range mota {
			mota[r] = 1 - float64(errs[r])/float64(gt)
			pooledErrs[r] += errs[r]
		}
		pooledGT += gt
		fused, best := mota[0], max(mota[1], mota[2])
		t.Logf("%-14s fused MOTA %.4f, best single sensor %.4f (radar %.4f, camera %.4f), margin %+.4f; class accuracy %.3f",
			sc.Name, fused, best, mota[1], mota[2], fused-best, class)
		if fused <= best {
			t.Errorf("%s: fused MOTA %.4f not above the best single sensor's %.4f", sc.Name, fused, best)
		}
		if class < 0.85 {
			t.Errorf("%s: class accuracy %.3f < 0.85", sc.Name, class)
		}
	}
	var pooled [3]float64
	for r := range pooled {
		pooled[r] = 1 - float64(pooledErrs[r])/float64(pooledGT)
	}
	t.Logf("pooled MOTA: fused %.4f, radar %.4f, camera %.4f", pooled[0], pooled[1], pooled[2])
	if pooled[0] <= max(pooled[1], pooled[2]) {
		t.Errorf("pooled: fused MOTA %.4f not above radar %.4f and camera %.4f", pooled[0], pooled[1], pooled[2])
	}
}

// TestLearnedHeadBeatsBayesianRule: on the shipped scenarios, none of
// which it was trained on (it learns from sim.RandomScenario), the
// learned head classifies better and tracks better (pooled MOTA) than the
// hand-written Bayesian rule.
func TestLearnedHeadBeatsBayesianRule(t *testing.T) {
	tier.Integration(t)
	var errs [2]int
	var gt int
	var class [2]float64
	scenarios := shippedScenarios(t)
	for _, sc := range scenarios {
		for k, h := range []config.FusionHead{config.Bayes, config.Learned} {
			m := shippedRun(t, sc, h)
			errs[k] += motErrors(m)
			class[k] += m.ClassAccuracy / float64(len(scenarios))
			if k == 0 {
				gt += m.Tracking.GroundTruthFrames
			}
		}
	}
	bayes, learnt := 1-float64(errs[0])/float64(gt), 1-float64(errs[1])/float64(gt)
	t.Logf("pooled MOTA: Bayesian %.3f, learned %.3f; mean class accuracy: Bayesian %.3f, learned %.3f", bayes, learnt, class[0], class[1])
	if learnt <= bayes || class[1] <= class[0] {
		t.Errorf("the learned head does not beat the Bayesian rule")
	}
}

func TestSameSeedSameRun(t *testing.T) {
	a := runScenario(t, "scenarios/crossing.yaml")
	b := runScenario(t, "scenarios/crossing.yaml")
	// Wall-clock measurements are the only things allowed to differ.
	for _, r := range []*Result{a, b} {
		r.CycleMs, r.HeapStartMB, r.HeapEndMB = fusion.Percentiles{}, 0, 0
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs differ:\n%+v\n%+v", a, b)
	}
}

// TestTIRadarPath runs the virtual TI radar end to end — point cloud, TLV
// frames over a pseudo-terminal, the tarm/serial driver, the parser,
// clustering — and checks the result is tracked and deterministic.
// trackerOnly is the shipped configuration with the Bayesian rule for a
// head and late scans dropped: the tracker on its own, with deadline for
// a cycle.
func trackerOnly(deadline time.Duration) config.Config {
	c := config.Default()
	c.FusionHead, c.LateScans, c.Deadline = config.Bayes, config.Drop, deadline
	return c
}

// builtinTI is the TI configuration the node uploads by default.
func builtinTI(t *testing.T) []mmwave.ConfigLine {
	t.Helper()
	lines, err := launch.ReadTIConfig("")
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestScenariosAskedOfTheTIConfiguration: every shipped scenario stays
// within what the built-in configuration's chirps let the radar see,
// while the short-range one is told field by field what it cannot: the
// range, and the fastest closing actor.
func TestScenariosAskedOfTheTIConfiguration(t *testing.T) {
	for _, sc := range shippedScenarios(t) {
		if sc.Radar != nil {
			if w := BeyondTIConfig(sc, builtinTI(t)); len(w) > 0 {
				t.Errorf("%s: %q", sc.Name, w)
			}
		}
	}
	short, err := launch.ReadTIConfig("../launch/ti/xwr68xx_20hz.cfg")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := LoadScenario("scenarios/crossing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w := BeyondTIConfig(sc, short)
	if len(w) != 2 || !strings.HasPrefix(w[0], "sensors.radar.max_range_m: 80 m, but the TI configuration sees 8.9 m") ||
		!strings.HasPrefix(w[1], "actors[6].velocity: actor 7 and the ego (ego.speed 6 m/s) close at up to 13.0 m/s") {
		t.Fatalf("%q", w)
	}
	if w := BeyondTIConfig(sc, short[:3]); len(w) != 1 || !strings.Contains(w[0], "its limits cannot be told (mmwave: config has no channelCfg command)") {
		t.Fatalf("a configuration without chirps: %q", w)
	}
}

// TestTheTIRadarReportsWhatItsConfigurationSees: beyond the range of its
// chirps nothing comes back, and a radial speed beyond the unambiguous
// one wraps around.
func TestTheTIRadarReportsWhatItsConfigurationSees(t *testing.T) {
	l := &mmwave.Limits{MaxRangeM: 8.9, MaxVelocityMps: 4}
	pts := []radar.Point{{X: 5, Doppler: 3}, {X: 8.8, Doppler: 5}, {X: 8.8, Z: 1.5, Doppler: 1}, {X: 3, Y: 4, Doppler: -9}, {X: 20, Doppler: 0}}
	got := seenWithin(pts, l)
	want := []radar.Point{{X: 5, Doppler: 3}, {X: 8.8, Doppler: -3}, {X: 3, Y: 4, Doppler: -1}}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for i := range want {
		if got[i].X != want[i].X || got[i].Y != want[i].Y || math.Abs(got[i].Doppler-want[i].Doppler) > 1e-12 {
			t.Fatalf("%v, want %v", got, want)
		}
	}
	if n := len(seenWithin([]radar.Point{{X: 100, Doppler: 50}}, nil)); n != 1 {
		t.Fatalf("without limits %d of 1 point kept", n)
	}
}

// TestOncomingTrafficThroughAnAliasingRadar: on the motorway of
// scenarios/next, through the long-range configuration with its limits
// (RunConfig.ConfigLimits), oncoming cars close at 52–60 m/s and their
// Dopplers wrap around ±26.3 m/s; the node, taking the configuration's
// unambiguous velocity, still tracks all but at most one of the nine, and
// the run scores MOTA 0.791 with 251 false positives (0.370 with 1196
// before tracks gathered a truck's pieces, fusion/fragments.go; a node
// that also took the wrapped Dopplers at their word scored 0.252 with
// 1564).
func TestOncomingTrafficThroughAnAliasingRadar(t *testing.T) {
	tier.Integration(t)
	sc, lines := scenarioWithTI(t, "scenarios/next/highway.yaml")
	res, err := Run(context.Background(), RunConfig{Scenario: sc, Node: config.Default(), Start: 1_700_000_000e9,
		Radar: RadarTI, RadarConfig: lines, ConfigLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	tracked := 0
	for id := 8; id <= 16; id++ { // the oncoming ones
		if _, ok := res.FinalClass[id]; ok {
			tracked++
		}
	}
	m := res.Tracking
	if tracked < 8 || len(res.Warnings) != 1 || m.MOTA < 0.72 || m.FalsePositives > 400 {
		t.Fatalf("%d of 9 oncoming actors tracked, MOTA %.3f, %d false positives; warnings %q", tracked, m.MOTA, m.FalsePositives, res.Warnings)
	}
}

// TestTIPathOnTheNextScenarios: through the virtual TI radar, on the
// scenarios of scenarios/next (none trained on, none among the shipped
// ones): a motorway and a rural road seen by the long-range
// configuration, trucks and oncoming traffic up to 150 m away, and fog
// with a heavily cluttered radar and a camera that sees 30 m. Measured:
// MOTA 0.831, 0.821 and 0.764 (0.319, 0.204 and 0.579 before tracks
// gathered a long object's pieces, fusion/fragments.go).
func TestTIPathOnTheNextScenarios(t *testing.T) {
	tier.Integration(t)
	for name, floor := range map[string]float64{"highway": 0.78, "rural": 0.77, "fog": 0.71} {
		if m := runTI(t, "scenarios/next/"+name+".yaml").Tracking; m.MOTA < floor {
			t.Errorf("%s: MOTA %.3f, want at least %.2f (%d false positives, %d misses)", name, m.MOTA, floor, m.FalsePositives, m.Misses)
		}
	}
}

// TestGuardRailsThroughTheTIPath: on the roadside scene of
// scenarios/next (guard rails, parked cars, crossing pedestrians), the
// static map holds back the tracks the radar starts along the rails
// where the camera sees no object: measured MOTA 0.555 with 772 false
// positives against 0.137 with 2967 without it.
func TestGuardRailsThroughTheTIPath(t *testing.T) {
	tier.Integration(t)
	node := config.Default()
	with := runTIWith(t, "scenarios/next/roadside.yaml", node).Tracking
	node.Tracker.StaticMap = false
	without := runTIWith(t, "scenarios/next/roadside.yaml", node).Tracking
	if with.MOTA < 0.5 || with.MOTA < without.MOTA+0.3 || float64(with.FalsePositives) > 0.4*float64(without.FalsePositives) {
		t.Errorf("MOTA %.3f with %d false positives; without the static map %.3f with %d", with.MOTA, with.FalsePositives, without.MOTA, without.FalsePositives)
	}
}

// TestObjectPathOnTheNextScenarios: with object-level radar, on the
// scenarios of scenarios/next. In fog the radar reports 45 static clutter
// returns a scan from a moving car: with p_false alone as the share of
// clutter in a gate the tracker confirms tracks on it (MOTA 0.32, 634
// false positives), so fog runs with tracker.clutter_density, which
// weighs each hit by the scan's clutter density (fusion/clutter.go). On
// the roadside scene the static map holds back the tracks on its guard
// rails (measured 0.679; −0.634 without it, fusion/staticmap.go).
func TestObjectPathOnTheNextScenarios(t *testing.T) {
	tier.Integration(t)
	for _, c := range []struct {
		name    string
		clutter bool
		floor   float64
	}{{"highway", false, 0.86}, {"rural", false, 0.82}, {"fog", true, 0.8}, {"roadside", false, 0.6}} {
		sc, err := LoadScenario("scenarios/next/" + c.name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		node := config.Default()
		node.Tracker.ClutterDensity = c.clutter
		res, err := Run(context.Background(), RunConfig{Scenario: sc, Node: node, Start: 1_700_000_000e9})
		if err != nil {
			t.Fatal(err)
		}
		if m := res.Tracking; m.MOTA < c.floor {
			t.Errorf("%s: MOTA %.3f, want at least %.2f (%d false positives, %d misses)", c.name, m.MOTA, c.floor, m.FalsePositives, m.Misses)
		}
	}
}

// TestTIPathTellsWalkersCrossingTogether: through the TI path, walkers
// crossing side by side come as one cluster; their tracks split it
// (fusion's splitMerged) and each keeps its walker: 0.891 on the crossing
// scenario, against 0.845 without the split and the same fusion head.
func TestTIPathTellsWalkersCrossingTogether(t *testing.T) {
	tier.Integration(t)
	if m := runTI(t, "scenarios/crossing.yaml").Tracking; m.MOTA < 0.87 {
		t.Errorf("MOTA %.3f, want at least 0.87 (%d false positives, %d misses)", m.MOTA, m.FalsePositives, m.Misses)
	}
}

// runTI runs the scenario file at path through the virtual TI radar with
// the node's default configuration, as `avfusion sim` does.
func runTI(t *testing.T, path string) *Result {
	t.Helper()
	return runTIWith(t, path, config.Default())
}

// runTIWith is runTI with the node configuration given.
func runTIWith(t *testing.T, path string, node config.Config) *Result {
	t.Helper()
	sc, lines := scenarioWithTI(t, path)
	res, err := Run(context.Background(), RunConfig{Scenario: sc, Node: node, Start: 1_700_000_000e9,
		Radar: RadarTI, RadarConfig: lines})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestBreakdownAddsUpToTheTotals: with RunConfig.Breakdown, every miss
// and false positive of a run is counted under one kind of object, and
// the run scores the same as without.
func TestBreakdownAddsUpToTheTotals(t *testing.T) {
	sc, err := LoadScenario("scenarios/city.yaml")
	if err != nil {
		t.Fatal(err)
	}
	run := func(breakdown bool) eval.Metrics {
		res, err := Run(context.Background(), RunConfig{Scenario: sc, Node: config.Default(), Duration: 10 * time.Second, Start: 1_700_000_000e9, Breakdown: breakdown})
		if err != nil {
			t.Fatal(err)
		}
		return res.Tracking
	}
	plain, broken := run(false), run(true)
	sum := func(m map[string]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	if plain.MissesByKind != nil || broken.Misses != plain.Misses || broken.FalsePositives != plain.FalsePositives ||
		sum(broken.MissesByKind) != broken.Misses || sum(broken.FalsePositivesByKind) != broken.FalsePositives || broken.Misses == 0 {
		t.Fatalf("without: %d misses, %d false positives; with: %d (%v), %d (%v)", plain.Misses, plain.FalsePositives,
			broken.Misses, broken.MissesByKind, broken.FalsePositives, broken.FalsePositivesByKind)
	}
	if _, ok := broken.MissesByKind["pedestrian moving >=60 m"]; !ok {
		t.Fatalf("kinds %v", broken.MissesByKind)
	}
}

func TestTIRadarPath(t *testing.T) {
	tier.Integration(t)
	sc, err := LoadScenario("scenarios/following.yaml")
	if err != nil {
		t.Fatal(err)
	}
	run := func() *Result {
		res, err := Run(context.Background(), RunConfig{
			Scenario:    sc,
			Node:        trackerOnly(50 * time.Millisecond),
			Duration:    10 * time.Second,
			Start:       1_700_000_000e9,
			Radar:       RadarTI,
			RadarConfig: builtinTI(t),
		})
		if err != nil {
			t.Fatal(err)
		}
		res.CycleMs, res.HeapStartMB, res.HeapEndMB = fusion.Percentiles{}, 0, 0
		return res
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs differ:\n%+v\n%+v", a, b)
	}
	if a.Tracking.MOTA < 0.85 {
		t.Fatalf("MOTA %.3f through the TI path on following traffic", a.Tracking.MOTA)
	}
}

// TestTIRadarRealtime runs the TI path in real time, where the emulator's
// worker makes radar frames concurrently with the camera's (the race
// detector watches the shared world) and paces them at the baud rate.
func TestTIRadarRealtime(t *testing.T) {
	tier.Integration(t)
	sc, err := LoadScenario("scenarios/urban.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), RunConfig{
		Scenario: sc, Node: trackerOnly(50 * time.Millisecond), Duration: 3 * time.Second, Realtime: true,
		Radar: RadarTI, RadarConfig: builtinTI(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cycles != 60 || res.Tracking.MOTA < 0.3 {
		t.Fatalf("%d cycles, MOTA %.3f", res.Cycles, res.Tracking.MOTA)
	}
}

// TestLateCameraScansAreRetrodicted: with the camera's frames arriving
// 400 ms after capture but the watermark waiting only 100 ms, every camera
// scan is late. Dropped, the camera is lost to the tracker; retrodicted,
// its classes still reach the tracks, and none is dropped.
func TestLateCameraScansAreRetrodicted(t *testing.T) {
	run := func(retrodict bool) *Result {
		sc, err := LoadScenario("scenarios/crossing.yaml")
		if err != nil {
			t.Fatal(err)
		}
		sc.Camera.Latency = 400 * time.Millisecond
		node := trackerOnly(time.Second)
		node.MaxLatency = 100 * time.Millisecond
		if retrodict {
			node.LateScans = config.Retrodict
		}
		res, err := Run(context.Background(), RunConfig{Scenario: sc, Node: node, Start: 1_700_000_000e9})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	dropped, retro := run(false), run(true)
	t.Logf("dropped: MOTA %.3f, %d late scans dropped, class accuracy %.3f; retrodicted: MOTA %.3f, %d dropped, class accuracy %.3f",
		dropped.Tracking.MOTA, dropped.DroppedLate, dropped.ClassAccuracy, retro.Tracking.MOTA, retro.DroppedLate, retro.ClassAccuracy)
	if dropped.DroppedLate == 0 || retro.DroppedLate != 0 {
		t.Fatalf("late scans dropped: %d without retrodiction, %d with", dropped.DroppedLate, retro.DroppedLate)
	}
	// Tracking stays about as good: the late frames' bearings come through
	// the one-lag approximation, 400 ms old.
	if retro.ClassAccuracy <= dropped.ClassAccuracy || retro.Tracking.MOTA < dropped.Tracking.MOTA-0.02 {
		t.Fatalf("retrodiction did not help: MOTA %.3f vs %.3f, class accuracy %.3f vs %.3f",
			retro.Tracking.MOTA, dropped.Tracking.MOTA, retro.ClassAccuracy, dropped.ClassAccuracy)
	}
}

// diagnosticsSink keeps every diagnostics window.
type diagnosticsSink struct{ windows []fusion.Diagnostics }

func (s *diagnosticsSink) Publish(*fusion.Output) error { return nil }
func (s *diagnosticsSink) PublishDiagnostics(d *fusion.Diagnostics) error {
	c := *d
	c.Sensors = append([]fusion.SensorHealth(nil), d.Sensors...)
	s.windows = append(s.windows, c)
	return nil
}

// TestDeadRadarIsReportedAndFusionGoesOn: in radar_failure the radar stops
// at 10 s. Diagnostics call it silent from then on (and not before), the
// camera keeps being fused, and the run still tracks well.
func TestDeadRadarIsReportedAndFusionGoesOn(t *testing.T) {
	sc, err := LoadScenario("scenarios/radar_failure.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sink := &diagnosticsSink{}
	node := trackerOnly(time.Second)
	res, err := Run(context.Background(), RunConfig{Scenario: sc, Node: node, Start: 1_700_000_000e9, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	var silentBefore, silentAfter, cameraAfter int
	for _, d := range sink.windows {
		at := d.Stamp.Sub(1_700_000_000e9)
		for _, s := range d.Sensors {
			switch {
			case s.Sensor == perception.Radar && s.Silent && at < sc.Radar.FailAt:
				silentBefore++
			case s.Sensor == perception.Radar && s.Silent && at > sc.Radar.FailAt+time.Second:
				silentAfter++
			case s.Sensor == perception.Camera && at > sc.Radar.FailAt+time.Second && s.RateHz > 25:
				cameraAfter++
			}
		}
	}
	after := int((sc.Duration-sc.Radar.FailAt)/time.Second) - 2
	t.Logf("%d windows; radar silent in %d before the failure, %d after; camera fused at full rate in %d after; MOTA %.3f",
		len(sink.windows), silentBefore, silentAfter, cameraAfter, res.Tracking.MOTA)
	if silentBefore != 0 || silentAfter < after || cameraAfter < after || res.Tracking.MOTA < 0.6 {
		t.Fatalf("radar silent %d before / %d after (want 0 / ≥%d), camera at rate in %d windows after, MOTA %.3f",
			silentBefore, silentAfter, after, cameraAfter, res.Tracking.MOTA)
	}
}

// TestPublishesAtTheRadarsDeliveryOnEveryScenario: by default
// (cycle_on_scan) a cycle runs as soon as the radar's scan has arrived,
// so with a radar that delivers 15 ms after capture the capture-to-publish
// latency p99 is 15 ms, not the wait for the next 20 Hz tick, on every
// shipped scenario whose radar lives (virtual clock: the node's compute
// is not on it). When the radar dies the camera leads, its own 60 ms
// delivery the floor: a radar silent for three of its intervals no
// longer holds the camera's frames back, so the p99 stays at the floor.
func TestPublishesAtTheRadarsDeliveryOnEveryScenario(t *testing.T) {
	for _, sc := range shippedScenarios(t) {
		sc.Radar.Latency = 15 * time.Millisecond
		res, err := Run(context.Background(), RunConfig{Scenario: sc, Node: config.Default(), Start: 1_700_000_000e9})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-14s latency p50 %.1f p99 %.1f ms (delivery p99 %.1f, node p99 %.1f), MOTA %.3f", sc.Name, res.LatencyMs.P50, res.LatencyMs.P99, res.DeliveryMs.P99, res.NodeMs.P99, res.Tracking.MOTA)
		want := 17.0
		if sc.Radar.FailAt > 0 {
			want = sc.Camera.Latency.Seconds()*1e3 + 2
		}
		if res.LatencyMs.P99 > want {
			t.Errorf("%s: latency p99 %.1f ms, want at most %.0f", sc.Name, res.LatencyMs.P99, want)
		}
	}
}
