//go:build cgo

package calib

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "chessboard.h"
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"

	"gocv.io/x/gocv"
)

// FindChessboard finds the board's inner corners in an 8-bit grey or BGR
// image, refined to sub-pixel accuracy, row by row. It reports false when
// the whole board is not in view.
func FindChessboard(img gocv.Mat, b Chessboard) ([][2]float64, bool, error) {
	if err := b.Validate(); err != nil {
		return nil, false, err
	}
	if img.Empty() || (img.Type() != gocv.MatTypeCV8UC1 && img.Type() != gocv.MatTypeCV8UC3) {
		return nil, false, fmt.Errorf("calib: chessboard: want a non-empty 8-bit grey or BGR image")
	}
	n := b.Cols * b.Rows
	out := make([]float32, 2*n)
	var errBuf [256]C.char
	switch C.avf_find_chessboard(unsafe.Pointer(img.Ptr()), C.int(b.Cols), C.int(b.Rows), (*C.float)(&out[0]), &errBuf[0], C.int(len(errBuf))) {
	case 0:
		return nil, false, nil
	case -1:
		return nil, false, fmt.Errorf("calib: chessboard: OpenCV: %s", C.GoString(&errBuf[0]))
	}
	corners := make([][2]float64, n)
	for i := range corners {
		corners[i] = [2]float64{float64(out[2*i]), float64(out[2*i+1])}
	}
	return corners, true, nil
}

// CalibrateCamera estimates a lens (intrinsics and plumb_bob distortion)
// from views of the board, each the corners FindChessboard returned, in
// images of width × height pixels.
func CalibrateCamera(b Chessboard, views [][][2]float64, width, height int) (CameraCalibration, error) {
	if err := b.Validate(); err != nil {
		return CameraCalibration{}, err
	}
	n := b.Cols * b.Rows
	switch {
	case len(views) < MinCalibrationViews:
		return CameraCalibration{}, fmt.Errorf("calib: camera: %d views of the board; at least %d from different angles are needed", len(views), MinCalibrationViews)
	case width <= 0 || height <= 0:
		return CameraCalibration{}, fmt.Errorf("calib: camera: image size %dx%d", width, height)
	}
	obj := make([]float32, 0, 3*n)
	for r := range b.Rows {
		for c := range b.Cols {
			obj = append(obj, float32(float64(c)*b.SquareM), float32(float64(r)*b.SquareM), 0)
		}
	}
	img := make([]float32, 0, 2*n*len(views))
	for i, v := range views {
		if len(v) != n {
			return CameraCalibration{}, fmt.Errorf("calib: camera: view %d has %d corners, the board %d", i, len(v), n)
		}
		for _, p := range v {
			img = append(img, float32(p[0]), float32(p[1]))
		}
	}
	var k [9]C.double
	var d [5]C.double
	viewErr := make([]C.double, len(views))
	var errBuf [512]C.char
	rms := float64(C.avf_calibrate_camera(C.int(len(views)), C.int(n), (*C.float)(&obj[0]), (*C.float)(&img[0]), C.int(width), C.int(height),
		&k[0], &d[0], &viewErr[0], &errBuf[0], C.int(len(errBuf))))
	if rms < 0 {
		return CameraCalibration{}, fmt.Errorf("calib: camera: OpenCV: %s", C.GoString(&errBuf[0]))
	}
	res := CameraCalibration{
		Lens: Pinhole{Width: width, Height: height, Fx: float64(k[0]), Fy: float64(k[4]), Cx: float64(k[2]), Cy: float64(k[5]),
			Distortion: DistortionFromD([5]float64{float64(d[0]), float64(d[1]), float64(d[2]), float64(d[3]), float64(d[4])})},
		RMSPx: rms,
	}
	for _, e := range viewErr {
		res.ViewRMSPx = append(res.ViewRMSPx, float64(e))
	}
	if err := res.Lens.Validate(); err != nil {
		return res, fmt.Errorf("calib: camera: the solution is unusable (%w); use more views from more angles", err)
	}
	return res, nil
}

// BoardPose places a chessboard in front of a camera: its first inner
// corner at (X, Y, Z) in the camera's optical frame (x right, y down, z
// forward, m), the board tilted by TiltX about the camera's x axis, then
// TiltY about its y axis (rad).
type BoardPose struct {
	TiltX, TiltY float64
	X, Y, Z      float64
}

// RenderChessboard draws board b as a camera with this lens sees it from
// pose, distortion included, as an 8-bit grey image: a synthetic target
// with known truth for testing calibration. Each pixel averages 3×3 rays
// for sub-pixel edges; a white margin of one square surrounds the board,
// grey beyond.
func RenderChessboard(lens Pinhole, b Chessboard, pose BoardPose) gocv.Mat {
	rot := rotation(pose.TiltX, pose.TiltY)
	t := [3]float64{pose.X, pose.Y, pose.Z}
	img := gocv.NewMatWithSize(lens.Height, lens.Width, gocv.MatTypeCV8UC1)
	n := [3]float64{rot[0][2], rot[1][2], rot[2][2]} // board normal
	nt := n[0]*t[0] + n[1]*t[1] + n[2]*t[2]
	sq := b.SquareM
	shade := func(u, v float64) float64 {
		x, y, _ := lens.Normalize(u, v)
		nd := n[0]*x + n[1]*y + n[2]
		if nd == 0 {
			return 128
		}
		s := nt / nd
		p := [3]float64{s*x - t[0], s*y - t[1], s - t[2]}
		bx := rot[0][0]*p[0] + rot[1][0]*p[1] + rot[2][0]*p[2]
		by := rot[0][1]*p[0] + rot[1][1]*p[1] + rot[2][1]*p[2]
		i, j := math.Floor(bx/sq), math.Floor(by/sq)
		switch {
		case i >= -1 && i < float64(b.Cols) && j >= -1 && j < float64(b.Rows):
			if int(i+j)%2 == 0 {
				return 0
			}
			return 255
		case i >= -2 && i <= float64(b.Cols) && j >= -2 && j <= float64(b.Rows):
			return 255
		}
		return 128
	}
	for v := range lens.Height {
		for u := range lens.Width {
			sum := 0.0
			for dv := -1.0; dv <= 1; dv++ {
				for du := -1.0; du <= 1; du++ {
					sum += shade(float64(u)+du/3, float64(v)+dv/3)
				}
			}
			img.SetUCharAt(v, u, uint8(math.Round(sum/9)))
		}
	}
	return img
}

// rotation returns Rx(a)·Ry(b).
func rotation(a, b float64) [3][3]float64 {
	sa, ca := math.Sincos(a)
	sb, cb := math.Sincos(b)
	rx := [3][3]float64{{1, 0, 0}, {0, ca, -sa}, {0, sa, ca}}
	ry := [3][3]float64{{cb, 0, sb}, {0, 1, 0}, {-sb, 0, cb}}
	var r [3][3]float64
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				r[i][j] += rx[i][k] * ry[k][j]
			}
		}
	}
	return r
}
