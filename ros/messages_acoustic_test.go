package ros

import (
	"math"
	"testing"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
)

// TestUnexplainedSoundIsAFlaggedObstacle: a siren no track explains is on
// obstacles as a zero-size box at the array, turned to the bearing, with
// emergency_vehicle as its hypothesis, and on /diagnostics.
func TestUnexplainedSoundIsAFlaggedObstacle(t *testing.T) {
	h := fusion.AcousticHypothesis{Stamp: 5e9, X: 10, Y: 2, Bearing: math.Pi / 2, BearingVar: 0.01, Mirror: math.NaN(),
		Sound: perception.Sound{Siren: 0.97, Background: 0.03}}
	out := &fusion.Output{Stamp: 5e9, Tracks: []fusion.TrackState{{ID: 1}}, Heard: []fusion.AcousticHypothesis{h}}
	msg := Obstacles(out, "odom")
	if len(msg.Detections) != 2 {
		t.Fatalf("%d detections, want the track and the sound", len(msg.Detections))
	}
	d := msg.Detections[1]
	q := d.Bbox.Center.Orientation
	yaw := 2 * math.Atan2(q.Z, q.W)
	if d.Bbox.Size.X != 0 || d.Bbox.Size.Y != 0 || d.Bbox.Size.Z != 0 || d.Bbox.Center.Position.X != 10 || math.Abs(yaw-math.Pi/2) > 1e-9 {
		t.Fatalf("box %+v", d.Bbox)
	}
	if len(d.Results) != 1 || d.Results[0].Id != int64(perception.EmergencyVehicle) || d.Results[0].Score != 0.97 || d.Results[0].Pose.Covariance[35] != 0.01 {
		t.Fatalf("results %+v", d.Results)
	}
	diag := DiagnosticArray(&fusion.Diagnostics{Stamp: 5e9, Heard: []fusion.AcousticHypothesis{h}}, "avfusion")
	found := false
	for _, s := range diag.Status {
		if s.Name == "avfusion: acoustic" && len(s.Values) == 1 {
			found = true
		}
	}
	if !found {
		t.Fatalf("no acoustic status in %+v", diag.Status)
	}
}
