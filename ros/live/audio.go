package live

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/audio_common_msgs"
	"go.uber.org/zap"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/pipeline"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/mic"
)

// soundInput turns audio from ROS into acoustic detections: a window
// every half second, classified and located, handed to the fusion loop.
type soundInput struct {
	n       *node
	array   calib.MicArray
	capture *mic.Capture // a local sound card, or nil

	mu       sync.Mutex // ROS callbacks run on their own goroutines
	listener *acoustic.Listener
	rate     int
	lastErr  string
	prevWins int
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
	s := &soundInput{n: n, array: array}
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

// ensureListener makes the listener once the format is known; s.mu is
// held.
func (s *soundInput) ensureListener() error {
	if s.listener != nil {
		return nil
	}
	if s.rate == 0 {
		return fmt.Errorf("no audio_info yet on %s: the sample rate of raw audio is unknown", s.n.cfg.Node.Topics.AudioInfo)
	}
	var err error
	s.listener, err = acoustic.NewListener(s.array, s.rate, s.n.cfg.Node.Mic.SirenConfirmS)
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
		s.rate, s.listener = int(msg.SampleRate), nil
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
	if err := s.ensureListener(); err != nil {
		s.refuse(err)
		return
	}
	now := s.n.clock.Now()
	err := s.listener.Push(data, stamp, now, func(stamp sensors.Time, dets []perception.Detection) {
		// The fusion loop takes the scan later: it needs its own copy.
		scan := fusion.Scan{Sensor: perception.Mic, Stamp: stamp, Dets: append([]perception.Detection(nil), dets...)}
		s.n.runner.Submit(pipeline.Input{Scan: &scan, Arrival: now})
	})
	if err != nil {
		s.refuse(err)
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
	heard := 0
	if s.listener != nil {
		st, heard = s.listener.Stats(), s.listener.Heard
	}
	overruns := st.Overruns
	if s.capture != nil {
		overruns += s.capture.Overruns()
	}
	h := fusion.StageHealth{Name: "microphone array", Detector: fmt.Sprintf("acoustic (%d heard)", heard),
		FramesTotal: uint64(st.Windows), SkippedTotal: uint64(overruns), ProcessedWindow: st.Windows - s.prevWins, Err: s.lastErr}
	s.prevWins, s.lastErr = st.Windows, ""
	return []fusion.StageHealth{h}
}
