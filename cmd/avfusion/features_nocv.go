//go:build !cgo

package main

// cameraFeature says what this build can do with a camera.
func cameraFeature() string {
	return "camera: compiled out (built with CGO_ENABLED=0): no capture, detectors or image topics; boxes on camera/detections still fuse"
}
