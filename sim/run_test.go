package sim

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception/radar"
)

func runScenario(t *testing.T, path string) *Result {
	t.Helper()
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), RunConfig{
		Scenario:       sc,
		Engine:         EngineConfigFor(sc, fusion.DefaultParams(), calib.DefaultRig()),
		OutputHz:       20,
		Deadline:       50 * time.Millisecond,
		Start:          1_700_000_000e9,
		MatchDistanceM: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestShippedScenariosMOTA is the walking skeleton's acceptance test: with
// radar and camera together every shipped scenario reaches MOTA ≥ 0.80.
func TestShippedScenariosMOTA(t *testing.T) {
	files, _ := filepath.Glob("scenarios/*.yaml")
	if len(files) < 6 {
		t.Fatalf("want at least 6 shipped scenarios, found %d", len(files))
	}
	for _, f := range files {
		res := runScenario(t, f)
		m := res.Tracking
		t.Logf("%-22s MOTA %.3f MOTP %.2f m IDF1 %.3f sw %d fp %d miss %d gt %d lat p50 %.0f ms",
			filepath.Base(f), m.MOTA, m.MOTP, m.IDF1, m.Switches, m.FalsePositives, m.Misses, m.GroundTruthFrames, res.LatencyMs.P50)
		if m.MOTA < 0.80 {
			t.Errorf("%s: MOTA %.3f < 0.80", f, m.MOTA)
		}
		if m.GroundTruthFrames == 0 {
			t.Errorf("%s: no ground truth in coverage", f)
		}
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
func TestTIRadarPath(t *testing.T) {
	sc, err := LoadScenario("scenarios/following.yaml")
	if err != nil {
		t.Fatal(err)
	}
	run := func() *Result {
		res, err := Run(context.Background(), RunConfig{
			Scenario:        sc,
			Engine:          EngineConfigFor(sc, fusion.DefaultParams(), calib.DefaultRig()),
			OutputHz:        20,
			Deadline:        50 * time.Millisecond,
			Duration:        10 * time.Second,
			Start:           1_700_000_000e9,
			MatchDistanceM:  2,
			Radar:           RadarTI,
			RadarConfig:     "../" + DefaultTIConfig,
			RadarPerception: radar.DefaultParams(),
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
	sc, err := LoadScenario("scenarios/urban.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), RunConfig{
		Scenario: sc, Engine: EngineConfigFor(sc, fusion.DefaultParams(), calib.DefaultRig()),
		OutputHz: 20, Deadline: 50 * time.Millisecond, Duration: 3 * time.Second, Realtime: true, MatchDistanceM: 2,
		Radar: RadarTI, RadarConfig: "../" + DefaultTIConfig, RadarPerception: radar.DefaultParams(),
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
// it still helps, and none is dropped.
func TestLateCameraScansAreRetrodicted(t *testing.T) {
	run := func(retrodict bool) *Result {
		sc, err := LoadScenario("scenarios/crossing.yaml")
		if err != nil {
			t.Fatal(err)
		}
		sc.Camera.Latency = 400 * time.Millisecond
		ecfg := EngineConfigFor(sc, fusion.DefaultParams(), calib.DefaultRig())
		ecfg.MaxLatency, ecfg.RetrodictLate = 100*time.Millisecond, retrodict
		res, err := Run(context.Background(), RunConfig{Scenario: sc, Engine: ecfg, OutputHz: 20, Deadline: time.Second,
			Start: 1_700_000_000e9, MatchDistanceM: 2})
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
	if retro.ClassAccuracy <= dropped.ClassAccuracy || retro.Tracking.MOTA < dropped.Tracking.MOTA {
		t.Fatalf("retrodiction did not help: MOTA %.3f vs %.3f, class accuracy %.3f vs %.3f",
			retro.Tracking.MOTA, dropped.Tracking.MOTA, retro.ClassAccuracy, dropped.ClassAccuracy)
	}
}
