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

// Pinhole is an undistorted pinhole camera.
type Pinhole struct {
	Width  int     `yaml:"width"`  // px
	Height int     `yaml:"height"` // px
	Fx     float64 `yaml:"fx"`     // px
	Fy     float64 `yaml:"fy"`     // px
	Cx     float64 `yaml:"cx"`     // px
	Cy     float64 `yaml:"cy"`     // px
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
	return nil
}

// Rig is the calibration of the whole sensor set.
type Rig struct {
	Radar  Mount   `yaml:"radar"`
	Camera Mount   `yaml:"camera"`
	Lens   Pinhole `yaml:"lens"`
}

// DefaultRig is a radar in the front bumper and a 1280×720 camera with a 90°
// field of view behind the windscreen.
func DefaultRig() Rig {
	return Rig{
		Radar:  Mount{X: 3.7, Z: 0.5},
		Camera: Mount{X: 1.5, Z: 1.4},
		Lens:   PinholeForFOV(1280, 720, math.Pi/2),
	}
}
