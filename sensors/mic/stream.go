package mic

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/avfusion/avfusion/sensors"
)

// StreamConfig describes a stream of interleaved 16-bit little-endian
// PCM chunks (audio_common's S16LE) and the windows to cut from it.
type StreamConfig struct {
	Rate     int // Hz of the incoming samples
	Channels int
	// OutRate is the rate windows are delivered at (resampled).
	OutRate int
	// Window and Hop are the window length and the step between windows,
	// in samples at OutRate.
	Window, Hop int
}

// Window is a stretch of multichannel sound and the capture time of its
// centre.
type Window struct {
	Stamp    sensors.Time
	Channels [][]float64
}

// StreamStats counts what a Stream has seen.
type StreamStats struct {
	Frames int64 // sample frames received
	// Overruns counts gaps: chunks stamped later than the frames before
	// them account for (the capture lost samples); the stream re-anchors
	// its clock there.
	Overruns int
	Windows  int
}

// Stream turns chunks into stamped windows. Capture stamps come from the
// frame count since an anchor (the first chunk's stamp), not from when
// chunks arrive, so scheduling jitter does not move them. It is not safe
// for concurrent use.
type Stream struct {
	cfg     StreamConfig
	anchor  sensors.Time // capture time of frame anchorN
	anchorN int64
	ring    [][]float64 // per channel, at Rate, from frame ringN on
	ringN   int64
	next    int64 // first frame (at Rate) of the next window
	stats   StreamStats
}

// NewStream checks the configuration.
func NewStream(cfg StreamConfig) (*Stream, error) {
	switch {
	case cfg.Rate < MinRate || cfg.Rate > MaxRate:
		return nil, fmt.Errorf("mic: stream rate %d Hz: %d to %d Hz", cfg.Rate, MinRate, MaxRate)
	case cfg.Channels < 1 || cfg.Channels > MaxChannels:
		return nil, fmt.Errorf("mic: %d channels: 1 to %d", cfg.Channels, MaxChannels)
	case cfg.OutRate <= 0 || cfg.Window <= 0 || cfg.Hop <= 0:
		return nil, errors.New("mic: window, hop and output rate must be positive")
	}
	return &Stream{cfg: cfg, ring: make([][]float64, cfg.Channels)}, nil
}

// Stats returns the counts so far.
func (s *Stream) Stats() StreamStats { return s.stats }

// frameTime is the capture time of frame n.
func (s *Stream) frameTime(n int64) sensors.Time {
	return s.anchor.Add(time.Duration(float64(n-s.anchorN) * 1e9 / float64(s.cfg.Rate)))
}

// Push adds a chunk captured starting at stamp and appends to dst the
// windows it completes. A chunk whose stamp is more than half a chunk
// later than the frame count says marks an overrun. A zero stamp is an
// unstamped chunk, which follows the frame count (the first chunk must
// have a stamp).
func (s *Stream) Push(data []byte, stamp sensors.Time, dst []Window) ([]Window, error) {
	ch := s.cfg.Channels
	if len(data)%(2*ch) != 0 {
		return dst, fmt.Errorf("mic: chunk of %d bytes is not whole %d-channel 16-bit frames", len(data), ch)
	}
	frames := int64(len(data) / (2 * ch))
	if frames == 0 {
		return dst, nil
	}
	total := s.stats.Frames
	switch {
	case total == 0 && stamp == 0:
		return dst, errors.New("mic: the first chunk of a stream needs a stamp")
	case total == 0:
		s.anchor, s.anchorN = stamp, total
	case stamp == 0:
	default:
		expected := s.frameTime(total)
		chunk := time.Duration(float64(frames) * 1e9 / float64(s.cfg.Rate))
		if gap := stamp.Sub(expected); gap > chunk/2 {
			// Samples were lost: count it, and fill the gap with silence so
			// the frame count stays the clock.
			s.stats.Overruns++
			missing := int64(gap.Seconds()*float64(s.cfg.Rate) + 0.5)
			for c := range ch {
				for range missing {
					s.ring[c] = append(s.ring[c], 0)
				}
			}
			total += missing
		}
	}
	for i := int64(0); i < frames; i++ {
		for c := range ch {
			off := 2 * (int(i)*ch + c)
			s.ring[c] = append(s.ring[c], float64(int16(binary.LittleEndian.Uint16(data[off:])))/32768)
		}
	}
	total += frames
	s.stats.Frames = total
	return s.cut(dst), nil
}

// cut emits every complete window and drops samples no window needs.
func (s *Stream) cut(dst []Window) []Window {
	ratio := float64(s.cfg.Rate) / float64(s.cfg.OutRate)
	span := int64(float64(s.cfg.Window)*ratio + 0.5)
	step := int64(float64(s.cfg.Hop)*ratio + 0.5)
	end := s.ringN + int64(len(s.ring[0]))
	for s.next+span <= end {
		w := Window{Stamp: s.frameTime(s.next + span/2), Channels: make([][]float64, s.cfg.Channels)}
		lo := s.next - s.ringN
		for c := range s.ring {
			w.Channels[c] = Resample(s.ring[c][lo:lo+span], s.cfg.Rate, s.cfg.OutRate)
			if len(w.Channels[c]) < s.cfg.Window {
				w.Channels[c] = append(w.Channels[c], make([]float64, s.cfg.Window-len(w.Channels[c]))...)
			}
			w.Channels[c] = w.Channels[c][:s.cfg.Window]
		}
		dst = append(dst, w)
		s.stats.Windows++
		s.next += step
	}
	if drop := s.next - s.ringN; drop > 0 {
		for c := range s.ring {
			s.ring[c] = append(s.ring[c][:0], s.ring[c][drop:]...)
		}
		s.ringN += drop
	}
	return dst
}
