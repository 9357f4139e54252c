package sim

import "github.com/avfusion/avfusion/fusion"

// ScenarioParams returns the tracker parameters for a scenario: the
// coverage and reliability of each sensor are those the scenario
// declares, everything else comes from p.
func ScenarioParams(sc *Scenario, p fusion.Params) fusion.Params {
	if m := sc.Radar; m != nil {
		p.Radar.FOVDeg, p.Radar.MaxRangeM, p.Radar.PDetect = m.FOVDeg, m.MaxRangeM, clampP(m.PDetect)
	}
	if m := sc.Camera; m != nil {
		p.Camera.FOVDeg, p.Camera.MaxRangeM, p.Camera.PDetect = m.FOVDeg, m.MaxRangeM, clampP(m.PDetect)
	}
	return p
}

// clampP keeps a detection probability inside (0, 1) so the existence
// update never divides by zero.
func clampP(p float64) float64 { return min(max(p, 0.01), 0.99) }
