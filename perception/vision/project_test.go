package vision

import (
	"math"
	"testing"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
)

func TestProjectRangesByTheGroundPlane(t *testing.T) {
	lens := calib.PinholeForFOV(1280, 720, math.Pi/2) // fx = fy = 640, cx = 640, cy = 360
	mount := calib.Mount{Z: 1.5}
	var probs perception.ClassProbs
	probs[perception.Pedestrian] = 1
	// A pedestrian (a 16 px wide box: 0.5 m at 20 m) whose feet are 48 px
	// below the horizon, centred 64 px left of the principal point: its
	// nearest face is 640·1.5/48 = 20 m along the axis and 2 m to the
	// left; its centre is half a pedestrian (0.25 m) deeper along the axis.
	det, ok := Project(0, Box{568, 200, 16, 208}, probs, 0.8, lens, mount, 2)
	if !ok {
		t.Fatal("not projected")
	}
	forward, lateral := 20.0, 2.0
	depth, _ := perception.DepthFromWidth(perception.Pedestrian, 0.5, 2*math.Sqrt2*20/640)
	forward += depth / 2
	if b := math.Atan2(lateral, forward); math.Abs(det.Z[perception.CameraBearing]-b) > 1e-9 {
		t.Fatalf("bearing %g, want %g", det.Z[0], b)
	}
	if want := math.Hypot(forward, lateral); math.Abs(det.Z[perception.CameraRange]-want) > 1e-9 {
		t.Fatalf("range %g, want %g", det.Z[1], want)
	}
	// Range variance: (r²/(fy·h)·σ)² = (400/960·2)² ≈ 0.69 m², and it
	// grows with distance.
	if det.R[1][1] < 0.6 || det.R[1][1] > 0.9 {
		t.Fatalf("range variance %g", det.R[1][1])
	}
	far, _ := Project(0, Box{556, 300, 10, 72}, probs, 0.8, lens, mount, 2)
	if far.R[1][1] <= det.R[1][1] {
		t.Fatalf("farther box is not less certain: %g vs %g", far.R[1][1], det.R[1][1])
	}
	if _, ok := Project(0, Box{600, 100, 40, 200}, probs, 0.8, lens, mount, 2); ok {
		t.Fatal("a box ending above the horizon was ranged")
	}
}

// TestProjectUndistortsFirst: the same pedestrian seen through a lens
// with barrel distortion lands on other pixels, and projecting those
// pixels gives the same bearing and range as the undistorted view.
func TestProjectUndistortsFirst(t *testing.T) {
	plain := calib.PinholeForFOV(1280, 720, math.Pi/2)
	barrel := plain
	barrel.Distortion = calib.Distortion{K1: -0.3, K2: 0.1, P1: 0.001, P2: -0.001}
	mount := calib.Mount{Z: 1.5}
	var probs perception.ClassProbs
	probs[perception.Pedestrian] = 1
	box := Box{900, 300, 40, 180} // right of centre, feet 120 px below the horizon
	want, ok := Project(0, box, probs, 0.9, plain, mount, 2)
	if !ok {
		t.Fatal("not projected")
	}
	// Where the barrel lens puts the box's corners.
	nx := func(u float64) float64 { return (u - plain.Cx) / plain.Fx }
	ny := func(v float64) float64 { return (v - plain.Cy) / plain.Fy }
	l, b := barrel.Project(nx(box[0]), ny(box[1]+box[3]))
	r, _ := barrel.Project(nx(box[0]+box[2]), ny(box[1]+box[3]))
	_, top := barrel.Project(nx(box[0]+box[2]/2), ny(box[1]))
	got, ok := Project(0, Box{l, top, r - l, b - top}, probs, 0.9, barrel, mount, 2)
	if !ok {
		t.Fatal("distorted box not projected")
	}
	// A box is axis-aligned in the distorted image, so its bottom edge's
	// midpoint is not exactly the distorted foot point: 1% is left.
	if math.Abs(got.Z[0]-want.Z[0]) > 1e-3 || math.Abs(got.Z[1]-want.Z[1]) > 0.01*want.Z[1] {
		t.Fatalf("distorted: bearing %g range %g; undistorted: %g, %g", got.Z[0], got.Z[1], want.Z[0], want.Z[1])
	}
	naive, _ := Project(0, Box{l, top, r - l, b - top}, probs, 0.9, plain, mount, 2)
	if math.Abs(naive.Z[1]-want.Z[1]) < 0.03*want.Z[1] {
		t.Fatalf("ignoring the distortion errs only %g m: the test is not testing it", naive.Z[1]-want.Z[1])
	}
}
