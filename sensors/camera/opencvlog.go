//go:build cgo

package camera

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "opencvlog.h"
*/
import "C"

import "os"

// QuietOpenCV keeps OpenCV's warnings (codec probing, GStreamer pipeline
// parsing) off stderr unless OPENCV_LOG_LEVEL asks for them: avfusion's
// own errors say what went wrong.
func QuietOpenCV() {
	if _, set := os.LookupEnv("OPENCV_LOG_LEVEL"); !set {
		C.avf_opencv_errors_only()
	}
}
