//go:build cgo

package calib

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"gocv.io/x/gocv"
)

// TestCalibrateCameraRecoversARenderedCamera renders a 9×6 board seen by
// a known camera with barrel distortion from 16 poses, finds the corners
// and calibrates: the intrinsics come back within 1 %, k1 within 0.02, k2
// within 0.05, pixels undistort within 1.5 px of where the true lens puts
// them in the middle (the principal point alone is good to half a pixel)
// and within 4 px at the image's very corners, and the reprojection error
// is a fraction of a pixel.
func TestCalibrateCameraRecoversARenderedCamera(t *testing.T) {
	truth := Pinhole{Width: 640, Height: 480, Fx: 500, Fy: 505, Cx: 322, Cy: 236,
		Distortion: Distortion{K1: -0.25, K2: 0.08, P1: 0.001, P2: -0.0015}}
	board := Chessboard{Cols: 9, Rows: 6, SquareM: 0.04}
	var views [][][2]float64
	poses := []struct{ a, b, x, y, z float64 }{
		{0, 0, -0.18, -0.10, 0.75}, {0.3, 0, -0.20, -0.12, 0.8}, {-0.3, 0, -0.16, -0.08, 0.8},
		{0, 0.35, -0.15, -0.10, 0.85}, {0, -0.35, -0.20, -0.10, 0.7}, {0.25, 0.25, -0.22, -0.15, 0.8},
		{-0.25, -0.25, -0.10, -0.05, 0.8}, {0.2, -0.3, -0.30, -0.20, 0.9}, {-0.2, 0.3, -0.05, 0.0, 0.9},
		{0.1, 0.1, -0.32, -0.22, 0.85}, {-0.1, -0.1, 0.0, 0.02, 0.85}, {0.35, -0.2, -0.12, -0.25, 0.9},
		// Into the image's corners, where the distortion is strongest.
		{0.1, 0.2, -0.50, -0.36, 0.9}, {0.1, -0.2, 0.12, -0.36, 0.9}, {-0.1, 0.2, -0.50, 0.10, 0.9}, {-0.1, -0.2, 0.12, 0.10, 0.9},
	}
	// Rendering is the slow part: one goroutine per view.
	views = make([][][2]float64, len(poses))
	errs := make([]error, len(poses))
	var wg sync.WaitGroup
	for i, p := range poses {
		wg.Go(func() {
			img := RenderChessboard(truth, board, BoardPose{TiltX: p.a, TiltY: p.b, X: p.x, Y: p.y, Z: p.z})
			defer img.Close()
			corners, found, err := FindChessboard(img, board)
			switch {
			case err != nil:
				errs[i] = err
			case !found:
				errs[i] = fmt.Errorf("view %d: board not found", i)
			}
			views[i] = corners
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	cal, err := CalibrateCamera(board, views, truth.Width, truth.Height)
	if err != nil {
		t.Fatal(err)
	}
	got := cal.Lens
	t.Logf("fx %.2f fy %.2f cx %.2f cy %.2f k1 %.4f k2 %.4f p1 %.5f p2 %.5f k3 %.4f, RMS %.3f px",
		got.Fx, got.Fy, got.Cx, got.Cy, got.Distortion.K1, got.Distortion.K2, got.Distortion.P1, got.Distortion.P2, got.Distortion.K3, cal.RMSPx)
	rel := func(a, b float64) float64 { return math.Abs(a-b) / b }
	if rel(got.Fx, truth.Fx) > 0.01 || rel(got.Fy, truth.Fy) > 0.01 || rel(got.Cx, truth.Cx) > 0.01 || rel(got.Cy, truth.Cy) > 0.01 {
		t.Errorf("intrinsics %+v, want %+v within 1 %%", got, truth)
	}
	if math.Abs(got.Distortion.K1-truth.Distortion.K1) > 0.02 || math.Abs(got.Distortion.K2-truth.Distortion.K2) > 0.05 {
		t.Errorf("distortion %+v, want %+v", got.Distortion, truth.Distortion)
	}
	if cal.RMSPx > 0.3 || len(cal.ViewRMSPx) != len(poses) {
		t.Errorf("RMS reprojection error %.3f px over %d views", cal.RMSPx, len(cal.ViewRMSPx))
	}
	// The undistortion the lens does matches the truth's across the image.
	for _, c := range []struct {
		px  [2]float64
		tol float64
	}{{[2]float64{320, 240}, 1.5}, {[2]float64{160, 120}, 1.5}, {[2]float64{480, 360}, 1.5}, {[2]float64{10, 10}, 4}, {[2]float64{630, 470}, 4}, {[2]float64{630, 10}, 4}} {
		x1, y1, _ := got.Normalize(c.px[0], c.px[1])
		x2, y2, _ := truth.Normalize(c.px[0], c.px[1])
		if d := math.Hypot(x1-x2, y1-y2) * truth.Fx; d > c.tol {
			t.Errorf("pixel %v undistorts %.2f px away from the truth (tolerance %g px)", c.px, d, c.tol)
		}
	}
}

func TestCalibrationInputsAreChecked(t *testing.T) {
	for _, c := range []struct {
		pattern string
		square  float64
		says    string
	}{
		{"9x6", 0, "square size"}, {"6x6", 0.02, "ambiguous"}, {"9-6", 0.02, "COLSxROWS"}, {"2x5", 0.02, "at least 3x3"},
	} {
		if _, err := ParseChessboard(c.pattern, c.square); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s %g: %v", c.pattern, c.square, err)
		}
	}
	board := Chessboard{Cols: 9, Rows: 6, SquareM: 0.04}
	if _, err := CalibrateCamera(board, make([][][2]float64, 2), 640, 480); err == nil || !strings.Contains(err.Error(), "at least 5") {
		t.Errorf("two views: %v", err)
	}
	blank := gocv.NewMatWithSize(480, 640, gocv.MatTypeCV8UC1)
	defer blank.Close()
	if _, found, err := FindChessboard(blank, board); found || err != nil {
		t.Errorf("blank image: found %v, %v", found, err)
	}
	float := gocv.NewMatWithSize(480, 640, gocv.MatTypeCV32F)
	defer float.Close()
	if _, _, err := FindChessboard(float, board); err == nil {
		t.Error("a float image was accepted")
	}
}
