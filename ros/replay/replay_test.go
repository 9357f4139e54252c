package replay

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/ros/record"
	"github.com/avfusion/avfusion/sim"
)

// recordScenario runs the simulator on a scenario and records its raw
// streams and ground truth, as `avfusion sim --bag` does.
func recordScenario(tb testing.TB, scenario, path string, duration time.Duration, mode sim.RadarMode) {
	tb.Helper()
	sc, err := sim.LoadScenario(filepath.Join("../../sim/scenarios", scenario))
	if err != nil {
		tb.Fatal(err)
	}
	cfg := config.Default()
	ti, err := launch.ReadTIConfig("")
	if err != nil {
		tb.Fatal(err)
	}
	rec, err := record.NewBag(path, "lz4", sim.NewWorld(sc, cfg.Rig, 0).Rig().Lens, cfg.Frames.Odom, cfg.Frames.BaseLink)
	if err != nil {
		tb.Fatal(err)
	}
	node := cfg
	node.Deadline = time.Second
	_, err = sim.Run(context.Background(), sim.RunConfig{
		Scenario: sc, Node: node,
		Duration: duration, Start: 1_700_000_000e9, Recorder: rec,
		Radar: mode, RadarConfig: ti,
	})
	if err := errors.Join(err, rec.Close()); err != nil {
		tb.Fatal(err)
	}
}

// TestReplayIsDeterministicAndScored records a simulated run, replays it
// twice as fast as possible, and checks the two output bags are
// byte-identical, the real rosbag tool reads them, and the replay is
// scored against the recorded ground truth.
func TestReplayIsDeterministicAndScored(t *testing.T) {
	tier.Integration(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.bag")
	recordScenario(t, "crossing.yaml", in, 10*time.Second, sim.RadarTI)
	var outs [][]byte
	for i := 0; i < 2; i++ {
		out := filepath.Join(dir, "out"+string(rune('a'+i))+".bag")
		res, err := Run(context.Background(), Config{In: in, Out: out, Fast: true, Node: config.Default()})
		if err != nil {
			t.Fatal(err)
		}
		// A cycle on each of the 200 radar scans, and one at the start;
		// every scan clustered ahead, the moving ego's odometry read
		// beside it as the pipeline reads it.
		if res.Cycles != 201 || res.Tracking == nil || res.Tracking.MOTA < 0.6 || len(res.Unused) != 0 || res.ClusteredAhead != 200 {
			t.Fatalf("replay %+v (tracking %+v)", res, res.Tracking)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, data)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatal("two --fast replays of the same bag differ")
	}
	info, err := exec.Command("rosbag", "info", filepath.Join(dir, "outa.bag")).CombinedOutput()
	if err != nil {
		t.Fatalf("rosbag info: %v\n%s", err, info)
	}
	for _, want := range []string{"/obstacles/tracks     201 msgs", "/obstacles            201 msgs", "/diagnostics"} {
		if !strings.Contains(strings.Join(strings.Fields(string(info)), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("rosbag info lacks %q:\n%s", want, info)
		}
	}
}

func TestReplayWindowAndRemap(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.bag")
	recordScenario(t, "following.yaml", in, 6*time.Second, sim.RadarObjects)
	remap, err := ParseRemap([]string{"/camera/detections:=/elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Config{In: in, Fast: true, Start: 2 * time.Second, End: 4 * time.Second, Remap: remap, Node: config.Default()})
	if err != nil {
		t.Fatal(err)
	}
	// Two seconds at 20 Hz, and the camera boxes moved off the topic the
	// node reads.
	if res.Cycles < 39 || res.Cycles > 41 || len(res.Unused) != 1 || res.Unused[0] != "/camera/detections" {
		t.Fatalf("%+v", res)
	}
	if _, err := ParseRemap([]string{"nonsense"}); err == nil {
		t.Fatal("bad remap accepted")
	}
}

// BenchmarkReplay replays ten minutes of simulated urban traffic as fast
// as possible and reports the speed-up over real time.
func BenchmarkReplay(b *testing.B) {
	in := filepath.Join(b.TempDir(), "ten-minutes.bag")
	recordScenario(b, "urban.yaml", in, 10*time.Minute, sim.RadarObjects)
	b.ResetTimer()
	for b.Loop() {
		res, err := Run(context.Background(), Config{In: in, Fast: true, Node: config.Default()})
		if err != nil {
			b.Fatal(err)
		}
		if res.Cycles != 12001 { // one on each radar scan, one at the start
			b.Fatalf("%d cycles", res.Cycles)
		}
	}
	b.ReportMetric(float64(b.N)*600/b.Elapsed().Seconds(), "x_realtime")
}
