package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/plot/plotter"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sim"
	"github.com/avfusion/avfusion/sim/eval"
)

const evalSuiteUsage = "usage: avfusion eval --scenarios DIR [--ablation] [--seeds N] [--radar objects|ti] [--json] [--plots DIR] [--config F] [--set k=v]"

// evalScore is one run's scores in `eval --json`.
type evalScore struct {
	MOTA          float64 `json:"mota"`
	MOTPM         float64 `json:"motp_m"`
	IDF1          float64 `json:"idf1"`
	IDSwitches    int     `json:"id_switches"`
	ClassAccuracy float64 `json:"class_accuracy"`
	// For the totals: the error counts behind MOTA.
	misses, falsePositives, gtFrames int
}

// evalWhy is one sensor's support of an actor's final track.
type evalWhy struct {
	Hits             uint32  `json:"hits"`
	ClassLogOdds     float64 `json:"class_logodds"`
	ExistenceLogOdds float64 `json:"existence_logodds"`
}

// evalTrack is the fused track that last matched an actor, explained.
type evalTrack struct {
	Track   uint32             `json:"track"`
	Class   string             `json:"class"`
	Sensors map[string]evalWhy `json:"sensors"`
}

type evalScenario struct {
	Name  string    `json:"name"`
	Fused evalScore `json:"fused"`
	// Actors explains, per actor id, the fused run's final track.
	Actors     map[string]evalTrack `json:"actors"`
	RadarOnly  *evalScore           `json:"radar_only,omitempty"`
	CameraOnly *evalScore           `json:"camera_only,omitempty"`
}

type suiteReport struct {
	Scenarios []evalScenario `json:"scenarios"`
	Total     struct {
		Fused      evalScore  `json:"fused"`
		RadarOnly  *evalScore `json:"radar_only,omitempty"`
		CameraOnly *evalScore `json:"camera_only,omitempty"`
	} `json:"total"`
}

