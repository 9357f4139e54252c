package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/goroslib/v2"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/diagnostic_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/geometry_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/std_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/ros/msgs/radarmsgs"
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
	var out rostest.Output
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
	var nodeOut rostest.Output
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

// startRunOnTopics starts a roscore and `avfusion run` on ROS inputs for
// 30 s, and returns the master and the node's output.
func startRunOnTopics(t *testing.T) (*rostest.Master, *rostest.Output) {
	t.Helper()
	bin := sharedBinary(t)
	master := rostest.StartMaster(t)
	node := master.Command(bin, "run", "--status", "off", "--duration", "30s")
	nodeOut := &rostest.Output{}
	node.Stdout, node.Stderr = nodeOut, nodeOut
	rostest.Start(t, node)
	return master, nodeOut
}

// TestLiveNodeFusesROSInputs publishes radar_msgs/RadarScan and camera
// boxes from this test through a real roscore to `avfusion run`, and
// reads the fused track back from /obstacles/tracks.
func TestLiveNodeFusesROSInputs(t *testing.T) {
	master, nodeOut := startRunOnTopics(t)
	pubNode := master.Node(t, "test_sensors")
	scans, err := goroslib.NewPublisher(goroslib.PublisherConf{Node: pubNode, Topic: "/radar/scan", Msg: &radarmsgs.RadarScan{}})
	if err != nil {
		t.Fatal(err)
	}
	defer scans.Close()
	boxes, err := goroslib.NewPublisher(goroslib.PublisherConf{Node: pubNode, Topic: "/camera/detections", Msg: &vision_msgs.Detection2DArray{}})
	if err != nil {
		t.Fatal(err)
	}
	defer boxes.Close()
	got := make(chan *derivedobject.ObjectWithCovarianceArray, 100)
	sub, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: pubNode, Topic: "/obstacles/tracks",
		Callback: func(m *derivedobject.ObjectWithCovarianceArray) {
			select {
			case got <- m:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	// A car 20 m ahead of the radar (which sits 3.7 m ahead of base_link)
	// closing at 1 m/s, seen by the radar and by the camera (1.5 m ahead
	// of base_link, 1.4 m up, default 1280×720 lens).
	rig := config.Default().Rig
	deadline := time.Now().Add(20 * time.Second)
	for k := 0; time.Now().Before(deadline); k++ {
		now := time.Now()
		x := 23.7 - 0.05*float64(k)
		scans.Write(&radarmsgs.RadarScan{Header: std_msgs.Header{Stamp: now},
			Returns: []radarmsgs.RadarReturn{{Range: float32(x - 3.7), DopplerVelocity: -1, Amplitude: 20}}})
		// The car's rear face is 2.25 m nearer than its centre.
		depth := x - 1.5 - 2.25
		bottom := rig.Lens.Cy + rig.Lens.Fy*1.4/depth
		width := rig.Lens.Fx * 1.8 / depth
		boxes.Write(&vision_msgs.Detection2DArray{Header: std_msgs.Header{Stamp: now}, Detections: []vision_msgs.Detection2D{{
			Bbox:    vision_msgs.BoundingBox2D{Center: geometry_msgs.Pose2D{X: rig.Lens.Cx, Y: bottom - 20}, SizeX: width, SizeY: 40},
			Results: []vision_msgs.ObjectHypothesisWithPose{{Id: int64(perception.Car), Score: 0.9}},
		}}})
		select {
		case m := <-got:
			if len(m.Objects) == 1 && m.Objects[0].Classification == derivedobject.ClassificationCar &&
				math.Abs(m.Objects[0].Pose.Pose.Position.X-x) < 2 && m.Objects[0].Twist.Twist.Linear.X < -0.3 {
				return
			}
		default:
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no fused car track on /obstacles/tracks\nnode log:\n%s", nodeOut.String())
}

// TestLiveNodeUnderRosbagPlayClock replays a simulated bag with the real
// `rosbag play --clock --loop` into `avfusion run` with /use_sim_time set:
// the node must fuse on the bag's time (its output stamps are the bag's,
// not the wall clock's) and, when the loop jumps back, reset and go on.
func TestLiveNodeUnderRosbagPlayClock(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.bag")
	if out, err := exec.Command(bin, "sim", "--scenario", "../../sim/scenarios/following.yaml", "--duration", "6s", "--bag", in).CombinedOutput(); err != nil {
		t.Fatalf("sim --bag: %v\n%s", err, out)
	}
	master := rostest.StartMaster(t)
	if out, err := master.Command("rosparam", "set", "/use_sim_time", "true").CombinedOutput(); err != nil {
		t.Fatalf("rosparam: %v\n%s", err, out)
	}
	node := master.Command(bin, "run", "--status", "off", "--duration", "60s")
	var nodeOut rostest.Output
	node.Stdout, node.Stderr = &nodeOut, &nodeOut
	rostest.Start(t, node)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(nodeOut.String(), "running") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	out := filepath.Join(dir, "out.bag")
	rec := master.Record(t, out, "/obstacles/tracks")
	play := master.Command("rosbag", "play", "--clock", "--loop", "--quiet", in)
	rostest.Start(t, play)
	time.Sleep(14 * time.Second) // a bit more than two loops of the 6 s bag
	rostest.StopCmd(play)
	rec.Finish(t)

	// rosbag record on simulated time files messages by the bag's time, so
	// the loops interleave in the recording: count them instead of
	// looking for the jump in order.
	script := `
import rosbag, sys
stamps, tracked = [], 0
for _, m, _ in rosbag.Bag(sys.argv[1]).read_messages():
    stamps.append(m.header.stamp.to_sec())
    tracked += len(m.objects) > 0
print(len(stamps), tracked, len(stamps) - len(set(stamps)), min(stamps), max(stamps))
`
	res, err := exec.Command("/usr/bin/python3", "-c", script, out).CombinedOutput()
	if err != nil {
		t.Fatalf("reading the output: %v\n%s", err, res)
	}
	f := strings.Fields(string(res))
	n, _ := strconv.Atoi(f[0])
	tracked, _ := strconv.Atoi(f[1])
	repeats, _ := strconv.Atoi(f[2])
	lo, _ := strconv.ParseFloat(f[3], 64)
	hi, _ := strconv.ParseFloat(f[4], 64)
	t.Logf("%d track messages (%d with objects), %d stamps seen twice, stamps %.2f..%.2f", n, tracked, repeats, lo, hi)
	// The simulator's bags start at 1 700 000 000 s (2023): the node's
	// stamps must come from the bag, not from today's wall clock.
	if lo < 1.7e9 || hi > 1.7e9+7 {
		t.Errorf("output stamps %.2f..%.2f are not the bag's time", lo, hi)
	}
	// One pass of the 6 s bag gives 120 cycles; more, with stamps repeated,
	// means the node went on through a loop.
	if n < 150 || repeats < 20 || tracked < 80 {
		t.Errorf("%d messages (%d stamps repeated), %d with objects", n, repeats, tracked)
	}
	if !strings.Contains(nodeOut.String(), "time jumped back") {
		t.Errorf("the node did not report the loop:\n%s", nodeOut.String())
	}
}

// TestLiveNodeRepairsZeroStamps publishes radar clouds as TI's ROS driver
// does in several of its versions — header stamp 0, no frame_id — to
// `avfusion run` through a real roscore: the node must still track the
// object in them, and say on /diagnostics that it repaired the stamps and
// assumed the frame.
func TestLiveNodeRepairsZeroStamps(t *testing.T) {
	master, nodeOut := startRunOnTopics(t)
	pubNode := master.Node(t, "ti_mmwave")
	clouds, err := goroslib.NewPublisher(goroslib.PublisherConf{Node: pubNode, Topic: "/radar/points", Msg: &sensor_msgs.PointCloud2{}})
	if err != nil {
		t.Fatal(err)
	}
	defer clouds.Close()
	tracked := make(chan bool, 100)
	repaired := make(chan bool, 100)
	sub, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: pubNode, Topic: "/obstacles/tracks",
		Callback: func(m *derivedobject.ObjectWithCovarianceArray) {
			select {
			case tracked <- len(m.Objects) == 1:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	diag, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: pubNode, Topic: "/diagnostics",
		Callback: func(m *diagnostic_msgs.DiagnosticArray) {
			for _, s := range m.Status {
				if !strings.HasSuffix(s.Name, ": input radar/points") {
					continue
				}
				values := map[string]string{}
				for _, kv := range s.Values {
					values[kv.Key] = kv.Value
				}
				select {
				case repaired <- values["repaired_stamps"] != "0" && values["assumed_frames"] != "0" && values["fused"] != "0":
				default:
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer diag.Close()

	// An object 15 m ahead of the radar closing at 1 m/s: three returns a
	// frame around it.
	sawTrack, sawRepair := false, false
	deadline := time.Now().Add(20 * time.Second)
	for k := 0; time.Now().Before(deadline) && (!sawTrack || !sawRepair); k++ {
		x := 15 - 0.05*float64(k)
		pts := []radar.Point{{X: x, Y: -0.3, SNR: 20, Doppler: -1}, {X: x + 0.2, Y: 0, SNR: 22, Doppler: -1}, {X: x, Y: 0.3, SNR: 18, Doppler: -1}}
		clouds.Write(ros.RadarCloud(0, "", pts))
		for drained := false; !drained; {
			select {
			case ok := <-tracked:
				sawTrack = sawTrack || ok
			case ok := <-repaired:
				sawRepair = sawRepair || ok
			default:
				drained = true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !sawTrack || !sawRepair {
		t.Fatalf("zero-stamped clouds: tracked %v, repair reported %v\nnode log:\n%s", sawTrack, sawRepair, nodeOut.String())
	}
	if !strings.Contains(nodeOut.String(), "input stamps repaired") {
		t.Errorf("the node did not log the repair:\n%s", nodeOut.String())
	}
}
