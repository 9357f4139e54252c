//go:build cgo

package vision

import (
	"fmt"

	"gocv.io/x/gocv"
)

// Detector finds objects in one image. Detect only reads img during the
// call, and the slice it returns is reused by the next call. Close releases
// what the detector holds in OpenCV.
type Detector interface {
	Name() string
	Detect(img gocv.Mat) ([]ImageDetection, error)
	Close()
}

// NewDetector builds the detector the config names ("auto" resolved,
// see DetectorConfig.Resolved), refusing a bad config with the field
// named.
func NewDetector(cfg DetectorConfig) (Detector, error) {
	cfg = cfg.Resolved()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("vision: detector.%w", err)
	}
	switch cfg.Kind {
	case "hog":
		return NewHOG(cfg.HOG)
	case "dnn":
		return NewDNN(cfg.DNN)
	case "coco":
		return NewCOCO(cfg.COCO)
	}
	return NewSimDetector(), nil
}
