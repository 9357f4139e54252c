//go:build !cgo

package replay

import "github.com/avfusion/avfusion/config"

// newCameraImages has nothing to offer without OpenCV: image topics are
// then reported among the unused ones.
func newCameraImages(*config.Config) (images, error) { return nil, nil }
