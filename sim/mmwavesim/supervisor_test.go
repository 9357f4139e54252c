package mmwavesim

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// plugIn starts an emulator linked at dir that streams one point a frame.
func plugIn(t *testing.T, dir string) (*Emulator, context.CancelFunc) {
	t.Helper()
	e, err := New(mmwave.DataBaud)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Link(dir); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_ = e.Stream(ctx, func(int, time.Duration) []radar.Point { return []radar.Point{{X: 10, Doppler: 1, SNR: 20}} })
	}()
	return e, cancel
}

// TestSuperviseSurvivesUnplug unplugs the virtual radar (its
// pseudo-terminals close, as a USB device's ports vanish) and plugs a new
// one in under the same names: the supervisor reports the loss, reconnects
// with backoff, uploads the configuration again and frames flow again.
func TestSuperviseSurvivesUnplug(t *testing.T) {
	tier.Integration(t)
	dir := t.TempDir()
	e, stopStream := plugIn(t, dir)
	f, err := os.Open(shippedConfig)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := mmwave.ReadConfig(f)
	f.Close() //nolint:errcheck,gosec // read-only
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	frames := 0
	var states []mmwave.State
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- mmwave.Supervise(ctx, mmwave.SupervisorConfig{
			Open: func() (io.ReadWriteCloser, io.ReadWriteCloser, error) {
				cli, err := mmwave.OpenSerial(filepath.Join(dir, "cli"), mmwave.CLIBaud, 100*time.Millisecond)
				if err != nil {
					return nil, nil, err
				}
				data, err := mmwave.OpenSerial(filepath.Join(dir, "data"), mmwave.DataBaud, 100*time.Millisecond)
				if err != nil {
					cli.Close() //nolint:errcheck,gosec // already failing
					return nil, nil, err
				}
				return cli, data, nil
			},
			Config:     lines,
			Dev:        mmwave.DevOpts{CommandTimeout: time.Second, FrameTimeout: time.Second, Parse: mmwave.DefaultOpts()},
			MinBackoff: 50 * time.Millisecond, MaxBackoff: 400 * time.Millisecond,
			OnFrame: func(*mmwave.StampedFrame) { mu.Lock(); frames++; mu.Unlock() },
			OnState: func(s mmwave.State) { mu.Lock(); states = append(states, s); mu.Unlock() },
		})
	}()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			ok := cond()
			mu.Unlock()
			if ok {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s (frames %d, states %+v)", what, frames, states)
	}
	waitFor("frames", func() bool { return frames >= 5 })
	stopStream()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor("the loss to be reported", func() bool { return len(states) >= 2 && !states[len(states)-1].Connected })
	mu.Lock()
	before := frames
	mu.Unlock()
	e2, stop2 := plugIn(t, dir)
	defer func() { stop2(); _ = e2.Close() }()
	waitFor("frames after replugging", func() bool { return frames >= before+5 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("supervisor ended with %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	last := states[len(states)-1]
	if !last.Connected || last.Reconnects != 1 {
		t.Fatalf("states %+v: want connected after one reconnection", states)
	}
}
