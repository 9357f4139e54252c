package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
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
	Scenario       string         `json:"scenario"`
	Seed           int64          `json:"seed"`
	Cycles         int            `json:"cycles"`
	Tracking       trackingScore  `json:"tracking"`
	LatencyMs      latencySummary `json:"latency_ms"`
	DeadlineMisses int            `json:"deadline_misses"`
	// LatencyBudgetMisses counts the cycles over latency_budget.
	LatencyBudgetMisses int `json:"latency_budget_misses"`
	// ClassAccuracy and FinalClass: see sim.Result.
	ClassAccuracy float64           `json:"class_accuracy"`
	FinalClass    map[string]string `json:"final_class"`
	// Warnings and Overlaps: see sim.Result.
	Warnings []string `json:"warnings,omitempty"`
	Overlaps []string `json:"overlaps,omitempty"`
}

// latencySummary is the "latency_ms" object of the sim and replay
// summaries: capture to publish, and its split into the sensor's delivery
// (capture to arrival at the node) and the node's part (arrival to
// publish), each p99.
type latencySummary struct {
	P50         float64 `json:"p50"`
	P99         float64 `json:"p99"`
	Max         float64 `json:"max"`
	DeliveryP99 float64 `json:"delivery_p99"`
	NodeP99     float64 `json:"node_p99"`
}

func latencyOf(total, delivery, node fusion.Percentiles) latencySummary {
	return latencySummary{P50: total.P50, P99: total.P99, Max: total.Max, DeliveryP99: delivery.P99, NodeP99: node.P99}
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
		if run.RadarConfig, err = sc.TIConfigLines(); err != nil {
			return run, err
		}
	}
	return run, nil
}

// simOptions are the flags of `avfusion sim`.
type simOptions struct {
	scenario, configPath, status, logLevel, nodeName string
	radar, radarConfig, bag, bagCompression          string
	camera, detector                                 string
	seed                                             int64
	follow                                           int
	duration, radarLatency                           time.Duration
	asJSON, withROS, realtime, configLimits          bool
	breakdown                                        bool
	sets                                             multiFlag
	mode                                             sim.RadarMode
}

func parseSimFlags(args []string) (*simOptions, error) {
	o := &simOptions{}
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.StringVar(&o.scenario, "scenario", "", "scenario YAML file (see sim/scenarios)")
	fs.Int64Var(&o.seed, "seed", -1, "random seed; -1 keeps the scenario's")
	fs.IntVar(&o.follow, "follow", 0, "every half second of the run, print on stderr where the actor with this id is and which tracks (published or held) lie within 5 m of it; 0: none")
	fs.DurationVar(&o.duration, "duration", 0, "run length; 0 keeps the scenario's")
	fs.DurationVar(&o.radarLatency, "radar-latency", 0, "the radar's latency, capture to arrival, as 15ms (through the TI path the frame's time on the serial link comes on top); 0 keeps the scenario's")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON summary object on stdout")
	fs.BoolVar(&o.withROS, "ros", false, "run in real time and publish on ROS (master from $ROS_MASTER_URI)")
	fs.BoolVar(&o.realtime, "realtime", false, "pace the run on the wall clock (implied by --ros); for soak runs")
	fs.StringVar(&o.configPath, "config", "", "node configuration YAML (defaults: launch/avfusion.yaml)")
	fs.StringVar(&o.status, "status", "auto", "live status line on stderr: auto (with --ros), on, off")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.nodeName, "node-name", "avfusion", "ROS node name")
	fs.StringVar(&o.radar, "radar", string(sim.RadarTI), "radar path: ti (virtual TI mmWave radar on pseudo-terminals: TLV frames, serial driver, clustering) or objects (object-level detections)")
	fs.StringVar(&o.bag, "bag", "", "record the raw sensor streams and ground truth to this bag, for avfusion replay")
	fs.StringVar(&o.bagCompression, "bag-compression", "lz4", "chunk compression of --bag: none, lz4 or bz2")
	fs.StringVar(&o.radarConfig, "radar-config", "", "TI .cfg uploaded to the virtual radar with --radar ti (default: the scenario's ti_config, else the built-in "+launch.BuiltinTIConfig+")")
	fs.BoolVar(&o.breakdown, "breakdown", false, "count misses and false positives by kind of object: class, moving or static, range band (<30, 30-60, >=60 m from the ego)")
	fs.BoolVar(&o.configLimits, "config-limits", false, "with --radar ti, the virtual radar reports only what its configuration's chirps see (nothing beyond their range, Dopplers wrapped into their unambiguous velocity) and the node takes their unambiguous velocity (radar_perception.max_velocity_mps, unless set)")
	fs.StringVar(&o.camera, "camera", "objects", "camera path: objects (object-level boxes) or render (draw each frame, run camera.detector on it, project the boxes)")
	fs.StringVar(&o.detector, "detector", "sim", "detector for --camera render: sim (finds the rendered actors by colour), hog or dnn (overrides camera.detector.kind)")
	fs.Var(&o.sets, "set", "override one config field, as tracker.gate_probability=0.99 (repeatable)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var err error
	switch {
	case o.scenario == "":
		return nil, errors.New("--scenario: missing")
	case o.duration < 0:
		return nil, fmt.Errorf("--duration: must not be negative, got %v", o.duration)
	case o.radarLatency < 0:
		return nil, fmt.Errorf("--radar-latency: must not be negative, got %v", o.radarLatency)
	case o.follow < 0:
		return nil, fmt.Errorf("--follow: an actor id, got %d", o.follow)
	case o.camera != "objects" && o.camera != "render":
		return nil, fmt.Errorf("--camera: want objects or render, got %q", o.camera)
	}
	if o.mode, err = sim.ParseRadarMode(o.radar); err != nil {
		return nil, fmt.Errorf("--radar: %w", err)
	}
	return o, nil
}

