package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/record"
	"github.com/avfusion/avfusion/sim"
)

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// simSummary is the one JSON object `avfusion sim --json` prints.
type simSummary struct {
	Scenario  string        `json:"scenario"`
	Seed      int64         `json:"seed"`
	Cycles    int           `json:"cycles"`
	Tracking  trackingScore `json:"tracking"`
	LatencyMs struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
		Max float64 `json:"max"`
	} `json:"latency_ms"`
	DeadlineMisses int `json:"deadline_misses"`
	// ClassAccuracy and FinalClass: see sim.Result.
	ClassAccuracy float64           `json:"class_accuracy"`
	FinalClass    map[string]string `json:"final_class"`
}

// newLogger logs to stderr and, when logFile is set (roslaunch's __log:=),
// to that file too.
func newLogger(level, logFile string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Encoding = "console"
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	cfg.EncoderConfig.EncodeDuration = zapcore.StringDurationEncoder
	cfg.OutputPaths = []string{"stderr"}
	if logFile != "" {
		cfg.OutputPaths = append(cfg.OutputPaths, logFile)
	}
	cfg.Sampling = nil
	return cfg.Build()
}

// simRun is a simulated run of scenario sc under the node configuration
// cfg with the radar path mode, on a fixed epoch so that virtual runs are
// bit-identical; callers add what is particular to them.
func simRun(sc *sim.Scenario, cfg *config.Config, mode sim.RadarMode) (sim.RunConfig, error) {
	run := sim.RunConfig{Radar: mode, Scenario: sc, Node: *cfg, Start: 1_700_000_000e9}
	if mode == sim.RadarTI {
		var err error
		if run.RadarConfig, err = launch.ReadTIConfig(""); err != nil {
			return run, err
		}
	}
	return run, nil
}

