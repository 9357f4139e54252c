//go:build cgo

package main

import "gocv.io/x/gocv"

// cameraFeature says what this build can do with a camera.
func cameraFeature() string {
	return "camera: OpenCV " + gocv.OpenCVVersion() + " (capture, HOG, YOLO ONNX, image topics, sim --camera render)"
}
