package sim

import (
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
)

// EngineConfigFor returns the fusion configuration for a scenario: the
// tracker's coverage and reliability of each sensor are those the scenario
// declares, everything else comes from p.
func EngineConfigFor(sc *Scenario, p fusion.Params, rig calib.Rig) fusion.EngineConfig {
	latency := 100 * time.Millisecond
	if m := sc.Radar; m != nil {
		p.Radar.FOVDeg, p.Radar.MaxRangeM, p.Radar.PDetect = m.FOVDeg, m.MaxRangeM, clampP(m.PDetect)
		latency = max(latency, 2*m.Latency+time.Duration(float64(time.Second)/m.RateHz))
	}
	if m := sc.Camera; m != nil {
		p.Camera.FOVDeg, p.Camera.MaxRangeM, p.Camera.PDetect = m.FOVDeg, m.MaxRangeM, clampP(m.PDetect)
		latency = max(latency, 2*m.Latency+time.Duration(float64(time.Second)/m.RateHz))
	}
	return fusion.EngineConfig{Params: p, Rig: rig, MaxLatency: latency, SensorTimeout: 4 * latency}
}

// clampP keeps a detection probability inside (0, 1) so the existence
// update never divides by zero.
func clampP(p float64) float64 { return min(max(p, 0.01), 0.99) }
