//go:build cgo

package main

import (
	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/sensors/camera"
	"github.com/avfusion/avfusion/sim"
	"github.com/avfusion/avfusion/sim/render"
)

// newCameraImager returns the camera path of `sim --camera render`: render
// each frame, run the detector, project (up to maxRangeM); release frees it.
func newCameraImager(rig calib.Rig, cfg vision.DetectorConfig, boxStdPx, maxRangeM float64) (imager sim.CameraImager, release func(), err error) {
	camera.QuietOpenCV()
	det, err := vision.NewDetector(cfg)
	if err != nil {
		return nil, nil, err
	}
	im := render.NewImager(rig, det, boxStdPx, maxRangeM)
	return im, im.Close, nil
}
