//go:build !cgo

package main

import "errors"

func runCamera([]string) error {
	return errors.New("compiled without camera support: this binary was built with CGO_ENABLED=0, so OpenCV (capture, HOG, DNN) is left out; camera detections can still arrive on ROS as vision_msgs/Detection2DArray")
}
