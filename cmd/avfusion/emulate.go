package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
	"github.com/avfusion/avfusion/sim"
	"github.com/avfusion/avfusion/sim/mmwavesim"
)

// runEmulate runs a virtual TI radar on pseudo-terminals, for a node (or
// TI's own tools) to connect to as to hardware.
func runEmulate(args []string) error {
	fs := flag.NewFlagSet("radar emulate", flag.ContinueOnError)
	scenarioPath := fs.String("scenario", "", "scenario whose actors the radar sees")
	link := fs.String("link", "", "directory for stable device names: DIR/cli and DIR/data")
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scenarioPath == "" {
		return errors.New("--scenario: missing")
	}
	sc, err := sim.LoadScenario(*scenarioPath)
	if err != nil {
		return err
	}
	if sc.Radar == nil {
		return fmt.Errorf("scenario %s has no radar", *scenarioPath)
	}
	e, err := mmwavesim.New(mmwave.DataBaud)
	if err != nil {
		return err
	}
	defer e.Close() //nolint:errcheck // exiting
	if *link != "" {
		if err := e.Link(*link); err != nil {
			return err
		}
	}
	fmt.Printf("cli %s\ndata %s\n", e.CLIPath(), e.DataPath())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	world := sim.NewWorld(sc, calib.DefaultRig(), sensors.WallClock{}.Now())
	var pts []radar.Point
	err = e.Stream(ctx, func(k int, _ time.Duration) []radar.Point {
		pts = world.RadarPoints(pts[:0], k)
		return pts
	})
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}
