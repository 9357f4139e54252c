// Package config is the avfusion node's one configuration (rates,
// deadline, tracker gates and noise, sensor calibration, topics, frame
// ids) as plain data: loaded in layers — built-in defaults, then a file,
// then ROS private parameters, then command-line overrides — and validated
// without touching any file, naming the offending field. The files a
// configuration names (a microphone array, an annotation output) are
// opened, and refused by field name, by whatever uses them.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/perception/vision"
)

// Config is the node's whole configuration.
type Config struct {
	// OutputHz is how often the node publishes.
	OutputHz float64 `yaml:"output_hz"`
	// Deadline is how long a cycle may take before it counts as missed.
	Deadline time.Duration `yaml:"deadline"`
	// MaxLatency bounds how long a scan waits for slower sensors.
	MaxLatency time.Duration `yaml:"max_latency"`
	// SensorTimeout is how long a silent sensor holds back fusion.
	SensorTimeout time.Duration `yaml:"sensor_timeout"`
	// CycleOnScan runs a cycle as soon as the leading sensor's scan (the
	// radar's, else the camera's) has arrived, OutputHz being the minimum
	// rate, instead of at a fixed rate: what the radar saw is published
	// without waiting for the next tick.
	CycleOnScan bool `yaml:"cycle_on_scan"`
	// LatencyBudget is how long the capture of the newest fused detection
	// may precede its publication; cycles over it are counted, beside the
	// deadline's (0: no budget).
	LatencyBudget time.Duration `yaml:"latency_budget"`
	// RadarLatency is the time from a radar scan's capture to its arrival
	// on a topic: an input stamp that is 0, later than its arrival by more
	// than MaxLatency or older than SensorTimeout is replaced by the
	// arrival time minus the sensor's latency (this, or camera.latency).
	RadarLatency time.Duration `yaml:"radar_latency"`
	// LateScans is what happens to a scan that arrives after newer ones
	// were fused: "drop" (counted) or "retrodict" (fused into the present
	// states, counted).
	LateScans LateScans `yaml:"late_scans"`
	// FusionHead judges each track's class and existence for publishing:
	// "learned" (the network of fusion/learned, trained by `avfusion
	// train fusion`) or "bayes" (the hand-written rule: the tracker's
	// recursive class and existence, confirmed tracks published).
	FusionHead FusionHead `yaml:"fusion_head"`
	// MatchDistanceM is the ground-plane distance (m) within which a track
	// matches a true object when the simulator scores a run.
	MatchDistanceM float64       `yaml:"match_distance_m"`
	Tracker        fusion.Params `yaml:"tracker"`
	// RadarPerception tunes how radar point clouds become detections.
	RadarPerception radar.Params `yaml:"radar_perception"`
	// CameraBoxStdPx is the standard deviation (px) of each edge of the
	// camera detector's boxes; camera covariances follow from it.
	CameraBoxStdPx float64 `yaml:"camera_box_std_px"`
	// Camera is where images come from and how they become detections.
	Camera CameraConfig `yaml:"camera"`
	// Mic is the microphone array whose sound arrives on topics.audio.
	Mic    MicConfig `yaml:"mic"`
	Rig    calib.Rig `yaml:"rig"`
	Topics Topics    `yaml:"topics"`
	Frames Frames    `yaml:"frames"`
}

// LateScans is what happens to a scan that arrives after newer ones were
// fused.
type LateScans string

// Late-scan handling.
const (
	// Drop drops a late scan (counted).
	Drop LateScans = "drop"
	// Retrodict fuses it into the present states (counted).
	Retrodict LateScans = "retrodict"
)

// FusionHead is what judges each track's class and existence for
// publishing.
type FusionHead string

// Fusion heads.
const (
	// Learned is the ensemble of networks in fusion/learned, trained by
	// `avfusion train fusion`.
	Learned FusionHead = "learned"
	// Bayes is the hand-written rule: the tracker's recursive class and
	// existence, confirmed tracks published.
	Bayes FusionHead = "bayes"
)

