package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/replay"
	"github.com/avfusion/avfusion/sim/eval"
)

// replaySummary is what `avfusion replay --json` prints.
type replaySummary struct {
	In       string         `json:"in"`
	Out      string         `json:"out,omitempty"`
	Cycles   int            `json:"cycles"`
	Messages int            `json:"messages"`
	Tracking *trackingScore `json:"tracking,omitempty"`
	Latency  latencySummary `json:"latency_ms"`
	// LatencyBudgetMisses counts the cycles over latency_budget.
	LatencyBudgetMisses int      `json:"latency_budget_misses"`
	Unused              []string `json:"unused_topics"`
	WallS               float64  `json:"wall_s"`
	Realtime            float64  `json:"x_realtime"`
	DurationS           float64  `json:"bag_s"`
	// Inputs says, per input topic, what became of its messages;
	// RepairedStamps and Refused sum it up per topic.
	Inputs         map[string]inputSummary `json:"inputs"`
	RepairedStamps map[string]uint64       `json:"repaired_stamps"`
	Refused        map[string]uint64       `json:"refused"`
}

// inputSummary is what became of one input topic's messages.
type inputSummary struct {
	Fused          uint64            `json:"fused"`
	RepairedStamps uint64            `json:"repaired_stamps"`
	AssumedFrames  uint64            `json:"assumed_frames"`
	Refused        map[string]uint64 `json:"refused"`
}

// summarizeInputs fills the summary's input accounting.
func (s *replaySummary) summarizeInputs(inputs []fusion.InputHealth) {
	s.Inputs, s.RepairedStamps, s.Refused = map[string]inputSummary{}, map[string]uint64{}, map[string]uint64{}
	for _, in := range inputs {
		s.Inputs[in.Topic] = inputSummary{Fused: in.Fused, RepairedStamps: in.RepairedStamps, AssumedFrames: in.AssumedFrames, Refused: in.Refused}
		if in.RepairedStamps > 0 {
			s.RepairedStamps[in.Topic] = in.RepairedStamps
		}
		for _, n := range in.Refused {
			s.Refused[in.Topic] += n
		}
	}
}

// trackingScore is the "tracking" object of the sim and replay summaries.
type trackingScore struct {
	MOTA           float64 `json:"mota"`
	MOTPM          float64 `json:"motp_m"`
	IDF1           float64 `json:"idf1"`
	IDSwitches     int     `json:"id_switches"`
	FalsePositives int     `json:"false_positives"`
	Misses         int     `json:"misses"`
	GTObjects      int     `json:"gt_objects"`
	// MissesByKind and FalsePositivesByKind: `sim --breakdown`.
	MissesByKind         map[string]int `json:"misses_by_kind,omitempty"`
	FalsePositivesByKind map[string]int `json:"false_positives_by_kind,omitempty"`
}

func scoreOf(m *eval.Metrics) trackingScore {
	return trackingScore{MOTA: m.MOTA, MOTPM: m.MOTP, IDF1: m.IDF1, IDSwitches: m.Switches,
		FalsePositives: m.FalsePositives, Misses: m.Misses, GTObjects: m.UniqueObjects,
		MissesByKind: m.MissesByKind, FalsePositivesByKind: m.FalsePositivesByKind}
}

