//go:build !cgo

package main

import "errors"

func runCalibCamera([]string) error {
	return errors.New("calib camera: compiled without camera support (built with CGO_ENABLED=0): chessboard detection needs OpenCV")
}
