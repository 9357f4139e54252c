package ros

import (
	"math"
	"testing"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/visualization_msgs"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
)

func testOutput() *fusion.Output {
	tr := fusion.TrackState{ID: 7, Class: perception.Pedestrian, ClassProb: 0.8, Existence: 0.99}
	tr.X = [4]float64{10, -2, 0, 1.5}
	tr.P[0][0], tr.P[1][1], tr.P[0][1], tr.P[1][0] = 0.04, 0.09, 0.01, 0.01
	tr.P[2][2], tr.P[3][3] = 0.25, 0.36
	tr.Probs[perception.Pedestrian], tr.Probs[perception.Cyclist] = 0.8, 0.2
	return &fusion.Output{Stamp: 1_700_000_000_500_000_000, Tracks: []fusion.TrackState{tr}, Deleted: []uint32{3}}
}

func TestTracksMessage(t *testing.T) {
	msg := Tracks(testOutput(), "odom")
	if msg.Header.FrameId != "odom" || msg.Header.Stamp.UnixNano() != 1_700_000_000_500_000_000 || len(msg.Objects) != 1 {
		t.Fatalf("header %+v, %d objects", msg.Header, len(msg.Objects))
	}
	o := msg.Objects[0]
	if o.Id != 7 || o.Classification != derivedobject.ClassificationPedestrian || o.ClassificationCertainty != 204 ||
		!o.ObjectClassified || o.DetectionLevel != derivedobject.ObjectTracked {
		t.Fatalf("object %+v", o)
	}
	if o.Pose.Pose.Position.X != 10 || o.Pose.Covariance[0] != 0.04 || o.Pose.Covariance[1] != 0.01 || o.Pose.Covariance[7] != 0.09 {
		t.Fatalf("pose %+v", o.Pose)
	}
	if o.Twist.Twist.Linear.Y != 1.5 || o.Twist.Covariance[7] != 0.36 {
		t.Fatalf("twist %+v", o.Twist)
	}
	// Heading follows the velocity: +y is a quarter turn.
	if q := o.Pose.Pose.Orientation; math.Abs(q.Z-math.Sin(math.Pi/4)) > 1e-12 || math.Abs(q.W-math.Cos(math.Pi/4)) > 1e-12 {
		t.Fatalf("orientation %+v", q)
	}
}

func TestObstaclesMessage(t *testing.T) {
	msg := Obstacles(testOutput(), "odom")
	d := msg.Detections[0]
	if len(d.Results) != 2 || d.Results[0].Id != int64(perception.Pedestrian) || d.Results[0].Score != 0.8 {
		t.Fatalf("results %+v", d.Results)
	}
	if d.Bbox.Size.Z != perception.TypicalSize(perception.Pedestrian)[2] {
		t.Fatalf("bbox %+v", d.Bbox)
	}
}

func TestMarkersDeleteDeadTracks(t *testing.T) {
	msg := Markers(testOutput(), "odom")
	adds, deletes := map[string]int32{}, map[string]int32{}
	for _, m := range msg.Markers {
		switch int32(m.Action) {
		case int32(visualization_msgs.Marker_ADD):
			adds[m.Ns] = m.Id
		case int32(visualization_msgs.Marker_DELETE):
			deletes[m.Ns] = m.Id
		}
	}
	for _, ns := range []string{"boxes", "ids", "velocity"} {
		if adds[ns] != 7 || deletes[ns] != 3 {
			t.Errorf("namespace %s: add id %d delete id %d, want 7 and 3", ns, adds[ns], deletes[ns])
		}
	}
}

func TestDiagnosticLevels(t *testing.T) {
	d := &fusion.Diagnostics{CycleHz: 20, Window: 1e9, Sensors: []fusion.SensorHealth{{Sensor: perception.Radar, RateHz: 20}}}
	if msg := DiagnosticArray(d, "avfusion"); msg.Status[0].Level != 0 || msg.Status[1].Name != "avfusion: radar" {
		t.Fatalf("healthy: %+v", msg.Status)
	}
	d.DeadlineMisses = 1
	if lvl := DiagnosticArray(d, "avfusion").Status[0].Level; lvl != 1 {
		t.Fatalf("one miss: level %d, want WARN", lvl)
	}
	d.DeadlineMisses = 5
	if lvl := DiagnosticArray(d, "avfusion").Status[0].Level; lvl != 2 {
		t.Fatalf("a quarter of cycles missed: level %d, want ERROR", lvl)
	}
	d.DeadlineMisses = 0
	d.Sensors[0].Silent = true
	msg := DiagnosticArray(d, "avfusion")
	if msg.Status[0].Level != 2 || msg.Status[1].Level != 2 || msg.Status[1].Message != "silent" {
		t.Fatalf("silent radar: %+v", msg.Status)
	}
}

func TestMasterAddress(t *testing.T) {
	for uri, want := range map[string]string{"http://127.0.0.1:11411/": "127.0.0.1:11411", "http://robot:11311": "robot:11311"} {
		if got, err := MasterAddress(uri); err != nil || got != want {
			t.Errorf("%s: %q %v", uri, got, err)
		}
	}
	if _, err := MasterAddress("not a uri"); err == nil {
		t.Error("bad URI accepted")
	}
}
