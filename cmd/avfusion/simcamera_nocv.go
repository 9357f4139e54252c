//go:build !cgo

package main

import (
	"errors"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/sim"
)

func newCameraImager(calib.Rig, vision.DetectorConfig, float64, float64) (sim.CameraImager, func(), error) {
	return nil, nil, errors.New("--camera render: compiled without camera support (built with CGO_ENABLED=0); use --camera objects")
}