// CameraConfig says where camera images come from and which detector
// turns them into boxes.
type CameraConfig struct {
	// Source is a camera on this machine (device index or /dev path, video
	// file, GStreamer pipeline, URL); empty means images arrive on ROS.
	Source string `yaml:"source"`
	// Width, Height and FPS are requested from a device (0: its default).
	Width  int     `yaml:"width"`
	Height int     `yaml:"height"`
	FPS    float64 `yaml:"fps"`
	// Latency is the time from exposure to the end of the grab.
	Latency  time.Duration         `yaml:"latency"`
	Detector vision.DetectorConfig `yaml:"detector"`
	// Annotate, when set, is where the node writes every processed frame
	// with its boxes and track ids: a directory or a video file.
	Annotate string `yaml:"annotate"`
}

// MicConfig describes the microphone array heard on ROS.
type MicConfig struct {
	// Array is the array's geometry file (the calib mic format); empty
	// turns sound off.
	Array string `yaml:"array"`
	// AudioType is "stamped" (audio_common_msgs/AudioDataStamped on
	// topics.audio) or "raw" (AudioData on topics.audio, its format on
	// topics.audio_info).
	AudioType string `yaml:"audio_type"`
	// RateHz is the sample rate of stamped audio (raw audio says its own)
	// and of a local sound card.
	RateHz int `yaml:"rate_hz"`
	// Device is a sound card on this machine (an ALSA PCM name such as
	// "default" or "hw:1,0") to record instead of topics.audio; empty:
	// sound comes from ROS.
	Device string `yaml:"device"`
	// SirenConfirmS is how long a sound must be classified siren, window
	// after window (half a second apart), before a siren is reported:
	// real music, bells and voices are called siren for a window now and
	// then, seldom for long (docs/microphone.md). 0 reports a siren from
	// its first window; a horn is always reported at once.
	SirenConfirmS float64 `yaml:"siren_confirm_s"`
}

// Topics are the names the node publishes on; relative names resolve in
// the node's namespace.
type Topics struct {
	Obstacles   string `yaml:"obstacles"`
	Tracks      string `yaml:"tracks"`
	Markers     string `yaml:"markers"`
	Diagnostics string `yaml:"diagnostics"`
	// Explain says, per track, which sensors support it and how much.
	Explain string `yaml:"explain"`
	// Inputs of the live node (and radar_points, published when the radar
	// is on this node's serial ports).
	RadarPoints string `yaml:"radar_points"`
	RadarScan   string `yaml:"radar_scan"`
	// RadarTIScan carries ti_mmwave_rospkg/RadarScan, one message per
	// detected point (older versions of TI's driver).
	RadarTIScan      string `yaml:"radar_ti_scan"`
	CameraDetections string `yaml:"camera_detections"`
	CameraImage      string `yaml:"camera_image"`
	CameraCompressed string `yaml:"camera_compressed"`
	CameraInfo       string `yaml:"camera_info"`
	Audio            string `yaml:"audio"`
	AudioInfo        string `yaml:"audio_info"`
	Odometry         string `yaml:"odometry"`
}

// Frames are the REP-105 frame ids the node stamps its output with.
type Frames struct {
	Odom     string `yaml:"odom"`
	BaseLink string `yaml:"base_link"`
	Radar    string `yaml:"radar"`
}

