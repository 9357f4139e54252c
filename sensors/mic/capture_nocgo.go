//go:build !cgo

package mic

import (
	"context"
	"errors"

	"github.com/avfusion/avfusion/sensors"
)

// CaptureConfig says which sound card to record and how.
type CaptureConfig struct {
	Device   string
	Channels int
	RateHz   int
	Queue    int
}

// Chunk is a stretch of captured sound (see the cgo build).
type Chunk struct {
	Stamp sensors.Time
	Data  []byte
}

// Capture is compiled out of this build.
type Capture struct{}

// OpenCapture reports that sound cards are compiled out: the sound
// library needs cgo.
func OpenCapture(CaptureConfig, sensors.Clock) (*Capture, error) {
	return nil, errors.New("mic: compiled without sound card support (built with CGO_ENABLED=0); audio can still arrive on ROS")
}

// Read is never reached.
func (*Capture) Read(context.Context) (Chunk, error) { return Chunk{}, errors.New("mic: no capture") }

// DriftPPM is never known.
func (*Capture) DriftPPM() (float64, bool) { return 0, false }

// Overruns is 0.
func (*Capture) Overruns() int { return 0 }

// Close does nothing.
func (*Capture) Close() {}
