//go:build cgo

package replay

import (
	"fmt"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/camera"
)

// cameraImages runs camera.detector on every recorded image, in order:
// a replay never skips frames, so it stays deterministic.
type cameraImages struct {
	stage *vision.Stage
	img   gocv.Mat
}

// newCameraImages builds the detector; a bad detector config is refused
// with the field named.
func newCameraImages(node *config.Config) (images, error) {
	camera.QuietOpenCV()
	det, err := vision.NewDetector(node.Camera.Detector)
	if err != nil {
		return nil, fmt.Errorf("replay: camera.%w", err)
	}
	return &cameraImages{stage: vision.NewStage(det, node.Rig.Lens, node.Rig.Camera, node.CameraBoxStdPx, node.Tracker.Camera.MaxRangeM), img: gocv.NewMat()}, nil
}

func (c *cameraImages) detect(dst []perception.Detection, m *bag.Message, compressed bool, lens calib.Pinhole) ([]perception.Detection, sensors.Time, error) {
	var stamp sensors.Time
	if compressed {
		var msg sensor_msgs.CompressedImage
		if err := m.Decode(&msg); err != nil {
			return dst, 0, err
		}
		if err := camera.DecodeCompressed(&c.img, msg.Data); err != nil {
			return dst, 0, err
		}
		stamp = ros.Stamp(msg.Header.Stamp)
	} else {
		var msg sensor_msgs.Image
		if err := m.Decode(&msg); err != nil {
			return dst, 0, err
		}
		if err := camera.ImageToBGR(&c.img, int(msg.Width), int(msg.Height), int(msg.Step), msg.Encoding, msg.Data); err != nil {
			return dst, 0, err
		}
		stamp = ros.Stamp(msg.Header.Stamp)
	}
	c.stage.SetLens(lens)
	dst, _, err := c.stage.Process(dst, c.img, stamp)
	return dst, stamp, err
}

func (c *cameraImages) close() {
	c.stage.Close()
	c.img.Close()
}
