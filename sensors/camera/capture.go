//go:build cgo

package camera

import (
	"errors"
	"fmt"
	"io"
	"time"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/sensors"
)

// Config says what to open and how to stamp it.
type Config struct {
	// Source is what ParseSource accepts.
	Source string `yaml:"source"`
	// Width and Height request a frame size from a device (0: its default).
	Width  int `yaml:"width"`
	Height int `yaml:"height"`
	// FPS requests a frame rate from a device (0: its default).
	FPS float64 `yaml:"fps"`
	// Latency is the time from exposure to the end of the grab; it is
	// subtracted from the moment a frame is read.
	Latency time.Duration `yaml:"latency"`
	// Realtime plays a file at its own frame rate and stamps frames on the
	// clock like a live camera; otherwise a file is read as fast as asked
	// and stamped on its own timeline, from the moment it was opened.
	Realtime bool `yaml:"realtime"`
}

// Validate names the first field that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Width < 0 || c.Width > 16384:
		return fmt.Errorf("width: must be in [0, 16384], got %d", c.Width)
	case c.Height < 0 || c.Height > 16384:
		return fmt.Errorf("height: must be in [0, 16384], got %d", c.Height)
	case c.FPS < 0 || c.FPS > 1000:
		return fmt.Errorf("fps: must be in [0, 1000], got %g", c.FPS)
	case c.Latency < 0:
		return fmt.Errorf("latency: must not be negative, got %v", c.Latency)
	}
	return nil
}

// Frame describes one captured image.
type Frame struct {
	// Seq counts frames read from the source, from 0.
	Seq int64
	// Stamp is the capture time on the node clock.
	Stamp sensors.Time
}

// Capture reads frames from one source. It is not safe for concurrent
// use; Latest runs one in its own goroutine.
type Capture struct {
	src     Source
	cfg     Config
	clock   sensors.Clock
	vc      *gocv.VideoCapture
	fps     float64
	opened  sensors.Time
	nextDue sensors.Time // Realtime files: when the next frame is due
	seq     int64
	// sourceClock maps a live source's own timestamps to the node clock.
	sourceClock sourceClock
}

// Open opens the source. A source OpenCV cannot open is an error naming
// it; nothing reaches OpenCV that would make it throw.
func Open(cfg Config, clock sensors.Clock) (*Capture, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("camera: %w", err)
	}
	src, err := ParseSource(cfg.Source)
	if err != nil {
		return nil, err
	}
	var vc *gocv.VideoCapture
	switch {
	case src.Kind == Device && src.Location == "":
		vc, err = gocv.OpenVideoCaptureWithAPI(src.Index, gocv.VideoCaptureV4L2)
	case src.Kind == Device:
		vc, err = gocv.OpenVideoCaptureWithAPI(src.Location, gocv.VideoCaptureV4L2)
	case src.Kind == Pipeline:
		vc, err = gocv.OpenVideoCaptureWithAPI(src.Location, gocv.VideoCaptureGstreamer)
	default:
		vc, err = gocv.OpenVideoCaptureWithAPI(src.Location, gocv.VideoCaptureFFmpeg)
	}
	if err != nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		return nil, fmt.Errorf("camera: cannot open %v (OpenCV refused it: not a video, a bad pipeline or an unreachable device)", src)
	}
	if src.Kind == Device {
		if cfg.Width > 0 {
			vc.Set(gocv.VideoCaptureFrameWidth, float64(cfg.Width))
		}
		if cfg.Height > 0 {
			vc.Set(gocv.VideoCaptureFrameHeight, float64(cfg.Height))
		}
		if cfg.FPS > 0 {
			vc.Set(gocv.VideoCaptureFPS, cfg.FPS)
		}
	}
	c := &Capture{src: src, cfg: cfg, clock: clock, vc: vc, fps: vc.Get(gocv.VideoCaptureFPS), opened: clock.Now(),
		sourceClock: newSourceClock()}
	if c.fps <= 0 || c.fps > 1000 {
		c.fps = cfg.FPS
	}
	c.nextDue = c.opened
	return c, nil
}

// DriftPPM is how much faster the node clock runs than the source's own
// frame timestamps say, in parts per million; ok is false for sources
// without timestamps or before enough frames.
func (c *Capture) DriftPPM() (float64, bool) { return c.sourceClock.driftPPM() }

// Source is what the capture reads.
func (c *Capture) Source() Source { return c.src }

// FPS is the source's frame rate as OpenCV reports it (0 when unknown).
func (c *Capture) FPS() float64 { return c.fps }

// FrameCount is the number of frames in a file (0 when unknown or live).
func (c *Capture) FrameCount() int {
	if c.src.Live() {
		return 0
	}
	return int(c.vc.Get(gocv.VideoCaptureFrameCount))
}

// Read reads the next frame into dst and stamps it. It returns io.EOF at
// the end of a file or when a live source stops.
func (c *Capture) Read(dst *gocv.Mat) (Frame, error) {
	if c.vc == nil {
		return Frame{}, errors.New("camera: read after Close")
	}
	paced := c.src.Live() || c.cfg.Realtime
	if !c.src.Live() && c.cfg.Realtime && c.fps > 0 {
		if wait := c.nextDue.Sub(c.clock.Now()); wait > 0 {
			time.Sleep(wait)
		}
		c.nextDue = c.nextDue.Add(time.Duration(float64(time.Second) / c.fps))
	}
	if !c.vc.Read(dst) || dst.Empty() {
		return Frame{}, io.EOF
	}
	f := Frame{Seq: c.seq}
	c.seq++
	if paced {
		now := c.clock.Now()
		f.Stamp = now.Add(-c.cfg.Latency)
		if ms := c.vc.Get(gocv.VideoCapturePosMsec); c.src.Live() && ms > 0 {
			f.Stamp = c.sourceClock.stamp(ms, now).Add(-c.cfg.Latency)
		}
	} else {
		ms := c.vc.Get(gocv.VideoCapturePosMsec)
		if ms <= 0 && c.fps > 0 {
			ms = float64(f.Seq) * 1000 / c.fps
		}
		f.Stamp = c.opened.Add(time.Duration(ms * float64(time.Millisecond)))
	}
	return f, nil
}

// Skip discards n frames of a file without decoding them fully.
func (c *Capture) Skip(n int) {
	if n > 0 {
		c.vc.Grab(n)
		c.seq += int64(n)
	}
}

// Close releases the source.
func (c *Capture) Close() {
	if c.vc != nil {
		c.vc.Close()
		c.vc = nil
	}
}