func runSim(args []string) error {
	args, ra := ros.SplitArgs(args)
	o, err := parseSimFlags(args)
	if err != nil {
		return err
	}
	log, err := newLogger(o.logLevel, ra.Log)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	sc, err := sim.LoadScenario(o.scenario)
	if err != nil {
		return err
	}
	if o.seed >= 0 {
		sc.Seed = o.seed
	}
	if o.radarLatency > 0 {
		if sc.Radar == nil {
			return fmt.Errorf("--radar-latency: %s has no radar", o.scenario)
		}
		sc.Radar.Latency = o.radarLatency
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var node *ros.Node
	if o.withROS {
		if ra.Name != "" {
			o.nodeName = ra.Name
		}
		if node, err = ros.NewNode(ros.Conf{Name: o.nodeName, Namespace: ra.Namespace, Logger: log}); err != nil {
			return err
		}
		defer node.Close()
	}
	cfg, err := layeredConfig(o.configPath, node, ra, o.sets)
	if err != nil {
		return err
	}
	run, cleanup, err := o.prepare(sc, &cfg, node, log)
	defer cleanup()
	if err != nil {
		return err
	}
	log.Info("running", zap.String("scenario", sc.Name), zap.Int64("seed", sc.Seed), zap.Bool("ros", o.withROS),
		zap.Duration("duration", max(o.duration, 0)), zap.String("radar", string(o.mode)))
	began := time.Now()
	res, err := sim.Run(ctx, run)
	if run.Status != nil && isTerminal(os.Stderr) {
		fmt.Fprintln(os.Stderr)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if res == nil {
		return err
	}
	return o.report(sc, res, time.Since(began))
}

// prepare sets up the run the options describe: its radar configuration,
// rendered camera, bag recording, ROS publishing and status line. cleanup
// undoes what was set up, also after an error.
func (o *simOptions) prepare(sc *sim.Scenario, cfg *config.Config, node *ros.Node, log *zap.Logger) (sim.RunConfig, func(), error) {
	var undo []func()
	cleanup := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	run, err := simRun(sc, cfg, o.mode)
	if err != nil {
		return run, cleanup, err
	}
	run.Duration, run.Realtime, run.Logger, run.ConfigLimits, run.Breakdown = o.duration, o.withROS || o.realtime, log.Named("sim"), o.configLimits, o.breakdown
	if o.follow != 0 {
		if !slices.ContainsFunc(sc.Actors, func(a sim.Actor) bool { return a.ID == o.follow }) {
			return run, cleanup, fmt.Errorf("--follow: scenario %s has no actor %d", sc.Name, o.follow)
		}
		f := &follower{id: o.follow}
		run.Observe = f.observe
	}
	if o.mode == sim.RadarTI && o.radarConfig != "" {
		if run.RadarConfig, err = launch.ReadTIConfig(o.radarConfig); err != nil {
			return run, cleanup, err
		}
	}
	if o.camera == "render" && sc.Camera != nil {
		det := cfg.Camera.Detector
		det.Kind = o.detector
		imager, closeImager, err := newCameraImager(sim.NewWorld(sc, cfg.Rig, 0).Rig(), det, cfg.CameraBoxStdPx, sc.Camera.MaxRangeM)
		if err != nil {
			return run, cleanup, err
		}
		undo = append(undo, closeImager)
		run.Imager = imager
	}
	if o.bag != "" {
		rec, err := record.NewBag(o.bag, o.bagCompression, sim.NewWorld(sc, cfg.Rig, 0).Rig().Lens, cfg.Frames.Odom, cfg.Frames.BaseLink)
		if err != nil {
			return run, cleanup, err
		}
		run.Recorder = rec
		undo = append(undo, func() {
			if cerr := rec.Close(); cerr != nil {
				log.Error("closing the bag", zap.Error(cerr))
			}
		})
	}
	if node != nil {
		if err := node.Advertise(cfg.Topics, cfg.Frames); err != nil {
			return run, cleanup, err
		}
		if o.mode == sim.RadarTI {
			if err := node.AdvertiseRadarPoints(cfg.Topics.RadarPoints); err != nil {
				return run, cleanup, err
			}
		}
		run.Sink = node
	}
	if o.status == "on" || (o.status == "auto" && (o.withROS || o.realtime)) {
		show := statusLine("on")
		run.Status = func(s sim.Status) {
			show(fmt.Sprintf("t=%5.1fs  tracks %3d  cycle %5.1f Hz  latency %5.1f ms  over budget %d", s.Elapsed.Seconds(), s.Tracks, s.CycleHz, s.LatencyMs, s.OverBudget))
		}
	}
	return run, cleanup, nil
}

// report prints a run's summary: one JSON object on stdout with --json,
// else a few lines on stderr.
func (o *simOptions) report(sc *sim.Scenario, res *sim.Result, took time.Duration) error {
	var out simSummary
	out.Scenario, out.Seed, out.Cycles = sc.Name, sc.Seed, res.Cycles
	m := res.Tracking
	out.Tracking = scoreOf(&m)
	out.LatencyMs = latencyOf(res.LatencyMs, res.DeliveryMs, res.NodeMs)
	out.DeadlineMisses, out.LatencyBudgetMisses = res.DeadlineMisses, res.OverBudget
	out.ClassAccuracy, out.Warnings, out.Overlaps = res.ClassAccuracy, res.Warnings, res.Overlaps
	out.FinalClass = map[string]string{}
	for id, c := range res.FinalClass {
		out.FinalClass[strconv.Itoa(id)] = c.String()
	}
	if o.asJSON {
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	fmt.Fprintf(os.Stderr, "\n%s (seed %d): %d cycles in %.1fs\n"+
		"  MOTA %.3f  MOTP %.2f m  IDF1 %.3f  ID switches %d  false positives %d  misses %d  objects %d\n"+
		"  latency p50 %.1f ms  p99 %.1f ms  max %.1f ms (delivery p99 %.1f ms, node p99 %.1f ms)   over budget %d\n"+
		"  cycle p99 %.3f ms   deadline misses %d\n"+
		"  class accuracy %.3f on matched objects\n"+
		"  heap after GC: %.1f MB a tenth in, %.1f MB at the end\n",
		sc.Name, sc.Seed, res.Cycles, took.Seconds(),
		m.MOTA, m.MOTP, m.IDF1, m.Switches, m.FalsePositives, m.Misses, m.UniqueObjects,
		res.LatencyMs.P50, res.LatencyMs.P99, res.LatencyMs.Max, res.DeliveryMs.P99, res.NodeMs.P99, res.OverBudget, res.CycleMs.P99, res.DeadlineMisses,
		res.ClassAccuracy, res.HeapStartMB, res.HeapEndMB)
	for _, w := range slices.Concat(res.Overlaps, res.Warnings) {
		fmt.Fprintf(os.Stderr, "  warning: %s\n", w)
	}
	printKinds("misses", m.MissesByKind)
	printKinds("false positives", m.FalsePositivesByKind)
	return nil
}

// printKinds prints a --breakdown count on stderr, largest first.
func printKinds(what string, byKind map[string]int) {
	if len(byKind) == 0 {
		return
	}
	kinds := slices.Collect(maps.Keys(byKind))
	slices.SortFunc(kinds, func(a, b string) int { return cmp.Or(cmp.Compare(byKind[b], byKind[a]), cmp.Compare(a, b)) })
	fmt.Fprintf(os.Stderr, "  %s by kind:\n", what)
	for _, k := range kinds {
		fmt.Fprintf(os.Stderr, "    %6d  %s\n", byKind[k], k)
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
