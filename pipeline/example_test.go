package pipeline_test

import (
	"fmt"
	"math"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/pipeline"
	"github.com/avfusion/avfusion/sensors"
)

// Drive the node's pipeline on a virtual clock: a radar sees an object
// 10 m ahead of it every 50 ms, and each cycle publishes the confirmed
// tracks in odom (the default rig mounts the radar 3.7 m ahead of
// base_link).
func Example() {
	node := config.Default()
	node.FusionHead = config.Bayes
	engine, err := pipeline.NewEngine(&node, false)
	if err != nil {
		panic(err)
	}
	clock := sensors.NewVirtualClock(0)
	p, err := pipeline.New(pipeline.Config{Engine: engine, Clock: clock, Deadline: node.Deadline}, 0)
	if err != nil {
		panic(err)
	}
	engine.PushEgo(fusion.Ego{})
	var rep pipeline.Report
	for k := 1; k <= 20; k++ {
		now := sensors.Time(k) * sensors.Time(50*time.Millisecond)
		clock.Set(now)
		det := perception.Detection{Stamp: now, Sensor: perception.Radar, Dim: 3, Class: perception.Uniform()}
		det.Z = [3]float64{10, 0, 0} // range, azimuth, range rate
		det.R[0][0], det.R[1][1], det.R[2][2] = 0.01, 1e-4, 0.01
		rep, _ = p.Cycle(now, func(e *fusion.Engine) error {
			e.Ingest(fusion.Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{det}}, now)
			return nil
		})
	}
	tr := rep.Out.Tracks[0]
	fmt.Printf("%d track at (%.1f, %.1f) m, latency %.0f ms\n", len(rep.Out.Tracks), tr.X[0], math.Abs(tr.X[1]), rep.LatencyMs)
	// Output: 1 track at (13.7, 0.0) m, latency 0 ms
}
