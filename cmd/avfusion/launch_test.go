package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/goroslib/v2"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"

	"github.com/avfusion/avfusion/ros/rostest"
)

// installPackage lays out the avfusion ROS package as an install would: a
// folder with package.xml, the launch and parameter files and the binary,
// found through ROS_PACKAGE_PATH.
func installPackage(t *testing.T, bin string) string {
	t.Helper()
	root := t.TempDir()
	pkg := filepath.Join(root, "avfusion")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"package.xml", "sim.launch", "avfusion.launch", "ti_mmwave.launch", "avfusion.yaml"} {
		data, err := os.ReadFile(filepath.Join("../../launch", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "avfusion"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestRoslaunchSim runs Debian's roslaunch on sim.launch included under a
// namespace with a remap, and checks the node, its topics and its
// parameters appear where the launch file puts them.
func TestRoslaunchSim(t *testing.T) {
	bin := sharedBinary(t)
	master := rostest.StartMaster(t)
	root := installPackage(t, bin)
	scenario, err := filepath.Abs("../../sim/scenarios/crossing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(root, "test.launch")
	launchXML := `<launch>
  <group ns="vehicle1">
    <include file="$(find avfusion)/sim.launch">
      <arg name="scenario" value="` + scenario + `"/>
      <arg name="duration" value="60s"/>
      <arg name="obstacles" value="detected"/>
    </include>
  </group>
</launch>
`
	if err := os.WriteFile(wrapper, []byte(launchXML), 0o644); err != nil {
		t.Fatal(err)
	}
	launch := master.Command("roslaunch", wrapper)
	launch.Env = append(launch.Env, "ROS_PACKAGE_PATH="+root)
	var out rostest.Output
	launch.Stdout, launch.Stderr = &out, &out
	rostest.Start(t, launch)

	want := []string{"/vehicle1/detected", "/vehicle1/obstacles/tracks", "/vehicle1/obstacles/markers", "/diagnostics"}
	deadline := time.Now().Add(40 * time.Second)
	var topics string
	for time.Now().Before(deadline) {
		o, _ := master.Command("rostopic", "list").Output()
		topics = string(o)
		missing := false
		for _, w := range want {
			if !strings.Contains(topics, w+"\n") {
				missing = true
			}
		}
		if !missing {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	for _, w := range want {
		if !strings.Contains(topics, w+"\n") {
			t.Fatalf("topic %s missing; topics:\n%s\nroslaunch:\n%s", w, topics, out.String())
		}
	}
	if strings.Contains(topics, "/vehicle1/obstacles\n") {
		t.Errorf("obstacles was not remapped:\n%s", topics)
	}
	nodes, _ := master.Command("rosnode", "list").Output()
	if !strings.Contains(string(nodes), "/vehicle1/avfusion") {
		t.Errorf("node not under the launch namespace:\n%s", nodes)
	}
	param, err := master.Command("rosparam", "get", "/vehicle1/avfusion/tracker/gate_probability").Output()
	if err != nil || strings.TrimSpace(string(param)) != "0.999" {
		t.Errorf("parameters not loaded under the node: %q %v", param, err)
	}
	// The node publishes obstacles on the remapped topic. (rostopic cannot
	// read them: vision_msgs is not installed, so a Go subscriber does.)
	sub := master.Node(t, "launch_test")
	got := make(chan string, 1)
	s, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: sub, Topic: "/vehicle1/detected",
		Callback: func(m *vision_msgs.Detection3DArray) {
			select {
			case got <- m.Header.FrameId:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	select {
	case frame := <-got:
		if frame != "odom" {
			t.Errorf("frame %q on /vehicle1/detected", frame)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("nothing on /vehicle1/detected\nroslaunch:\n%s", out.String())
	}
}

// TestTIMmwaveLaunchRemapsTheDriversTopics asks Debian's roslaunch what
// ti_mmwave.launch would run: the node reads the driver's clouds, or with
// per_point:=true its per-point scans, never both.
func TestTIMmwaveLaunchRemapsTheDriversTopics(t *testing.T) {
	root := installPackage(t, sharedBinary(t))
	for _, c := range []struct {
		arg, want, not string
	}{
		{"per_point:=false", "radar/points:=/ti_mmwave/radar_scan_pcl", "radar/ti_scan:="},
		{"per_point:=true", "radar/ti_scan:=/ti_mmwave/radar_scan", "radar/points:="},
	} {
		cmd := exec.Command("roslaunch", "--dump-params", "avfusion", "ti_mmwave.launch", c.arg)
		cmd.Env = append(os.Environ(), "ROS_PACKAGE_PATH="+root)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("roslaunch --dump-params %s: %v\n%s", c.arg, err, out)
		}
		cmd = exec.Command("roslaunch", "--args", "avfusion", "avfusion", "ti_mmwave.launch", c.arg)
		cmd.Env = append(os.Environ(), "ROS_PACKAGE_PATH="+root)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("roslaunch --args %s: %v\n%s", c.arg, err, out)
		}
		if !strings.Contains(string(out), c.want) || strings.Contains(string(out), c.not) {
			t.Errorf("%s: the node runs as %s, want the remap %s and not %s", c.arg, out, c.want, c.not)
		}
	}
}
