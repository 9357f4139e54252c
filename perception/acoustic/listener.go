package acoustic

import (
	"fmt"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/mic"
)

// Listener hears a microphone array's stream of 16-bit interleaved
// chunks: it cuts them into analysis windows every half second
// (mic.Stream) and runs the Detector on each, the same way for the live
// node and a replay. It is not safe for concurrent use.
type Listener struct {
	stream   *mic.Stream
	det      *Detector
	rate     int
	channels int
	windows  []mic.Window
	one      [1]perception.Detection
	// Heard counts the windows with a siren or horn in them.
	Heard int
}

// NewListener prepares a listener for chunks at rateHz from array that
// reports a siren once it has lasted sirenSeconds (NewHearing; 0: from
// its first window).
func NewListener(array calib.MicArray, rateHz int, sirenSeconds float64) (*Listener, error) {
	det, err := NewDetector(array, NewHearing(WindowHopS, sirenSeconds))
	if err != nil {
		return nil, err
	}
	stream, err := mic.NewStream(mic.StreamConfig{Rate: rateHz, Channels: len(array.Microphones),
		OutRate: SampleRate, Window: WindowSamples, Hop: int(WindowHopS * SampleRate)})
	if err != nil {
		return nil, err
	}
	return &Listener{stream: stream, det: det, rate: rateHz, channels: len(array.Microphones)}, nil
}

// Push adds a chunk captured at stamp and calls scan for every window it
// completes, with the window's stamp and its detections (none, or one
// siren or horn; the slice is reused by the next call). A zero stamp is
// an unstamped chunk: the first is anchored on its arrival minus its own
// length, later ones follow the frame count.
func (l *Listener) Push(data []byte, stamp, arrival sensors.Time, scan func(stamp sensors.Time, dets []perception.Detection)) error {
	if stamp == 0 && l.stream.Stats().Frames == 0 {
		frames := len(data) / (2 * l.channels)
		stamp = arrival.Add(-time.Duration(float64(frames) * 1e9 / float64(l.rate)))
	}
	var err error
	if l.windows, err = l.stream.Push(data, stamp, l.windows[:0]); err != nil {
		return fmt.Errorf("acoustic: %w", err)
	}
	for _, w := range l.windows {
		dets := l.one[:0]
		if det, _, ok := l.det.Detect(w.Channels, w.Stamp); ok {
			l.one[0] = det
			dets = l.one[:1]
			l.Heard++
		}
		scan(w.Stamp, dets)
	}
	return nil
}

// Stats returns the stream's counts (frames, overruns, windows).
func (l *Listener) Stats() mic.StreamStats { return l.stream.Stats() }