func runReplay(args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	out := fs.String("out", "", "write everything the node publishes to this bag")
	fast := fs.Bool("fast", false, "as fast as possible (deterministic: the same input gives a byte-identical output bag)")
	rate := fs.Float64("rate", 1, "replay speed relative to real time (ignored with --fast)")
	start := fs.Duration("start", 0, "skip this much of the bag's beginning")
	end := fs.Duration("end", 0, "stop this far into the bag (0: at its end)")
	asJSON := fs.Bool("json", false, "print one JSON summary on stdout")
	configPath := fs.String("config", "", "node configuration YAML")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	var remaps, sets multiFlag
	fs.Var(&remaps, "remap", "rename an input topic, from:=to (repeatable)")
	fs.Var(&sets, "set", "override one config field, key=value (repeatable)")
	in, err := parseWithFile(fs, args, "usage: avfusion replay IN.bag [--out OUT.bag] [--fast | --rate X] [--start T --end T] [--remap from:=to]")
	if err != nil {
		return err
	}
	remap, err := replay.ParseRemap(remaps)
	if err != nil {
		return err
	}
	cfg, err := layeredConfig(*configPath, nil, ros.Args{}, sets)
	if err != nil {
		return err
	}
	log, err := newLogger(*logLevel, "")
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	began := time.Now()
	rc := replay.Config{In: in, Out: *out, Fast: *fast, Rate: *rate, Start: *start, End: *end, Remap: remap, Node: cfg,
		Progress: replayProgress(tty, began)}
	rc.Logger = log.Named("replay")
	res, err := replay.Run(ctx, rc)
	if tty {
		fmt.Fprintln(os.Stderr)
	}
	if err != nil {
		return err
	}
	wall := time.Since(began).Seconds()
	var sum replaySummary
	sum.In, sum.Out, sum.Cycles, sum.Messages, sum.Unused = in, *out, res.Cycles, res.Messages, res.Unused
	sum.summarizeInputs(res.Inputs)
	if sum.Unused == nil {
		sum.Unused = []string{}
	}
	sum.Latency, sum.LatencyBudgetMisses = latencyOf(res.LatencyMs, res.DeliveryMs, res.NodeMs), res.OverBudget
	sum.DurationS = float64(res.Cycles) / cfg.OutputHz
	sum.WallS = wall
	if wall > 0 {
		sum.Realtime = sum.DurationS / wall
	}
	if res.Tracking != nil {
		score := scoreOf(res.Tracking)
		sum.Tracking = &score
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(sum)
	}
	fmt.Fprintf(os.Stderr, "replayed %s: %d cycles (%.1f s of bag) in %.2f s (%.0f× real time), %d input messages\n",
		in, res.Cycles, sum.DurationS, wall, sum.Realtime, res.Messages)
	if m := res.Tracking; m != nil {
		fmt.Fprintf(os.Stderr, "  against the bag's ground truth: MOTA %.3f  MOTP %.2f m  IDF1 %.3f  ID switches %d  FP %d  misses %d\n",
			m.MOTA, m.MOTP, m.IDF1, m.Switches, m.FalsePositives, m.Misses)
	}
	for _, t := range res.Inputs {
		fmt.Fprintf(os.Stderr, "  %s: %d fused, %d stamps repaired, %d frames assumed, refused %v\n", t.Topic, t.Fused, t.RepairedStamps, t.AssumedFrames, t.Refused)
	}
	if len(res.Unused) > 0 {
		fmt.Fprintf(os.Stderr, "  topics not used: %v\n", res.Unused)
	}
	return nil
}

// replayProgress shows a replay's progress on stderr: a bar with an ETA on
// a terminal, a line every tenth otherwise.
func replayProgress(tty bool, began time.Time) func(done, total time.Duration) {
	lastPlain := -1
	return func(done, total time.Duration) {
		frac := 0.0
		if total > 0 {
			frac = min(1, done.Seconds()/total.Seconds())
		}
		if tty {
			eta := time.Duration(0)
			if frac > 0 {
				eta = time.Duration(float64(time.Since(began)) * (1 - frac) / frac)
			}
			const width = 30
			bar := make([]byte, width)
			for i := range bar {
				bar[i] = '.'
				if float64(i) < frac*width {
					bar[i] = '#'
				}
			}
			fmt.Fprintf(os.Stderr, "\r[%s] %3.0f%%  %6.1f/%.1f s of bag  ETA %v\033[K", bar, 100*frac, done.Seconds(), total.Seconds(), eta.Round(time.Second))
			return
		}
		if p := int(frac * 10); p > lastPlain {
			lastPlain = p
			fmt.Fprintf(os.Stderr, "replay: %3.0f%% (%.1f of %.1f s of bag)\n", 100*frac, done.Seconds(), total.Seconds())
		}
	}
}
