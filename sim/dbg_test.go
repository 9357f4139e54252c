package sim

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/sensors"
)

func TestDbg(t *testing.T) {
	name := os.Getenv("DBG")
	if name == "" {
		t.Skip()
	}
	sc, err := LoadScenario("scenarios/" + name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := launch.Default()
	run := RunConfig{Scenario: sc, Engine: EngineConfigFor(sc, cfg.Tracker, cfg.Rig), OutputHz: cfg.OutputHz, Deadline: cfg.Deadline, Start: 1_700_000_000e9, MatchDistanceM: cfg.MatchDistanceM}
	run.Engine.RetrodictLate = true
	world := NewWorld(sc, run.Engine.Rig, run.Start)
	run.Observe = func(now sensors.Time, truth []Truth, out *fusion.Output, lat float64) {
		at := now.Sub(run.Start).Seconds()
		for _, tr := range out.Tracks {
			if !world.InCoverage(out.Ego, tr.X[0], tr.X[1]) {
				continue
			}
			best, bid := math.Inf(1), -1
			for _, g := range truth {
				if d := math.Hypot(tr.X[0]-g.X, tr.X[1]-g.Y); d < best {
					best, bid = d, g.ID
				}
			}
			if best > cfg.MatchDistanceM {
				fmt.Printf("%.1f FP track %d at %.1f,%.1f v %.1f,%.1f cls %v hits %v nearest %d %.1fm\n", at, tr.ID, tr.X[0], tr.X[1], tr.X[2], tr.X[3], tr.Class, tr.Hits, bid, best)
			}
		}
		for _, g := range truth {
			best := math.Inf(1)
			for _, tr := range out.Tracks {
				best = math.Min(best, math.Hypot(tr.X[0]-g.X, tr.X[1]-g.Y))
			}
			if best > cfg.MatchDistanceM {
				fmt.Printf("%.1f MISS actor %d at %.1f,%.1f nearest %.1fm\n", at, g.ID, g.X, g.Y, best)
			}
		}
	}
	if _, err := Run(context.Background(), run); err != nil {
		t.Fatal(err)
	}
}
