//go:build !cgo

package live

import (
	"context"
	"errors"
	"sync"

	"github.com/avfusion/avfusion/fusion"
)

// startCamera reports that images cannot be used: this build has no
// OpenCV. Camera boxes still arrive on topics.camera_detections.
func (n *node) startCamera(context.Context, *sync.WaitGroup) (func() []fusion.StageHealth, error) {
	if n.cfg.Node.Camera.Source != "" {
		return nil, errors.New("live: camera.source: compiled without camera support (built with CGO_ENABLED=0); camera boxes can still arrive on topics.camera_detections")
	}
	n.log.Info("camera images are compiled out (CGO_ENABLED=0): only boxes on topics.camera_detections are used")
	return nil, nil
}
