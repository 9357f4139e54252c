//go:build cgo

package render

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/sim"
)

// worldOf builds a world with a standing ego and the given actors.
func worldOf(t *testing.T, actors string) *sim.World {
	t.Helper()
	sc, err := sim.ParseScenario([]byte(`name: t
duration: 1s
seed: 1
ego: {speed: 0, yaw_rate: 0}
sensors:
  camera: {rate_hz: 10, fov_deg: 90, max_range_m: 60, p_detect: 1, bbox_std_px: 2, latency: 0s}
actors:
` + actors))
	if err != nil {
		t.Fatal(err)
	}
	return sim.NewWorld(sc, calib.DefaultRig(), 0)
}

// TestRenderedActorsProjectBack renders a pedestrian 10 m ahead of the
// camera and 2 m to its left, finds it with the sim detector and projects
// the box: the bearing and range come back.
func TestRenderedActorsProjectBack(t *testing.T) {
	w := worldOf(t, "  - {id: 1, class: pedestrian, position: [11.5, 2], velocity: [0, 0]}\n")
	rig := w.Rig()
	r := New(rig.Lens, rig.Camera)
	defer r.Close()
	det := vision.NewSimDetector()
	defer det.Close()
	boxes, err := det.Detect(r.Render(w, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(boxes) != 1 || boxes[0].Class != perception.Pedestrian {
		t.Fatalf("found %+v, want one pedestrian", boxes)
	}
	d, ok := vision.Project(0, boxes[0].Box, vision.ClassScores(perception.Pedestrian, 0.9), 0.9, rig.Lens, rig.Camera, 1)
	if !ok {
		t.Fatal("box not ranged")
	}
	wantBearing, wantRange := math.Atan2(2, 10), math.Hypot(10, 2)
	if math.Abs(d.Z[perception.CameraBearing]-wantBearing) > 0.01 || math.Abs(d.Z[perception.CameraRange]-wantRange) > 0.03*wantRange {
		t.Fatalf("bearing %.3f range %.2f, want %.3f and %.2f", d.Z[0], d.Z[1], wantBearing, wantRange)
	}
}

// TestRenderingHidesWhatIsBehind: a pedestrian straight behind a truck is
// not seen; one beside it is. (Behind a car, a pedestrian's head shows
// over the roof, and the detector finds it.)
func TestRenderingHidesWhatIsBehind(t *testing.T) {
	w := worldOf(t, `  - {id: 1, class: truck, position: [11.5, 0], velocity: [0, 0]}
  - {id: 2, class: pedestrian, position: [20, 0], velocity: [0, 0]}
  - {id: 3, class: pedestrian, position: [20, 6], velocity: [0, 0]}
`)
	rig := w.Rig()
	r := New(rig.Lens, rig.Camera)
	defer r.Close()
	det := vision.NewSimDetector()
	defer det.Close()
	boxes, err := det.Detect(r.Render(w, 0))
	if err != nil {
		t.Fatal(err)
	}
	count := map[perception.Class]int{}
	for _, b := range boxes {
		count[b.Class]++
	}
	if count[perception.Truck] != 1 || count[perception.Pedestrian] != 1 {
		t.Fatalf("found %v; want the truck and only the pedestrian beside it", count)
	}
}

// TestRenderedCameraPathTracks runs shipped scenarios with the camera
// going through rendered images, the sim detector and the projection
// instead of the object-level camera model.
func TestRenderedCameraPathTracks(t *testing.T) {
	for _, name := range []string{"crossing", "emergency", "occlusion"} {
		sc, err := sim.LoadScenario("../scenarios/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		rig := sim.NewWorld(sc, calib.DefaultRig(), 0).Rig()
		im := NewImager(rig, vision.NewSimDetector(), 3, sc.Camera.MaxRangeM)
		node := config.Default()
		node.FusionHead, node.LateScans, node.Deadline = config.Bayes, config.Drop, 50*time.Millisecond
		res, err := sim.Run(context.Background(), sim.RunConfig{
			Scenario: sc,
			Node:     node,
			Start:    1_700_000_000e9,
			Imager:   im,
		})
		im.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: MOTA %.3f, IDF1 %.3f", name, res.Tracking.MOTA, res.Tracking.IDF1)
		if res.Tracking.MOTA < 0.8 {
			t.Errorf("%s: MOTA %.3f through rendered images, want ≥ 0.8", name, res.Tracking.MOTA)
		}
	}
}
