//go:build cgo

package main

import (
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/calib"
)

// TestCalibCameraCLI renders chessboard views of a known 320×240 camera
// to PNG files and calibrates from them with `calib camera`: the
// camera_info YAML it writes has the camera's focal length and principal
// point within 3 % (nine small views; the full-size accuracy test is in
// package calib).
func TestCalibCameraCLI(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	truth := calib.Pinhole{Width: 320, Height: 240, Fx: 260, Fy: 262, Cx: 162, Cy: 118, Distortion: calib.Distortion{K1: -0.2, K2: 0.05}}
	board := calib.Chessboard{Cols: 7, Rows: 5, SquareM: 0.05}
	var images []string
	for i, p := range []calib.BoardPose{
		{X: -0.15, Y: -0.10, Z: 0.9}, {TiltX: 0.3, X: -0.18, Y: -0.12, Z: 0.95}, {TiltX: -0.3, X: -0.12, Y: -0.08, Z: 0.95},
		{TiltY: 0.35, X: -0.12, Y: -0.10, Z: 1.0}, {TiltY: -0.35, X: -0.18, Y: -0.10, Z: 0.85}, {TiltX: 0.2, TiltY: 0.2, X: -0.35, Y: -0.25, Z: 1.1},
		{TiltX: -0.2, TiltY: -0.2, X: 0.02, Y: 0.0, Z: 1.1}, {TiltX: 0.1, TiltY: -0.2, X: 0.0, Y: -0.25, Z: 1.1}, {TiltX: -0.1, TiltY: 0.2, X: -0.35, Y: 0.0, Z: 1.1},
	} {
		img := calib.RenderChessboard(truth, board, p)
		path := filepath.Join(dir, fmt.Sprintf("view%d.png", i))
		ok := gocv.IMWrite(path, img)
		img.Close()
		if !ok {
			t.Fatalf("cannot write %s", path)
		}
		images = append(images, path)
	}
	out := filepath.Join(dir, "camera.yaml")
	args := append([]string{"calib", "camera", "--pattern", "7x5", "--square", "0.05", "--out", out, "--name", "front"}, images...)
	if msg, err := exec.Command(bin, args...).CombinedOutput(); err != nil || !strings.Contains(string(msg), "found in 9 of 9 images") {
		t.Fatalf("%v: %s", err, msg)
	}
	lens, err := calib.ReadCameraInfo(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want float64 }{{lens.Fx, truth.Fx}, {lens.Fy, truth.Fy}, {lens.Cx, truth.Cx}, {lens.Cy, truth.Cy}} {
		if math.Abs(c.got-c.want) > 0.03*c.want {
			t.Fatalf("calibrated %+v, want %+v", lens, truth)
		}
	}
	if msg, err := exec.Command(bin, "calib", "camera", "--pattern", "7x5", "--square", "0.05", images[0], images[1]).CombinedOutput(); err == nil ||
		!strings.Contains(string(msg), "at least 5") {
		t.Fatalf("two views: %v: %s", err, msg)
	}
}