// Default returns the built-in configuration.
func Default() Config {
	return Config{
		OutputHz:        20,
		CycleOnScan:     true,
		Deadline:        25 * time.Millisecond,
		MaxLatency:      150 * time.Millisecond,
		SensorTimeout:   500 * time.Millisecond,
		RadarLatency:    30 * time.Millisecond,
		LatencyBudget:   150 * time.Millisecond,
		LateScans:       Retrodict,
		FusionHead:      Learned,
		MatchDistanceM:  2,
		Tracker:         fusion.DefaultParams(),
		RadarPerception: radar.DefaultParams(),
		CameraBoxStdPx:  3,
		Camera:          CameraConfig{Latency: 30 * time.Millisecond, Detector: vision.DefaultDetectorConfig()},
		Mic:             MicConfig{AudioType: "stamped", RateHz: 16000, SirenConfirmS: 1.5},
		Rig:             calib.DefaultRig(),
		Topics: Topics{
			Obstacles:        "obstacles",
			Tracks:           "obstacles/tracks",
			Markers:          "obstacles/markers",
			Diagnostics:      "/diagnostics",
			Explain:          "obstacles/explain",
			RadarPoints:      "radar/points",
			RadarScan:        "radar/scan",
			RadarTIScan:      "radar/ti_scan",
			CameraDetections: "camera/detections",
			CameraImage:      "camera/image_raw",
			CameraCompressed: "camera/image_raw/compressed",
			CameraInfo:       "camera/camera_info",
			Audio:            "audio/audio",
			AudioInfo:        "audio/audio_info",
			Odometry:         "odom",
		},
		Frames: Frames{Odom: "odom", BaseLink: "base_link", Radar: "radar"},
	}
}

// Validate reports the first unusable field by its dotted YAML path.
func (c *Config) Validate() error {
	switch {
	case !(c.OutputHz > 0 && c.OutputHz <= 1000):
		return fmt.Errorf("output_hz: must be in (0, 1000], got %g", c.OutputHz)
	case c.Deadline <= 0:
		return fmt.Errorf("deadline: must be positive, got %v", c.Deadline)
	case c.MaxLatency <= 0:
		return fmt.Errorf("max_latency: must be positive, got %v", c.MaxLatency)
	case c.SensorTimeout <= 0:
		return fmt.Errorf("sensor_timeout: must be positive, got %v", c.SensorTimeout)
	case c.LatencyBudget < 0:
		return fmt.Errorf("latency_budget: must not be negative, got %v", c.LatencyBudget)
	case c.RadarLatency < 0:
		return fmt.Errorf("radar_latency: must not be negative, got %v", c.RadarLatency)
	case c.LateScans != Drop && c.LateScans != Retrodict:
		return fmt.Errorf("late_scans: want %s or %s, got %q", Drop, Retrodict, string(c.LateScans))
	case c.FusionHead != Learned && c.FusionHead != Bayes:
		return fmt.Errorf("fusion_head: want %s or %s, got %q", Learned, Bayes, string(c.FusionHead))
	case !(c.MatchDistanceM > 0):
		return fmt.Errorf("match_distance_m: must be positive, got %g", c.MatchDistanceM)
	case !(c.CameraBoxStdPx > 0):
		return fmt.Errorf("camera_box_std_px: must be positive, got %g", c.CameraBoxStdPx)
	}
	if err := c.Tracker.Validate(); err != nil {
		return fmt.Errorf("tracker.%w", err)
	}
	if err := c.RadarPerception.Validate(); err != nil {
		return fmt.Errorf("radar_perception.%w", err)
	}
	if err := c.Camera.Detector.Validate(); err != nil {
		return fmt.Errorf("camera.detector.%w", err)
	}
	switch {
	case c.Camera.Width < 0 || c.Camera.Height < 0:
		return fmt.Errorf("camera.width, camera.height: must not be negative, got %d, %d", c.Camera.Width, c.Camera.Height)
	case c.Camera.FPS < 0:
		return fmt.Errorf("camera.fps: must not be negative, got %g", c.Camera.FPS)
	case c.Camera.Latency < 0:
		return fmt.Errorf("camera.latency: must not be negative, got %v", c.Camera.Latency)
	}
	switch {
	case c.Mic.AudioType != "stamped" && c.Mic.AudioType != "raw":
		return fmt.Errorf("mic.audio_type: want stamped or raw, got %q", c.Mic.AudioType)
	case c.Mic.RateHz < 8000 || c.Mic.RateHz > 48000:
		return fmt.Errorf("mic.rate_hz: want 8000 to 48000, got %d", c.Mic.RateHz)
	case !(c.Mic.SirenConfirmS >= 0 && c.Mic.SirenConfirmS <= 10):
		return fmt.Errorf("mic.siren_confirm_s: want 0 to 10 s, got %g", c.Mic.SirenConfirmS)
	}
	if err := c.Rig.Lens.Validate(); err != nil {
		return fmt.Errorf("rig.lens.%w", err)
	}
	if c.Rig.Camera.Z <= 0 {
		return fmt.Errorf("rig.camera.z: the camera must be above the ground to range by the ground plane, got %g", c.Rig.Camera.Z)
	}
	for _, f := range []struct{ name, v string }{
		{"topics.obstacles", c.Topics.Obstacles}, {"topics.tracks", c.Topics.Tracks},
		{"topics.markers", c.Topics.Markers}, {"topics.diagnostics", c.Topics.Diagnostics}, {"topics.explain", c.Topics.Explain},
		{"topics.radar_points", c.Topics.RadarPoints}, {"topics.radar_scan", c.Topics.RadarScan}, {"topics.radar_ti_scan", c.Topics.RadarTIScan},
		{"topics.camera_detections", c.Topics.CameraDetections},
		{"topics.camera_image", c.Topics.CameraImage}, {"topics.camera_compressed", c.Topics.CameraCompressed},
		{"topics.camera_info", c.Topics.CameraInfo}, {"topics.odometry", c.Topics.Odometry},
		{"topics.audio", c.Topics.Audio}, {"topics.audio_info", c.Topics.AudioInfo},
		{"frames.odom", c.Frames.Odom}, {"frames.base_link", c.Frames.BaseLink}, {"frames.radar", c.Frames.Radar},
	} {
		if strings.TrimSpace(f.v) == "" || strings.ContainsAny(f.v, " \t") {
			return fmt.Errorf("%s: must be a name without spaces, got %q", f.name, f.v)
		}
	}
	return nil
}

