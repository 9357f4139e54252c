// Package calib holds the sensor calibration the perception and fusion stages
// read: where each sensor is mounted on the vehicle and the camera's
// intrinsics.
package calib

import (
	"fmt"
	"math"
)

// Mount is a sensor's pose in base_link (REP-103: x forward, y left, z up).
// The sensor's x axis points along Yaw.
type Mount struct {
	X   float64 `yaml:"x"`   // m
	Y   float64 `yaml:"y"`   // m
	Z   float64 `yaml:"z"`   // m, height above the ground plane
	Yaw float64 `yaml:"yaw"` // rad
}

// Pinhole is a pinhole camera with ROS's plumb_bob lens distortion
// (Brown-Conrady: radial k1, k2, k3 and tangential p1, p2).
type Pinhole struct {
	Width  int     `yaml:"width"`  // px
	Height int     `yaml:"height"` // px
	Fx     float64 `yaml:"fx"`     // px
	Fy     float64 `yaml:"fy"`     // px
	Cx     float64 `yaml:"cx"`     // px
	Cy     float64 `yaml:"cy"`     // px
	// Distortion is zero for an undistorted (or rectified) image.
	Distortion Distortion `yaml:"distortion"`
}

// Distortion is ROS's plumb_bob model: radial K1, K2, K3 and tangential
// P1, P2 (D = [k1, k2, p1, p2, k3] in a CameraInfo).
type Distortion struct {
	K1 float64 `yaml:"k1"`
	K2 float64 `yaml:"k2"`
	P1 float64 `yaml:"p1"`
	P2 float64 `yaml:"p2"`
	K3 float64 `yaml:"k3"`
}

// D returns the coefficients in ROS's order.
func (d Distortion) D() [5]float64 { return [5]float64{d.K1, d.K2, d.P1, d.P2, d.K3} }

// DistortionFromD reads ROS's D = [k1, k2, p1, p2, k3].
func DistortionFromD(d [5]float64) Distortion {
	return Distortion{K1: d[0], K2: d[1], P1: d[2], P2: d[3], K3: d[4]}
}

// PinholeForFOV returns a camera of the given size whose horizontal field of
// view is hfov radians, with square pixels and the principal point centred.
func PinholeForFOV(width, height int, hfov float64) Pinhole {
	f := float64(width) / 2 / math.Tan(hfov/2)
	return Pinhole{Width: width, Height: height, Fx: f, Fy: f, Cx: float64(width) / 2, Cy: float64(height) / 2}
}

// Validate reports the first field that makes the camera unusable.
func (p Pinhole) Validate() error {
	switch {
	case p.Width <= 0:
		return fmt.Errorf("width: must be positive, got %d", p.Width)
	case p.Height <= 0:
		return fmt.Errorf("height: must be positive, got %d", p.Height)
	case !(p.Fx > 0):
		return fmt.Errorf("fx: must be positive, got %g", p.Fx)
	case !(p.Fy > 0):
		return fmt.Errorf("fy: must be positive, got %g", p.Fy)
	}
	names := [5]string{"k1", "k2", "p1", "p2", "k3"}
	for i, d := range p.Distortion.D() {
		if math.IsNaN(d) || math.IsInf(d, 0) || math.Abs(d) > 100 {
			return fmt.Errorf("distortion.%s: must be a finite coefficient of magnitude ≤ 100, got %g", names[i], d)
		}
	}
	return nil
}

// Distorted reports whether the lens has any distortion.
func (p Pinhole) Distorted() bool { return p.Distortion != Distortion{} }

// Distort maps a point on the normalised image plane (x right, y down,
// at unit depth) to where the lens puts it, still normalised.
func (p Pinhole) Distort(x, y float64) (float64, float64) {
	k1, k2, p1, p2, k3 := p.Distortion.K1, p.Distortion.K2, p.Distortion.P1, p.Distortion.P2, p.Distortion.K3
	r2 := x*x + y*y
	radial := 1 + r2*(k1+r2*(k2+r2*k3))
	return x*radial + 2*p1*x*y + p2*(r2+2*x*x), y*radial + p1*(r2+2*y*y) + 2*p2*x*y
}

// Project maps a normalised, undistorted point to pixels.
func (p Pinhole) Project(x, y float64) (u, v float64) {
	x, y = p.Distort(x, y)
	return p.Fx*x + p.Cx, p.Fy*y + p.Cy
}

// Normalize maps a pixel to the normalised, undistorted image plane,
// inverting the distortion by fixed-point iteration as OpenCV's
// undistortPoints does (converges for the mild distortion of automotive
// lenses; it reports false when it does not).
func (p Pinhole) Normalize(u, v float64) (x, y float64, ok bool) {
	xd, yd := (u-p.Cx)/p.Fx, (v-p.Cy)/p.Fy
	if !p.Distorted() {
		return xd, yd, true
	}
	x, y = xd, yd
	k1, k2, p1, p2, k3 := p.Distortion.K1, p.Distortion.K2, p.Distortion.P1, p.Distortion.P2, p.Distortion.K3
	for range 50 {
		r2 := x*x + y*y
		radial := 1 + r2*(k1+r2*(k2+r2*k3))
		dx := 2*p1*x*y + p2*(r2+2*x*x)
		dy := p1*(r2+2*y*y) + 2*p2*x*y
		nx, ny := (xd-dx)/radial, (yd-dy)/radial
		done := math.Abs(nx-x)+math.Abs(ny-y) < 1e-13
		x, y = nx, ny
		if done {
			break
		}
	}
	rx, ry := p.Distort(x, y)
	return x, y, math.Hypot(rx-xd, ry-yd) < 1e-9
}

// Rig is the calibration of the whole sensor set.
type Rig struct {
	Radar  Mount `yaml:"radar"`
	Camera Mount `yaml:"camera"`
	// Mic is where the microphone array's frame sits.
	Mic  Mount   `yaml:"mic"`
	Lens Pinhole `yaml:"lens"`
}

// DefaultRig is a radar in the front bumper, a 1280×720 camera with a 90°
// field of view behind the windscreen and a microphone array on the roof.
func DefaultRig() Rig {
	return Rig{
		Radar:  Mount{X: 3.7, Z: 0.5},
		Camera: Mount{X: 1.5, Z: 1.4},
		Mic:    Mount{X: 1.0, Z: 1.6},
		Lens:   PinholeForFOV(1280, 720, math.Pi/2),
	}
}
