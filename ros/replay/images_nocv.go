//go:build !cgo

package replay

import "github.com/avfusion/avfusion/launch"

// newCameraImages has nothing to offer without OpenCV: image topics are
// then reported among the unused ones.
func newCameraImages(*launch.Config) (images, error) { return nil, nil }
