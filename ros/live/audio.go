package live

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/audio_common_msgs"
	"go.uber.org/zap"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/mic"
)

// soundInput turns audio from ROS into acoustic detections: a window
// every half second, classified and located, handed to the fusion loop.
type soundInput struct {
	n        *node
	array    calib.MicArray
	detector *acoustic.Detector

	capture *mic.Capture // a local sound card, or nil

	mu       sync.Mutex // ROS callbacks run on their own goroutines
	stream   *mic.Stream
	rate     int
	windows  []mic.Window
	lastErr  string
	prevWins int
	heard    int // windows with a siren or horn in them
}

// startSound records mic.device, or subscribes to topics.audio, when a
// microphone array is configured, and returns its health report and, for
// a sound card, the card's (nil without them).
func (n *node) startSound(ctx context.Context, wg *sync.WaitGroup) (func() []fusion.StageHealth, func() fusion.DeviceHealth, error) {
	c := &n.cfg.Node
	if c.Mic.Array == "" {
		return nil, nil, nil
	}
	array, err := calib.ReadMicArray(c.Mic.Array)
	if err != nil {
		return nil, nil, fmt.Errorf("live: mic.array: %w", err)
	}
	det, err := acoustic.NewDetector(array)
	if err != nil {
		return nil, nil, fmt.Errorf("live: %w", err)
	}
	s := &soundInput{n: n, array: array, detector: det}
	if c.Mic.Device != "" {
		capture, err := mic.OpenCapture(mic.CaptureConfig{Device: c.Mic.Device, Channels: len(array.Microphones), RateHz: c.Mic.RateHz}, n.clock)
		if err != nil {
			return nil, nil, fmt.Errorf("live: mic.device: %w", err)
		}
		s.rate, s.capture = c.Mic.RateHz, capture
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer capture.Close()
			for {
				ch, err := capture.Read(ctx)
				if err != nil {
					return
				}
				s.push(ch.Data, ch.Stamp)
			}
		}()
		n.log.Info("recording", zap.String("device", c.Mic.Device), zap.Int("microphones", len(array.Microphones)))
		card := func() fusion.DeviceHealth {
			drift, ok := capture.DriftPPM()
			if !ok {
				drift = math.NaN()
			}
			return fusion.DeviceHealth{Name: "sound card " + c.Mic.Device, Connected: true, ClockDriftPPM: drift}
		}
		return s.health, card, nil
	}
	if c.Mic.AudioType == "stamped" {
		s.rate = c.Mic.RateHz
		err = n.ros.Subscribe(c.Topics.Audio, s.onStamped)
	} else {
		if err = n.ros.Subscribe(c.Topics.AudioInfo, s.onInfo); err == nil {
			err = n.ros.Subscribe(c.Topics.Audio, s.onRaw)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	n.log.Info("listening", zap.String("topic", c.Topics.Audio), zap.String("type", c.Mic.AudioType), zap.Int("microphones", len(array.Microphones)))
	return s.health, nil, nil
}

// ensureStream makes the stream once the format is known; s.mu is held.
func (s *soundInput) ensureStream() error {
	if s.stream != nil {
		return nil
	}
	if s.rate == 0 {
		return fmt.Errorf("no audio_info yet on %s: the sample rate of raw audio is unknown", s.n.cfg.Node.Topics.AudioInfo)
	}
	var err error
	s.stream, err = mic.NewStream(mic.StreamConfig{Rate: s.rate, Channels: len(s.array.Microphones),
		OutRate: acoustic.SampleRate, Window: acoustic.WindowSamples, Hop: acoustic.SampleRate / 2})
	return err
}

func (s *soundInput) onInfo(msg *audio_common_msgs.AudioInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case int(msg.Channels) != len(s.array.Microphones):
		s.refuse(fmt.Errorf("audio_info says %d channels, mic.array has %d microphones", msg.Channels, len(s.array.Microphones)))
	case msg.SampleFormat != "S16LE" || (msg.CodingFormat != "wave" && msg.CodingFormat != "WAVE"):
		s.refuse(fmt.Errorf("audio_info: %s %s audio: only uncompressed S16LE (coding_format wave) is read", msg.CodingFormat, msg.SampleFormat))
	case s.rate != int(msg.SampleRate):
		s.rate, s.stream = int(msg.SampleRate), nil
	}
}

func (s *soundInput) onStamped(msg *audio_common_msgs.AudioDataStamped) {
	s.push(msg.Audio.Data, ros.Stamp(msg.Header.Stamp))
}

// onRaw handles unstamped audio: the first chunk is anchored on its
// arrival (minus its own length), every later one on the frame count.
func (s *soundInput) onRaw(msg *audio_common_msgs.AudioData) {
	s.push(msg.Data, 0)
}

func (s *soundInput) push(data []byte, stamp sensors.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureStream(); err != nil {
		s.refuse(err)
		return
	}
	if stamp == 0 {
		frames := len(data) / (2 * len(s.array.Microphones))
		stamp = s.n.clock.Now().Add(-time.Duration(float64(frames) * 1e9 / float64(s.rate)))
		if st := s.stream.Stats(); st.Frames > 0 {
			stamp = 0 // the frame count is the clock
		}
	}
	var err error
	s.windows, err = s.stream.Push(data, stamp, s.windows[:0])
	if err != nil {
		s.refuse(err)
		return
	}
	for _, w := range s.windows {
		det, _, ok := s.detector.Detect(w.Channels, w.Stamp)
		var dets []perception.Detection
		if ok {
			dets = []perception.Detection{det}
			s.heard++
		}
		s.n.runner.Submit(fusion.Input{Scan: &fusion.Scan{Sensor: perception.Mic, Stamp: w.Stamp, Dets: dets}, Arrival: s.n.clock.Now()})
	}
}

// refuse records a problem; s.mu is held.
func (s *soundInput) refuse(err error) {
	s.lastErr = err.Error()
	s.n.refuse("audio", err)
}

// health reports the array on /diagnostics: windows analysed, overruns
// (samples the capture lost) and windows with a siren or horn.
func (s *soundInput) health() []fusion.StageHealth {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st mic.StreamStats
	if s.stream != nil {
		st = s.stream.Stats()
	}
	overruns := st.Overruns
	if s.capture != nil {
		overruns += s.capture.Overruns()
	}
	h := fusion.StageHealth{Name: "microphone array", Detector: fmt.Sprintf("acoustic (%d heard)", s.heard),
		FramesTotal: uint64(st.Windows), SkippedTotal: uint64(overruns), ProcessedWindow: st.Windows - s.prevWins, Err: s.lastErr}
	s.prevWins, s.lastErr = st.Windows, ""
	return []fusion.StageHealth{h}
}