// runEvalSuite runs every scenario in a directory, fused and, with
// --ablation, radar-only and camera-only against the same ground truth.
func runEvalSuite(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	dir := fs.String("scenarios", "", "directory of scenario YAML files")
	ablation := fs.Bool("ablation", false, "also run each scenario radar-only and camera-only")
	seeds := fs.Int("seeds", 1, "run each scenario with this many seeds (its own and the next ones) and pool them: single runs are noisy")
	asJSON := fs.Bool("json", false, "print one JSON object")
	plots := fs.String("plots", "", "write PNGs per scenario here: top view, position error over time, latency histogram")
	configPath := fs.String("config", "", "node configuration YAML (defaults: launch/avfusion.yaml)")
	radarMode := fs.String("radar", string(sim.RadarObjects), "radar path: objects (object-level detections) or ti (the virtual TI radar, serial driver and clustering, as avfusion sim runs by default)")
	var sets multiFlag
	fs.Var(&sets, "set", "override one config field (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		return errors.New(evalSuiteUsage)
	}
	if *seeds < 1 {
		return fmt.Errorf("--seeds: at least 1, got %d", *seeds)
	}
	mode, err := sim.ParseRadarMode(*radarMode)
	if err != nil {
		return fmt.Errorf("--radar: %w", err)
	}
	if *plots != "" {
		if err := os.MkdirAll(*plots, 0o755); err != nil {
			return fmt.Errorf("--plots: %w", err)
		}
	}
	files, err := filepath.Glob(filepath.Join(*dir, "*.yaml"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("--scenarios %s: no scenario files (*.yaml)", *dir)
	}
	slices.Sort(files)
	cfg, err := layeredConfig(*configPath, nil, ros.Args{}, sets)
	if err != nil {
		return err
	}
	var rep suiteReport
	var fused, radarOnly, cameraOnly []evalScore
	for _, path := range files {
		sc, err := sim.LoadScenario(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s...\n", sc.Name)
		row := evalScenario{Name: sc.Name}
		if row.Fused, row.Actors, err = evalFused(sc, &cfg, mode, *seeds, *plots); err != nil {
			return err
		}
		fused = append(fused, row.Fused)
		if *ablation {
			r, _, err := evalSeeds(sc, &cfg, mode, []perception.Sensor{perception.Camera, perception.Mic}, nil, *seeds)
			if err != nil {
				return err
			}
			c, _, err := evalSeeds(sc, &cfg, mode, []perception.Sensor{perception.Radar, perception.Mic}, nil, *seeds)
			if err != nil {
				return err
			}
			row.RadarOnly, row.CameraOnly = &r, &c
			radarOnly, cameraOnly = append(radarOnly, r), append(cameraOnly, c)
		}
		rep.Scenarios = append(rep.Scenarios, row)
	}
	rep.Total.Fused = evalTotal(fused)
	if *ablation {
		r, c := evalTotal(radarOnly), evalTotal(cameraOnly)
		rep.Total.RadarOnly, rep.Total.CameraOnly = &r, &c
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(rep)
	}
	rep.print()
	return nil
}

// print prints the report as a table.
func (rep *suiteReport) print() {
	fmt.Printf("%-12s %-7s %6s %7s %6s %6s %6s %6s %6s\n", "scenario", "run", "MOTA", "MOTP m", "IDF1", "IDsw", "FP", "miss", "class")
	line := func(name, run string, s *evalScore) {
		if s != nil {
			fmt.Printf("%-12s %-7s %6.3f %7.2f %6.3f %6d %6d %6d %6.3f\n", name, run, s.MOTA, s.MOTPM, s.IDF1, s.IDSwitches, s.falsePositives, s.misses, s.ClassAccuracy)
		}
	}
	for _, r := range rep.Scenarios {
		line(r.Name, "fused", &r.Fused)
		line("", "radar", r.RadarOnly)
		line("", "camera", r.CameraOnly)
	}
	line("total", "fused", &rep.Total.Fused)
	line("", "radar", rep.Total.RadarOnly)
	line("", "camera", rep.Total.CameraOnly)
}

// evalFused runs a scenario with every sensor over n seeds, writing its
// plots into dir when set.
func evalFused(sc *sim.Scenario, cfg *config.Config, mode sim.RadarMode, n int, dir string) (evalScore, map[string]evalTrack, error) {
	var trace *eval.RunTrace
	if dir != "" {
		trace = eval.NewRunTrace()
	}
	score, actors, err := evalSeeds(sc, cfg, mode, nil, trace, n)
	if err == nil && trace != nil {
		err = trace.WritePlots(dir, sc.Name)
	}
	return score, actors, err
}

// evalSeeds runs a scenario with n seeds (its own and the next n−1) and
// pools the scores; the trace and the actors' explanations are the first
// seed's.
func evalSeeds(sc *sim.Scenario, cfg *config.Config, mode sim.RadarMode, without []perception.Sensor, trace *eval.RunTrace, n int) (evalScore, map[string]evalTrack, error) {
	var runs []evalScore
	var actors map[string]evalTrack
	for k := range n {
		seeded := *sc
		seeded.Seed += int64(k)
		if k > 0 {
			trace = nil
		}
		score, a, err := evalRun(&seeded, cfg, mode, without, trace)
		if err != nil {
			return evalScore{}, nil, err
		}
		if k == 0 {
			actors = a
		}
		runs = append(runs, score)
	}
	if n == 1 {
		return runs[0], actors, nil
	}
	return evalTotal(runs), actors, nil
}

// evalRun simulates one scenario on the virtual clock with some sensors
// silenced, recording a trace for plots when given one.
func evalRun(sc *sim.Scenario, cfg *config.Config, mode sim.RadarMode, without []perception.Sensor, trace *eval.RunTrace) (evalScore, map[string]evalTrack, error) {
	run, err := simRun(sc, cfg, mode)
	if err != nil {
		return evalScore{}, nil, err
	}
	run.Without = without
	if trace != nil {
		run.Observe = func(now sensors.Time, truth []sim.Truth, out *fusion.Output, latencyMs float64) {
			at := now.Sub(run.Start).Seconds()
			for _, t := range truth {
				trace.Truth[t.ID] = append(trace.Truth[t.ID], plotter.XY{X: t.X, Y: t.Y})
			}
			sum, n := 0.0, 0
			for _, tr := range out.Tracks {
				trace.Tracks[tr.ID] = append(trace.Tracks[tr.ID], plotter.XY{X: tr.X[0], Y: tr.X[1]})
			}
			for _, t := range truth {
				best := math.Inf(1)
				for _, tr := range out.Tracks {
					best = math.Min(best, math.Hypot(tr.X[0]-t.X, tr.X[1]-t.Y))
				}
				if best <= cfg.MatchDistanceM {
					sum += best
					n++
				}
			}
			if n > 0 {
				trace.ErrorM = append(trace.ErrorM, plotter.XY{X: at, Y: sum / float64(n)})
			}
			trace.LatencyMs = append(trace.LatencyMs, latencyMs)
		}
	}
	res, err := sim.Run(context.Background(), run)
	if err != nil {
		return evalScore{}, nil, fmt.Errorf("%s: %w", sc.Name, err)
	}
	m := res.Tracking
	actors := map[string]evalTrack{}
	for id, tr := range res.FinalTrack {
		et := evalTrack{Track: tr.ID, Class: tr.Class.String(), Sensors: map[string]evalWhy{}}
		for s := perception.Sensor(0); s < perception.NumSensors; s++ {
			if tr.Hits[s] > 0 || tr.Why[s] != (fusion.SensorEvidence{}) {
				et.Sensors[s.String()] = evalWhy{Hits: tr.Hits[s], ClassLogOdds: round3(tr.Why[s].ClassLogOdds), ExistenceLogOdds: round3(tr.Why[s].ExistenceLogOdds)}
			}
		}
		actors[strconv.Itoa(id)] = et
	}
	return evalScore{MOTA: m.MOTA, MOTPM: m.MOTP, IDF1: m.IDF1, IDSwitches: m.Switches, ClassAccuracy: res.ClassAccuracy,
		misses: m.Misses, falsePositives: m.FalsePositives, gtFrames: m.GroundTruthFrames}, actors, nil
}

// evalTotal pools the runs: MOTA over all their ground truth, the other
// scores as means, the switches summed.
func evalTotal(runs []evalScore) evalScore {
	var t evalScore
	var errs, gt int
	for _, r := range runs {
		errs += r.misses + r.falsePositives + r.IDSwitches
		gt += r.gtFrames
		t.MOTPM += r.MOTPM / float64(len(runs))
		t.IDF1 += r.IDF1 / float64(len(runs))
		t.ClassAccuracy += r.ClassAccuracy / float64(len(runs))
		t.IDSwitches += r.IDSwitches
		t.misses += r.misses
		t.falsePositives += r.falsePositives
		t.gtFrames += r.gtFrames
	}
	if gt > 0 {
		t.MOTA = 1 - float64(errs)/float64(gt)
	}
	return t
}
