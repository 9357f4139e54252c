package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avfusion/avfusion/ros/rostest"
)

// TestSimPublishesOnRealROS runs `avfusion sim --ros` against a real
// roscore, records its output with the real `rosbag record`, and checks the
// recorded messages with the real rosbag Python module.
func TestSimPublishesOnRealROS(t *testing.T) {
	bin := sharedBinary(t)
	master := rostest.StartMaster(t)
	bag := filepath.Join(t.TempDir(), "out.bag")
	rec := master.Record(t, bag, "/obstacles", "/obstacles/tracks", "/obstacles/markers", "/diagnostics")

	sim := master.Command(bin, "sim", "--ros", "--json", "--scenario", "../../sim/scenarios/crossing.yaml", "--duration", "8s")
	var stderr strings.Builder
	sim.Stderr = &stderr
	stdout, err := sim.Output()
	if err != nil {
		t.Fatalf("avfusion sim --ros: %v\n%s", err, stderr.String())
	}
	var summary simSummary
	if err := json.Unmarshal(stdout, &summary); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	if summary.Cycles < 150 || summary.Tracking.MOTA < 0.8 {
		t.Errorf("summary %+v: want ≥150 cycles and MOTA ≥ 0.8", summary)
	}
	rec.Finish(t)

	check := exec.Command("/usr/bin/python3", "testdata/check_bag.py", bag, "odom")
	out, err := check.CombinedOutput()
	if err != nil {
		t.Fatalf("check_bag.py: %v\n%s", err, out)
	}
	t.Logf("recorded: %s", out)

	info, err := master.Command("rosbag", "info", "--yaml", "--key=topics", bag).Output()
	if err != nil {
		t.Fatalf("rosbag info: %v", err)
	}
	for _, topic := range []string{"/obstacles/markers", "/diagnostics"} {
		if !strings.Contains(string(info), topic) {
			t.Errorf("rosbag info lists no %s:\n%s", topic, info)
		}
	}
}
