//go:build cgo

package render

import (
	"fmt"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sim"
)

// jpegQuality is the quality rendered frames are recorded at.
const jpegQuality = 90

// Imager renders each camera frame and runs a detector on it, the camera
// path of a real vehicle (see sim.CameraImager). It is not safe for
// concurrent use.
type Imager struct {
	renderer *Renderer
	stage    *vision.Stage
}

// NewImager renders through the rig's camera and detects with det, whose
// boxes' edges have the given standard deviation in pixels, keeping
// detections up to maxRangeM.
func NewImager(rig calib.Rig, det vision.Detector, boxStdPx, maxRangeM float64) *Imager {
	return &Imager{renderer: New(rig.Lens, rig.Camera), stage: vision.NewStage(det, rig.Lens, rig.Camera, boxStdPx, maxRangeM)}
}

// Detector names the detector.
func (im *Imager) Detector() string { return im.stage.Detector() }

// CameraFrame renders frame k, records it when rec is set, detects and
// projects.
func (im *Imager) CameraFrame(dst []perception.Detection, w *sim.World, k int, rec sim.Recorder, arrival sensors.Time) ([]perception.Detection, error) {
	stamp := w.CameraStamp(k)
	img := im.renderer.Render(w, stamp)
	if rec != nil {
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, jpegQuality})
		if err != nil {
			return dst, fmt.Errorf("render: jpeg: %w", err)
		}
		err = rec.CameraImage(stamp, arrival, append([]byte(nil), buf.GetBytes()...))
		buf.Close()
		if err != nil {
			return dst, err
		}
	}
	dst, _, err := im.stage.Process(dst, img, stamp)
	return dst, err
}

// Close frees the image and the detector.
func (im *Imager) Close() {
	im.renderer.Close()
	im.stage.Close()
}