// LoadFile overlays the YAML file at path on c. Unknown keys are refused.
func (c *Config) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := c.overlay(data); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

func (c *Config) overlay(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Set overrides one field given as a dotted path and a YAML value, as in
// "tracker.gate_probability=0.99".
func (c *Config) Set(assignment string) error {
	key, value, ok := strings.Cut(assignment, "=")
	if !ok || key == "" {
		return fmt.Errorf("config: want key=value, got %q", assignment)
	}
	if _, ok := c.Kind(key); !ok {
		return fmt.Errorf("config: %s: no such field", key)
	}
	parts := strings.Split(key, ".")
	var doc strings.Builder
	for i, p := range parts {
		fmt.Fprintf(&doc, "%s%s:", strings.Repeat("  ", i), p)
		if i < len(parts)-1 {
			doc.WriteString("\n")
		}
	}
	fmt.Fprintf(&doc, " %s\n", value)
	if err := c.overlay([]byte(doc.String())); err != nil {
		return fmt.Errorf("config: %s: %w", key, err)
	}
	return nil
}

// Kind returns the Go kind of the field at a dotted path (time.Duration
// fields report reflect.String, since they are written as "50ms").
func (c *Config) Kind(key string) (reflect.Kind, bool) {
	for _, k := range c.Keys() {
		if k.Path == key {
			return k.Kind, true
		}
	}
	return reflect.Invalid, false
}

// Key is one leaf field of the configuration.
type Key struct {
	Path string // dotted YAML path
	Kind reflect.Kind
}

var durationType = reflect.TypeOf(time.Duration(0))

// Keys lists every leaf field, for example to look each up among a node's
// ROS private parameters.
func (c *Config) Keys() []Key {
	var keys []Key
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			path := prefix + name
			switch {
			case f.Type == durationType:
				keys = append(keys, Key{Path: path, Kind: reflect.String})
			case f.Type.Kind() == reflect.Struct:
				walk(f.Type, path+".")
			default:
				keys = append(keys, Key{Path: path, Kind: f.Type.Kind()})
			}
		}
	}
	walk(reflect.TypeOf(*c), "")
	return keys
}
