package replay

import (
	"fmt"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/mic"
)

// soundReplay runs recorded audio through the acoustic detector, every
// window in order.
type soundReplay struct {
	stream  *mic.Stream
	det     *acoustic.Detector
	windows []mic.Window
}

// newSoundReplay locates the array from the configuration's geometry file
// or, failing that, from what `avfusion sim --bag` wrote in the
// connection header; it returns nil when neither is there.
func newSoundReplay(arrayFile, header string, rate int) (*soundReplay, error) {
	var array calib.MicArray
	var err error
	switch {
	case arrayFile != "":
		array, err = calib.ReadMicArray(arrayFile)
	case header != "":
		array, err = calib.ParseMicPositions(header)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("replay: microphone array: %w", err)
	}
	det, err := acoustic.NewDetector(array)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	stream, err := mic.NewStream(mic.StreamConfig{Rate: rate, Channels: len(array.Microphones),
		OutRate: acoustic.SampleRate, Window: acoustic.WindowSamples, Hop: acoustic.SampleRate / 2})
	if err != nil {
		return nil, err
	}
	return &soundReplay{stream: stream, det: det}, nil
}

// push feeds one chunk (S16LE, channels interleaved) captured at stamp
// (0: unstamped, after the first) and hears the windows it completes.
func (s *soundReplay) push(e *fusion.Engine, data []byte, stamp, arrival sensors.Time) error {
	var err error
	if s.windows, err = s.stream.Push(data, stamp, s.windows[:0]); err != nil {
		return fmt.Errorf("replay: audio: %w", err)
	}
	for _, w := range s.windows {
		det, _, ok := s.det.Detect(w.Channels, w.Stamp)
		var dets []perception.Detection
		if ok {
			dets = []perception.Detection{det}
		}
		e.Ingest(fusion.Scan{Sensor: perception.Mic, Stamp: w.Stamp, Dets: dets}, arrival)
	}
	return nil
}
