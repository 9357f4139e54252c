package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sim"
)

// TestFollowLineNamesTheNearTracks: a report on an actor gives its place
// from the ego and the tracks within 5 m of it, nearest first, published
// or held, and nothing of a track further off.
func TestFollowLineNamesTheNearTracks(t *testing.T) {
	truth := []sim.Truth{{ID: 3, Class: perception.Pedestrian, X: 40, Y: 4, VX: 0, VY: 1.5}}
	out := &fusion.Output{Ego: fusion.Ego{X: 10}}
	out.Tracks = []fusion.TrackState{
		{ID: 7, Status: fusion.Confirmed, Class: perception.Car, Existence: 0.9, X: [4]float64{42, 4, 8, 0}},
		{ID: 8, Status: fusion.Confirmed, Class: perception.Car, Existence: 0.9, X: [4]float64{60, 4, 8, 0}},
	}
	out.Held = []fusion.TrackState{{ID: 9, Status: fusion.Tentative, Class: perception.Pedestrian, Existence: 0.3, X: [4]float64{40.5, 4, 0, 1}}}
	got := followLine(3, 1500*time.Millisecond, truth, out)
	want := "follow 3 at  1.50 s: pedestrian 30.3 m from the ego at (30.0, 4.0), 1.5 m/s" +
		" | track 9 held 0.5 m off, pedestrian, 1.0 m/s, tentative, existence 0.30" +
		" | track 7 published 2.0 m off, car, 8.0 m/s, confirmed, existence 0.90"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := followLine(4, 0, truth, out); !strings.HasSuffix(got, "not in the scene, or in no sensor's view") {
		t.Fatalf("an absent actor: %q", got)
	}
}

// TestSimFollowsAnActor: `sim --follow` reports on the actor every half
// second of the run, and names the track that holds it.
func TestSimFollowsAnActor(t *testing.T) {
	out, err := exec.Command(sharedBinary(t), "sim", "--scenario", "../../sim/scenarios/crossing.yaml",
		"--radar", "objects", "--duration", "4s", "--follow", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var lines []string
	for l := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(l, "follow 1 at ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 8 || !strings.Contains(lines[7], "published") || !strings.Contains(lines[7], "pedestrian") {
		t.Fatalf("%d reports on actor 1 in 4 s, want 8, the last naming its published track:\n%s", len(lines), strings.Join(lines, "\n"))
	}
}