func runSim(args []string) error {
	args, ra := ros.SplitArgs(args)
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	scenarioPath := fs.String("scenario", "", "scenario YAML file (see sim/scenarios)")
	seed := fs.Int64("seed", -1, "random seed; -1 keeps the scenario's")
	duration := fs.Duration("duration", 0, "run length; 0 keeps the scenario's")
	asJSON := fs.Bool("json", false, "print one JSON summary object on stdout")
	withROS := fs.Bool("ros", false, "run in real time and publish on ROS (master from $ROS_MASTER_URI)")
	realtime := fs.Bool("realtime", false, "pace the run on the wall clock (implied by --ros); for soak runs")
	configPath := fs.String("config", "", "node configuration YAML (defaults: launch/avfusion.yaml)")
	status := fs.String("status", "auto", "live status line on stderr: auto (with --ros), on, off")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	nodeName := fs.String("node-name", "avfusion", "ROS node name")
	radarMode := fs.String("radar", string(sim.RadarTI), "radar path: ti (virtual TI mmWave radar on pseudo-terminals: TLV frames, serial driver, clustering) or objects (object-level detections)")
	bagPath := fs.String("bag", "", "record the raw sensor streams and ground truth to this bag, for avfusion replay")
	bagCompression := fs.String("bag-compression", "lz4", "chunk compression of --bag: none, lz4 or bz2")
	radarConfig := fs.String("radar-config", "", "TI .cfg uploaded to the virtual radar with --radar ti (default: the built-in "+launch.BuiltinTIConfig+")")
	cameraMode := fs.String("camera", "objects", "camera path: objects (object-level boxes) or render (draw each frame, run camera.detector on it, project the boxes)")
	detector := fs.String("detector", "sim", "detector for --camera render: sim (finds the rendered actors by colour), hog or dnn (overrides camera.detector.kind)")
	var sets multiFlag
	fs.Var(&sets, "set", "override one config field, as tracker.gate_probability=0.99 (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scenarioPath == "" {
		return errors.New("--scenario: missing")
	}
	mode, err := sim.ParseRadarMode(*radarMode)
	if err != nil {
		return fmt.Errorf("--radar: %w", err)
	}
	if *duration < 0 {
		return fmt.Errorf("--duration: must not be negative, got %v", *duration)
	}
	if *cameraMode != "objects" && *cameraMode != "render" {
		return fmt.Errorf("--camera: want objects or render, got %q", *cameraMode)
	}
	log, err := newLogger(*logLevel, ra.Log)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	sc, err := sim.LoadScenario(*scenarioPath)
	if err != nil {
		return err
	}
	if *seed >= 0 {
		sc.Seed = *seed
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var node *ros.Node
	if *withROS {
		if ra.Name != "" {
			*nodeName = ra.Name
		}
		node, err = ros.NewNode(ros.Conf{Name: *nodeName, Namespace: ra.Namespace, Logger: log})
		if err != nil {
			return err
		}
		defer node.Close()
	}
	cfg, err := layeredConfig(*configPath, node, ra, sets)
	if err != nil {
		return err
	}

	run, err := simRun(sc, &cfg, mode)
	if err != nil {
		return err
	}
	run.Duration, run.Realtime, run.Logger = *duration, *withROS || *realtime, log.Named("sim")
	if mode == sim.RadarTI && *radarConfig != "" {
		if run.RadarConfig, err = launch.ReadTIConfig(*radarConfig); err != nil {
			return err
		}
	}
	if *cameraMode == "render" && sc.Camera != nil {
		det := cfg.Camera.Detector
		det.Kind = *detector
		imager, closeImager, err := newCameraImager(sim.NewWorld(sc, cfg.Rig, 0).Rig(), det, cfg.CameraBoxStdPx, sc.Camera.MaxRangeM)
		if err != nil {
			return err
		}
		defer closeImager()
		run.Imager = imager
	}
	if *bagPath != "" {
		world := sim.NewWorld(sc, cfg.Rig, 0)
		rec, err := record.NewBag(*bagPath, *bagCompression, world.Rig().Lens, cfg.Frames.Odom, cfg.Frames.BaseLink)
		if err != nil {
			return err
		}
		run.Recorder = rec
		defer func() {
			if cerr := rec.Close(); cerr != nil {
				log.Error("closing the bag", zap.Error(cerr))
			}
		}()
	}
	if node != nil {
		if err := node.Advertise(cfg.Topics, cfg.Frames); err != nil {
			return err
		}
		if mode == sim.RadarTI {
			if err := node.AdvertiseRadarPoints(cfg.Topics.RadarPoints); err != nil {
				return err
			}
		}
		run.Sink = node
		go node.Watch(ctx, time.Second)
	}
	showStatus := *status == "on" || (*status == "auto" && (*withROS || *realtime))
	tty := isTerminal(os.Stderr)
	if showStatus {
		run.Status = func(s sim.Status) {
			line := fmt.Sprintf("t=%5.1fs  tracks %3d  cycle %5.1f Hz  latency %5.1f ms", s.Elapsed.Seconds(), s.Tracks, s.CycleHz, s.LatencyMs)
			if tty {
				fmt.Fprintf(os.Stderr, "\r%s\033[K", line)
			} else {
				fmt.Fprintln(os.Stderr, line)
			}
		}
	}
	log.Info("running", zap.String("scenario", sc.Name), zap.Int64("seed", sc.Seed), zap.Bool("ros", *withROS),
		zap.Duration("duration", max(*duration, 0)), zap.String("radar", string(mode)))
	began := time.Now()
	res, err := sim.Run(ctx, run)
	if showStatus && tty {
		fmt.Fprintln(os.Stderr)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if res == nil {
		return err
	}

	var out simSummary
	out.Scenario, out.Seed, out.Cycles = sc.Name, sc.Seed, res.Cycles
	m := res.Tracking
	out.Tracking = scoreOf(&m)
	out.LatencyMs.P50, out.LatencyMs.P99, out.LatencyMs.Max = res.LatencyMs.P50, res.LatencyMs.P99, res.LatencyMs.Max
	out.DeadlineMisses = res.DeadlineMisses
	out.ClassAccuracy = res.ClassAccuracy
	out.FinalClass = map[string]string{}
	for id, c := range res.FinalClass {
		out.FinalClass[strconv.Itoa(id)] = c.String()
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	fmt.Fprintf(os.Stderr, "\n%s (seed %d): %d cycles in %.1fs\n"+
		"  MOTA %.3f  MOTP %.2f m  IDF1 %.3f  ID switches %d  false positives %d  misses %d  objects %d\n"+
		"  latency p50 %.1f ms  p99 %.1f ms  max %.1f ms   cycle p99 %.3f ms   deadline misses %d\n"+
		"  class accuracy %.3f on matched objects\n"+
		"  heap after GC: %.1f MB a tenth in, %.1f MB at the end\n",
		sc.Name, sc.Seed, res.Cycles, time.Since(began).Seconds(),
		m.MOTA, m.MOTP, m.IDF1, m.Switches, m.FalsePositives, m.Misses, m.UniqueObjects,
		res.LatencyMs.P50, res.LatencyMs.P99, res.LatencyMs.Max, res.CycleMs.P99, res.DeadlineMisses,
		res.ClassAccuracy, res.HeapStartMB, res.HeapEndMB)
	return nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
