package mmwave

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Opener opens the CLI and data ports of a radar, for example by device
// path; the supervisor calls it again after the device disappears.
type Opener func() (cli, data io.ReadWriteCloser, err error)

// State is what the supervisor knows of its radar's connection.
type State struct {
	Connected bool
	// Reconnects counts successful connections after the first.
	Reconnects int
	// Err is why the radar is not connected (nil when it is).
	Err error
}

// SupervisorConfig configures Supervise.
type SupervisorConfig struct {
	Open   Opener
	Config []ConfigLine
	Dev    DevOpts
	// MinBackoff and MaxBackoff bound the wait between attempts; it
	// doubles after each failure.
	MinBackoff, MaxBackoff time.Duration
	// OnFrame receives every frame; the frame is reused after it returns.
	OnFrame func(*StampedFrame)
	// OnState is told of every change of connection state.
	OnState func(State)
}

// Supervise keeps a radar running until ctx ends: it opens the ports,
// uploads the configuration and reads frames; when a port fails (a USB
// device unplugged) it closes both and tries again with exponential
// backoff, reporting each change through OnState.
func Supervise(ctx context.Context, cfg SupervisorConfig) error {
	if cfg.Open == nil || cfg.OnFrame == nil || len(cfg.Config) == 0 {
		return errors.New("mmwave: supervisor needs an opener, a frame handler and a configuration")
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 200 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = 5 * time.Second
	}
	report := func(s State) {
		if cfg.OnState != nil {
			cfg.OnState(s)
		}
	}
	state := State{}
	backoff := cfg.MinBackoff
	connections := 0
	for {
		delivered, err := runOnce(ctx, &cfg, func() {
			connections++
			state = State{Connected: true, Reconnects: max(0, connections-1)}
			report(state)
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		state.Connected, state.Err = false, err
		report(state)
		if delivered {
			backoff = cfg.MinBackoff
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, cfg.MaxBackoff)
	}
}

// runOnce connects, configures and reads until an error. It reports
// whether any frame came through.
func runOnce(ctx context.Context, cfg *SupervisorConfig, connected func()) (bool, error) {
	cli, data, err := cfg.Open()
	if err != nil {
		return false, err
	}
	defer cli.Close()  //nolint:errcheck // the port is gone or being dropped
	defer data.Close() //nolint:errcheck // likewise
	dev, err := New(cli, data, &cfg.Dev)
	if err != nil {
		return false, err
	}
	if err := dev.Configure(ctx, cfg.Config); err != nil {
		return false, err
	}
	connected()
	var f StampedFrame
	delivered := false
	for {
		if err := dev.ReadFrame(ctx, &f); err != nil {
			if ctx.Err() != nil {
				_ = dev.Halt() // shutting down: stop the sensor, as TI's tools do
			}
			return delivered, fmt.Errorf("mmwave: %w", err)
		}
		delivered = true
		cfg.OnFrame(&f)
	}
}
