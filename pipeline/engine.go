package pipeline

import (
	"fmt"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/fusion/learned"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// NewEngine returns the fusion engine the configuration c describes: its
// tracker parameters and rig, how long scans wait for slower sensors,
// what happens to late scans, and the fusion head. clustered says the
// radar delivers point clouds that the node clusters (a TI radar, a
// recorded or subscribed cloud) rather than object-level detections: its
// detections then fragment objects and may be static-blind.
func NewEngine(c *config.Config, clustered bool) (*fusion.Engine, error) {
	params := c.Tracker
	if clustered {
		params = params.WithClusteredRadar(c.RadarPerception)
	}
	head, err := NewHead(c.FusionHead)
	if err != nil {
		return nil, err
	}
	return fusion.NewEngine(fusion.EngineConfig{
		Params: params, Rig: c.Rig, MaxLatency: c.MaxLatency, SensorTimeout: c.SensorTimeout,
		RetrodictLate: c.LateScans == config.Retrodict, Head: head,
	})
}

// TakeTILimits sets in c what a TI radar configuration's chirps tell
// (mmwave.DeriveLimits): its unambiguous velocity, as
// radar_perception.max_velocity_mps unless that is set already, so that
// the clustering and the tracker (through NewEngine) take wrapped
// Dopplers for what they are. It returns the limits and whether it took
// their velocity.
func TakeTILimits(c *config.Config, lines []mmwave.ConfigLine) (mmwave.Limits, bool, error) {
	l, err := mmwave.DeriveLimits(lines)
	if err != nil || c.RadarPerception.MaxVelocityMps != 0 {
		return l, false, err
	}
	c.RadarPerception.MaxVelocityMps = l.MaxVelocityMps
	return l, true, nil
}

// NewHead returns the fusion head a configuration names: nil for the
// Bayesian rule, the shipped networks for the learned head. Each call
// returns a new head (a head is not safe for concurrent use).
func NewHead(name config.FusionHead) (fusion.Head, error) {
	if name != config.Learned {
		return nil, nil
	}
	h, err := learned.Shipped()
	if err != nil {
		return nil, fmt.Errorf("fusion_head: %w", err)
	}
	return h, nil
}
