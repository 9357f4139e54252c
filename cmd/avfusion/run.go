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

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/live"
)

// layeredConfig applies the configuration layers after the defaults: the
// file, the node's private parameters (when there is a node), the --set
// flags; then validates.
func layeredConfig(path string, node *ros.Node, ra ros.Args, sets []string) (config.Config, error) {
	cfg := config.Default()
	if path != "" {
		if err := cfg.LoadFile(path); err != nil {
			return cfg, err
		}
	}
	if node != nil {
		if err := node.ApplyParams(&cfg); err != nil {
			return cfg, err
		}
	}
	// _key:=value on the command line, as rosrun passes them.
	for _, s := range ra.ConfigSets() {
		if err := cfg.Set(s); err != nil {
			return cfg, fmt.Errorf("private parameter %w", err)
		}
	}
	for _, s := range sets {
		if err := cfg.Set(s); err != nil {
			return cfg, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

func runLive(args []string) error {
	args, ra := ros.SplitArgs(args)
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	radarCLI := fs.String("radar-cli", "", "serial device of a local TI radar's CLI port (e.g. /dev/ttyUSB0); without it radar point clouds are read from ROS")
	radarData := fs.String("radar-data", "", "serial device of the local radar's data port (e.g. /dev/ttyUSB1)")
	radarConfig := fs.String("radar-config", "", "TI .cfg uploaded to the local radar (default: the built-in "+launch.BuiltinTIConfig+")")
	radarLatency := fs.Duration("radar-latency", 10*time.Millisecond, "local radar: capture to first byte at the node")
	radarCPUHz := fs.Float64("radar-cpu-hz", 200e6, "local radar: rate of the frame header's timeCpuCycles counter, to fit the radar's clock (0: stamp by arrival)")
	configPath := fs.String("config", "", "node configuration YAML")
	nodeName := fs.String("node-name", "avfusion", "ROS node name")
	duration := fs.Duration("duration", 0, "stop after this long (0: run until interrupted)")
	status := fs.String("status", "auto", "live status line on stderr: auto (on a terminal), on, off")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	var sets multiFlag
	fs.Var(&sets, "set", "override one config field, key=value (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*radarCLI == "") != (*radarData == "") {
		return errors.New("--radar-cli and --radar-data go together")
	}
	log, err := newLogger(*logLevel, ra.Log)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	if ra.Name != "" {
		*nodeName = ra.Name
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	node, err := ros.NewNode(ros.Conf{Name: *nodeName, Namespace: ra.Namespace, Logger: log})
	if err != nil {
		return err
	}
	defer node.Close()
	cfg, err := layeredConfig(*configPath, node, ra, sets)
	if err != nil {
		return err
	}
	line := statusLine(*status)
	last := time.Now()
	err = live.Run(ctx, node, live.Config{
		Node: cfg, RadarCLI: *radarCLI, RadarData: *radarData, RadarConfig: *radarConfig, RadarLatency: *radarLatency, RadarCPUHz: *radarCPUHz,
		Logger: log,
		Cycle: func(out *fusion.Output) {
			if line == nil || time.Since(last) < time.Second {
				return
			}
			last = time.Now()
			lat := 0.0
			if out.Newest > 0 {
				lat = float64(out.Stamp-out.Newest) / 1e6
			}
			line(fmt.Sprintf("tracks %3d  newest detection %5.1f ms old", len(out.Tracks), lat))
		},
	})
	if line != nil {
		line("")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		log.Info("stopped")
		return nil
	}
	return err
}

// statusLine returns a printer of a one-line status on stderr, or nil
// when off.
func statusLine(mode string) func(string) {
	tty := isTerminal(os.Stderr)
	if mode == "off" || (mode == "auto" && !tty) {
		return nil
	}
	return func(s string) {
		if tty {
			fmt.Fprintf(os.Stderr, "\r%s\033[K", s)
			if s == "" {
				fmt.Fprintln(os.Stderr)
			}
			return
		}
		if s != "" {
			fmt.Fprintln(os.Stderr, s)
		}
	}
}
