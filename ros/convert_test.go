package ros

import (
	"math"
	"testing"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros/msgs/radarmsgs"
)

func TestRadarCloudRoundTrip(t *testing.T) {
	pts := []radar.Point{{X: 10, Y: -2, Z: 0.5, Doppler: -3.25, SNR: 17.5}, {X: 40, Y: 5, Z: 1, Doppler: 0, SNR: 9}}
	msg := RadarCloud(5e9, "radar", pts)
	if msg.PointStep != 32 || msg.Width != 2 || len(msg.Data) != 64 || msg.Fields[3].Name != "intensity" || msg.Fields[4].Offset != 20 {
		t.Fatalf("layout %+v", msg.Fields)
	}
	back, err := RadarPoints(nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pts {
		if back[i] != pts[i] { // all values are exact in float32
			t.Fatalf("point %d: %+v, want %+v", i, back[i], pts[i])
		}
	}
	msg.Fields = msg.Fields[1:]
	if _, err := RadarPoints(nil, msg); err == nil {
		t.Fatal("cloud without x accepted")
	}
	short := RadarCloud(0, "radar", pts)
	short.Data = short.Data[:40]
	if _, err := RadarPoints(nil, short); err == nil {
		t.Fatal("truncated cloud accepted")
	}
	var empty sensor_msgs.PointCloud2
	if _, err := RadarPoints(nil, &empty); err == nil {
		t.Fatal("cloud without fields accepted")
	}
}

func TestOdometryRoundTrip(t *testing.T) {
	e := fusion.Ego{Stamp: 7e9, X: 3, Y: -4, Yaw: 0.3, Speed: 12, YawRate: 0.05}
	got := EgoFromOdometry(Odometry(e, "odom", "base_link"))
	if got.Stamp != e.Stamp || got.X != e.X || got.Y != e.Y || math.Abs(got.Yaw-e.Yaw) > 1e-12 || got.Speed != e.Speed || got.YawRate != e.YawRate {
		t.Fatalf("%+v, want %+v", got, e)
	}
}

func TestCameraBoxesRoundTrip(t *testing.T) {
	rig := calib.DefaultRig()
	var probs perception.ClassProbs
	probs[perception.Car] = 0.9
	probs[perception.Truck] = 0.1
	d := perception.Detection{Box: [4]float64{600, 300, 80, 70}, Class: probs}
	msg := CameraBoxes(1e9, "camera", []perception.Detection{d})
	dets := CameraDetections(nil, msg, 1e9, rig.Lens, rig.Camera, 3)
	if len(dets) != 1 {
		t.Fatalf("%d detections", len(dets))
	}
	got := dets[0]
	if got.Box != d.Box || got.Class[perception.Car] != 0.9 || got.Score != 0.9 || got.Sensor != perception.Camera {
		t.Fatalf("%+v", got)
	}
	// The bottom edge at 370 px is 10 px below the principal point: with
	// fy = 640 and the camera 1.4 m up, the nearest face is 89.6 m ahead;
	// the box is centred, so the bearing is 0.
	if math.Abs(got.Z[perception.CameraBearing]) > 1e-12 || got.Z[perception.CameraRange] < 89.6 {
		t.Fatalf("bearing %g range %g", got.Z[0], got.Z[1])
	}
}

func TestRadarScanPoints(t *testing.T) {
	msg := &radarmsgs.RadarScan{Returns: []radarmsgs.RadarReturn{{Range: 10, Azimuth: float32(math.Pi / 6), Elevation: 0, DopplerVelocity: -2, Amplitude: 15}}}
	p := RadarScanPoints(nil, msg)[0]
	if math.Abs(p.X-10*math.Cos(math.Pi/6)) > 1e-5 || math.Abs(p.Y-5) > 1e-5 || p.Z != 0 || p.Doppler != -2 || p.SNR != 15 {
		t.Fatalf("%+v", p)
	}
}
