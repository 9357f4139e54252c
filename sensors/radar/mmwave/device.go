package mmwave

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/avfusion/avfusion/sensors"
)

// DevOpts configures a Dev.
type DevOpts struct {
	// TransferLatency is the time from a frame's capture to the arrival of
	// its first byte at the node (chirps, processing, start of transfer).
	TransferLatency time.Duration
	// CommandTimeout bounds the wait for each CLI command's Done.
	CommandTimeout time.Duration
	// Clock stamps arrivals; the wall clock when nil.
	Clock sensors.Clock
	// FrameTimeout, when positive, makes ReadFrame fail with ErrNoFrames
	// after that long (wall time) without a whole frame: a radar that is
	// connected but silent.
	FrameTimeout time.Duration
	// CPUClockHz, when set, is the rate of the header's timeCpuCycles
	// counter: the device then fits the radar's clock to the node's
	// (offset and drift) and stamps frames from the fit, which removes the
	// transfer jitter of arrival stamps.
	CPUClockHz float64
	Parse      Opts
}

// ErrNoFrames is returned by ReadFrame when no frame came within the
// frame timeout.
var ErrNoFrames = errors.New("mmwave: no frames from the radar")

// DefaultDevOpts suits the SDK 3.x out-of-box demo.
func DefaultDevOpts() DevOpts {
	return DevOpts{TransferLatency: 10 * time.Millisecond, CommandTimeout: 2 * time.Second, Parse: DefaultOpts()}
}

// StampedFrame is a frame with its capture time on the node clock.
type StampedFrame struct {
	Frame
	// Stamp is the capture time: arrival of the first byte minus the
	// transfer latency.
	Stamp   sensors.Time
	Arrival sensors.Time
	// ClockDriftPPM is the fitted drift of the radar's clock against the
	// node's (see DevOpts.CPUClockHz), NaN while unknown.
	ClockDriftPPM float64
}

// Dev is a TI mmWave radar on two serial ports it does not own.
type Dev struct {
	cli, data Port
	opts      DevOpts
	scanner   *Scanner
	clock     sensors.ClockFit
	// since is when the oldest buffered byte arrived; lastRead when the
	// latest read returned.
	since, lastRead sensors.Time
}

// New returns a device on the given CLI and data ports.
func New(cli, data Port, opts *DevOpts) (*Dev, error) {
	o := DefaultDevOpts()
	if opts != nil {
		o = *opts
	}
	if o.Clock == nil {
		o.Clock = sensors.WallClock{}
	}
	switch {
	case o.TransferLatency < 0:
		return nil, fmt.Errorf("mmwave: transfer latency must not be negative, got %v", o.TransferLatency)
	case o.CommandTimeout <= 0:
		return nil, fmt.Errorf("mmwave: command timeout must be positive, got %v", o.CommandTimeout)
	case cli == nil || data == nil:
		return nil, errors.New("mmwave: both the CLI and the data port are needed")
	}
	return &Dev{cli: cli, data: data, opts: o, scanner: NewScanner(o.Parse), clock: sensors.ClockFit{HzNominal: o.CPUClockHz}}, nil
}

// Configure uploads a configuration (see Configure).
func (d *Dev) Configure(ctx context.Context, lines []ConfigLine) error {
	return Configure(ctx, d.cli, lines, d.opts.CommandTimeout)
}

// Halt stops the sensor (sensorStop) without waiting for the answer.
func (d *Dev) Halt() error {
	_, err := io.WriteString(d.cli, "sensorStop\n")
	return err
}

// ClockDriftPPM is how much faster the node clock runs than the radar's
// CPU counter says (ok false without CPUClockHz or before enough frames).
func (d *Dev) ClockDriftPPM() (float64, bool) {
	if d.opts.CPUClockHz <= 0 {
		return 0, false
	}
	return d.clock.DriftPPM()
}

// Frames returns the number of frames decoded so far.
func (d *Dev) Frames() uint64 { return d.scanner.Frames }

// Buffered returns the bytes received but not yet decoded.
func (d *Dev) Buffered() int { return d.scanner.Buffered() }

// Errors returns the counts of damaged frames by kind so far.
func (d *Dev) Errors() [NumErrorKinds]uint64 { return d.scanner.Errors }

// ReadFrame reads the data port until a whole frame has arrived and
// decodes it into dst, stamped at capture. It returns the port's error (a
// vanished USB device gives one) or ctx's.
func (d *Dev) ReadFrame(ctx context.Context, dst *StampedFrame) error {
	wall := sensors.WallClock{}
	began := wall.Now()
	for {
		if d.scanner.Next(&dst.Frame) {
			dst.Arrival = d.since
			dst.Stamp = d.since.Add(-d.opts.TransferLatency)
			dst.ClockDriftPPM = math.NaN()
			if d.opts.CPUClockHz > 0 {
				d.clock.Add(dst.TimeCPUCycles, dst.Arrival)
				if t, ok := d.clock.Stamp(dst.TimeCPUCycles); ok {
					dst.Stamp = t.Add(-d.opts.TransferLatency)
					dst.ClockDriftPPM, _ = d.clock.DriftPPM()
				}
			}
			// What is left belongs to the next frame and came with the
			// latest read.
			d.since = d.lastRead
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.opts.FrameTimeout > 0 && wall.Now().Sub(began) > d.opts.FrameTimeout {
			return ErrNoFrames
		}
		empty := d.scanner.Buffered() == 0
		n, err := d.data.Read(d.scanner.Space())
		if n > 0 {
			d.lastRead = d.opts.Clock.Now()
			if empty {
				d.since = d.lastRead
			}
			d.scanner.Commit(n)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("mmwave: read data port: %w", err)
		}
	}
}
