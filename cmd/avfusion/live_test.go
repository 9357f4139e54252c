package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/avfusion/avfusion/ros/rostest"
)

// standingScenario has a parked ego vehicle and cars driving towards and
// away from it inside the radar's view, for a minute.
const standingScenario = `
name: standing
duration: 60s
seed: 5
ego: {speed: 0, yaw_rate: 0}
sensors:
  radar: {rate_hz: 20, fov_deg: 120, max_range_m: 80, range_std_m: 0.15,
          azimuth_std_deg: 1.5, velocity_std_mps: 0.1, p_detect: 0.9, clutter_per_frame: 3, latency: 10ms}
actors:
  - {id: 1, class: car, position: [15, 3], velocity: [0.5, 0]}
  - {id: 2, class: car, position: [60, -3], velocity: [-0.5, 0]}
  - {id: 3, class: truck, position: [35, 8], velocity: [0.3, 0]}
`

func startEmulator(t *testing.T, bin, scenario, dir string) *exec.Cmd {
	t.Helper()
	_ = os.Remove(filepath.Join(dir, "cli"))
	cmd := exec.Command(bin, "radar", "emulate", "--scenario", scenario, "--link", dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	rostest.Start(t, cmd)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(dir, "cli")); err == nil {
			return cmd
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the emulator made no %s/cli:\n%s", dir, out.String())
	return nil
}

// TestLiveNodeSurvivesRadarUnplug runs `avfusion run` on the virtual TI
// radar through its serial devices, against a real roscore, unplugs the
// radar (its pseudo-terminals vanish) and plugs a new one in under the
// same names. The recorded topics must show the loss on /diagnostics, the
// node reconnecting, and tracks again.
func TestLiveNodeSurvivesRadarUnplug(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	scenario := filepath.Join(dir, "standing.yaml")
	if err := os.WriteFile(scenario, []byte(standingScenario), 0o600); err != nil {
		t.Fatal(err)
	}
	master := rostest.StartMaster(t)
	emulator := startEmulator(t, bin, scenario, dir)
	bag := filepath.Join(dir, "replug.bag")
	rec := master.Record(t, bag, "/obstacles/tracks", "/diagnostics", "/radar/points")

	node := master.Command(bin, "run", "--radar-cli", filepath.Join(dir, "cli"), "--radar-data", filepath.Join(dir, "data"),
		"--radar-config", "../../launch/ti/xwr68xx_20hz.cfg", "--status", "off", "--duration", "40s")
	var nodeOut bytes.Buffer
	node.Stdout, node.Stderr = &nodeOut, &nodeOut
	rostest.Start(t, node)

	time.Sleep(6 * time.Second)
	rostest.StopCmd(emulator) // unplug
	time.Sleep(3 * time.Second)
	startEmulator(t, bin, scenario, dir) // plug back in
	time.Sleep(8 * time.Second)
	rec.Finish(t)

	out, err := exec.Command("/usr/bin/python3", "testdata/check_replug.py", bag).CombinedOutput()
	if err != nil {
		t.Fatalf("check_replug.py: %v\n%s\nnode log:\n%s", err, out, nodeOut.String())
	}
	t.Logf("%s", out)
}
