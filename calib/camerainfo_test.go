package calib

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// ostYAML is what ROS's camera_calibration writes (its format as in the
// camera_calibration_parsers package), for a 640×480 camera.
const ostYAML = `image_width: 640
image_height: 480
camera_name: narrow_stereo
camera_matrix:
  rows: 3
  cols: 3
  data: [ 501.2, 0., 322.5, 0., 502.7, 241.1, 0., 0., 1. ]
distortion_model: plumb_bob
distortion_coefficients:
  rows: 1
  cols: 5
  data: [ -0.29, 0.09, 0.001, -0.002, 0. ]
rectification_matrix:
  rows: 3
  cols: 3
  data: [ 1., 0., 0., 0., 1., 0., 0., 0., 1. ]
projection_matrix:
  rows: 3
  cols: 4
  data: [ 420.1, 0., 323.0, 0., 0., 460.2, 241.9, 0., 0., 0., 1., 0. ]
`

func TestCameraInfoYAMLRoundTrips(t *testing.T) {
	lens, err := ParseCameraInfo([]byte(ostYAML))
	if err != nil {
		t.Fatal(err)
	}
	want := Pinhole{Width: 640, Height: 480, Fx: 501.2, Fy: 502.7, Cx: 322.5, Cy: 241.1, Distortion: Distortion{K1: -0.29, K2: 0.09, P1: 0.001, P2: -0.002}}
	if lens != want {
		t.Fatalf("%+v, want %+v", lens, want)
	}
	var buf bytes.Buffer
	if err := WriteCameraInfo(&buf, "front", lens, 0.21); err != nil {
		t.Fatal(err)
	}
	again, err := ParseCameraInfo(buf.Bytes())
	if err != nil || again != lens {
		t.Fatalf("round trip: %+v, %v\n%s", again, err, buf.String())
	}
	if !strings.Contains(buf.String(), "avfusion_reprojection_error_px: 0.21") {
		t.Fatalf("no reprojection error in\n%s", buf.String())
	}
}

func TestCameraInfoErrorsNameTheField(t *testing.T) {
	for _, c := range []struct{ old, new, says string }{
		{"data: [ 501.2, 0., 322.5, 0., 502.7, 241.1, 0., 0., 1. ]", "data: [ 1, 2 ]", "camera_matrix.data"},
		{"plumb_bob", "equidistant", "distortion_model"},
		{"[ -0.29, 0.09, 0.001, -0.002, 0. ]", "[ -0.29 ]", "distortion_coefficients.data"},
		{"image_width: 640", "image_width: 0", "width"},
	} {
		_, err := ParseCameraInfo([]byte(strings.Replace(ostYAML, c.old, c.new, 1)))
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s → %s: %v, want an error naming %s", c.old, c.new, err, c.says)
		}
	}
}

// TestNormalizeInvertsTheDistortion projects points through a strongly
// distorted lens (the ost.yaml one) and back, across the whole image.
func TestNormalizeInvertsTheDistortion(t *testing.T) {
	lens, err := ParseCameraInfo([]byte(ostYAML))
	if err != nil {
		t.Fatal(err)
	}
	for x := -0.6; x <= 0.6; x += 0.1 {
		for y := -0.45; y <= 0.45; y += 0.15 {
			u, v := lens.Project(x, y)
			gx, gy, ok := lens.Normalize(u, v)
			if !ok || math.Hypot(gx-x, gy-y) > 1e-9 {
				t.Fatalf("(%g, %g) → (%g, %g) px → (%g, %g), converged %v", x, y, u, v, gx, gy, ok)
			}
		}
	}
	plain := PinholeForFOV(640, 480, math.Pi/2)
	if x, y, ok := plain.Normalize(640, 240); !ok || x != 1 || y != 0 {
		t.Fatalf("undistorted edge: %g, %g, %v", x, y, ok)
	}
}
