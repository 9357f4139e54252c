//go:build cgo

package mic

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/avfusion/avfusion/sensors"
)

// CaptureConfig says which sound card to record and how.
type CaptureConfig struct {
	// Device is the ALSA PCM name ("default", "hw:1,0", "plughw:1", a PCM
	// of the ALSA configuration); empty means the default device.
	Device   string
	Channels int
	RateHz   int
	// Queue bounds the chunks waiting for the reader; when it is full new
	// ones are dropped and counted as overruns, as a sound card's own
	// overrun loses them. Their frames still advance the clock, so the
	// next chunk's stamp shows the gap.
	Queue int
}

// Chunk is a stretch of captured sound: interleaved 16-bit little-endian
// samples whose first frame was captured at Stamp.
type Chunk struct {
	Stamp sensors.Time
	Data  []byte
}

// fitAfterS is how long the capture runs on the nominal rate before the
// clock fit, by then averaged over enough arrivals, takes over.
const fitAfterS = 30

// Capture records a sound card through the miniaudio library (ALSA on
// Linux). Stamps come from the frame count, not from when buffers arrive:
// first from the nominal rate since the first buffer, then, after 30 s of
// buffers, from a fit of the frame count against
// the arrivals (sensors.ClockFit), which follows the card's oscillator as
// it drifts from the node clock.
type Capture struct {
	cfg    CaptureConfig
	ctx    *malgo.AllocatedContext
	dev    *malgo.Device
	clock  sensors.Clock
	mu     sync.Mutex
	queue  []Chunk
	ready  chan struct{}
	anchor sensors.Time
	frames int64
	fit    sensors.ClockFit
	// overruns counts chunks dropped because the reader fell behind.
	overruns int
}

// OpenCapture opens and starts the device.
func OpenCapture(cfg CaptureConfig, clock sensors.Clock) (*Capture, error) {
	switch {
	case cfg.Channels < 1 || cfg.Channels > MaxChannels:
		return nil, fmt.Errorf("mic: capture: %d channels: 1 to %d", cfg.Channels, MaxChannels)
	case cfg.RateHz < MinRate || cfg.RateHz > MaxRate:
		return nil, fmt.Errorf("mic: capture: %d Hz: %d to %d Hz", cfg.RateHz, MinRate, MaxRate)
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 64
	}
	mctx, err := malgo.InitContext([]malgo.Backend{malgo.BackendAlsa}, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("mic: capture: sound library: %w", err)
	}
	c := &Capture{cfg: cfg, ctx: mctx, clock: clock, ready: make(chan struct{}, 1), fit: sensors.ClockFit{HzNominal: float64(cfg.RateHz)}}
	dc := malgo.DefaultDeviceConfig(malgo.Capture)
	dc.Capture.Format = malgo.FormatS16
	dc.Capture.Channels = uint32(cfg.Channels)
	dc.SampleRate = uint32(cfg.RateHz)
	dc.Alsa.NoMMap = 1
	if cfg.Device != "" {
		if len(cfg.Device) >= 255 {
			_ = mctx.Uninit()
			mctx.Free()
			return nil, fmt.Errorf("mic: capture: device name %q too long", cfg.Device)
		}
		var id malgo.DeviceID
		copy(id[:], cfg.Device)
		dc.Capture.DeviceID = id.Pointer()
	}
	dev, err := malgo.InitDevice(mctx.Context, dc, malgo.DeviceCallbacks{Data: c.onData})
	if err != nil {
		_ = mctx.Uninit()
		mctx.Free()
		return nil, fmt.Errorf("mic: capture: device %q: %w", cfg.Device, err)
	}
	c.dev = dev
	if err := dev.Start(); err != nil {
		c.Close()
		return nil, fmt.Errorf("mic: capture: start %q: %w", cfg.Device, err)
	}
	return c, nil
}

// onData runs on the library's thread for every captured buffer.
func (c *Capture) onData(_, in []byte, frames uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	if c.frames == 0 {
		c.anchor = now.Add(-time.Duration(float64(frames) * 1e9 / float64(c.cfg.RateHz)))
	}
	stamp := c.anchor.Add(time.Duration(float64(c.frames) * 1e9 / float64(c.cfg.RateHz)))
	c.frames += int64(frames)
	// The buffer's last frame arrived now: one pair for the clock fit.
	c.fit.Add(uint32(c.frames), now)
	if c.frames >= fitAfterS*int64(c.cfg.RateHz) {
		if fitted, ok := c.fit.Stamp(uint32(c.frames - int64(frames))); ok {
			stamp = fitted
		}
	}
	if len(c.queue) == c.cfg.Queue {
		c.overruns++
		return
	}
	c.queue = append(c.queue, Chunk{Stamp: stamp, Data: append([]byte(nil), in[:int(frames)*2*c.cfg.Channels]...)})
	select {
	case c.ready <- struct{}{}:
	default:
	}
}

// Read returns the oldest waiting chunk, waiting for one.
func (c *Capture) Read(ctx context.Context) (Chunk, error) {
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			ch := c.queue[0]
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return ch, nil
		}
		closed := c.dev == nil
		c.mu.Unlock()
		if closed {
			return Chunk{}, errors.New("mic: capture closed")
		}
		select {
		case <-c.ready:
		case <-ctx.Done():
			return Chunk{}, ctx.Err()
		}
	}
}

// DriftPPM is how much faster the node clock runs than the card's nominal
// rate says, in parts per million; ok is false until enough buffers came.
func (c *Capture) DriftPPM() (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fit.DriftPPM()
}

// Overruns is how many chunks were dropped because the reader was slow.
func (c *Capture) Overruns() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.overruns
}

// Close stops the device and frees the library.
func (c *Capture) Close() {
	if c.dev != nil {
		c.dev.Uninit()
	}
	c.mu.Lock()
	c.dev = nil
	c.mu.Unlock()
	if c.ctx != nil {
		_ = c.ctx.Uninit()
		c.ctx.Free()
		c.ctx = nil
	}
}
