package sim

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/acoustic"
)

// heardSink keeps what a run published about sounds, and what the
// explanation of the last emergency-vehicle track said.
type heardSink struct {
	heard, cycles int
	why           [perception.NumSensors]fusion.SensorEvidence
	hits          [perception.NumSensors]uint32
}

func (s *heardSink) Publish(out *fusion.Output) error {
	s.cycles++
	if len(out.Heard) > 0 {
		s.heard++
	}
	for _, tr := range out.Tracks {
		if tr.Class == perception.EmergencyVehicle {
			s.why, s.hits = tr.Why, tr.Hits
		}
	}
	return nil
}

func (s *heardSink) PublishDiagnostics(*fusion.Diagnostics) error { return nil }

// TestSirenGivesTheAmbulanceItsClass runs the emergency scenario: an
// ambulance overtakes from behind with its siren on. The camera model
// sees it as the car or truck it is built on, so only the microphone
// array can tell: with it, the ambulance's track ends as
// emergency_vehicle and no other track does; without it, none does.
// While the ambulance is behind, out of the radar's and camera's view,
// its siren is reported as a bearing-only hypothesis.
func TestSirenGivesTheAmbulanceItsClass(t *testing.T) {
	run := func(withMic bool) (*Result, *heardSink) {
		sc, err := LoadScenario("scenarios/emergency.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if !withMic {
			sc.Mic = nil
		}
		sink := &heardSink{}
		res, err := Run(context.Background(), RunConfig{
			Scenario: sc, Node: trackerOnly(50 * time.Millisecond), Start: 1_700_000_000e9, Sink: sink,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res, sink
	}
	with, sink := run(true)
	without, _ := run(false)
	t.Logf("with the microphones: final classes %v, class accuracy %.3f, MOTA %.3f; heard but untracked in %d of %d cycles",
		with.FinalClass, with.ClassAccuracy, with.Tracking.MOTA, sink.heard, sink.cycles)
	t.Logf("without: final classes %v, class accuracy %.3f", without.FinalClass, without.ClassAccuracy)
	if with.FinalClass[1] != perception.EmergencyVehicle {
		t.Errorf("the ambulance (actor 1) ended as %v", with.FinalClass[1])
	}
	for id, c := range with.FinalClass {
		if id != 1 && c == perception.EmergencyVehicle {
			t.Errorf("actor %d, no ambulance, ended as emergency_vehicle", id)
		}
	}
	if without.FinalClass[1] == perception.EmergencyVehicle {
		t.Error("without microphones the ambulance was still classified: the test does not test the sound")
	}
	if with.ClassAccuracy <= without.ClassAccuracy {
		t.Errorf("class accuracy %.3f with the microphones, %.3f without", with.ClassAccuracy, without.ClassAccuracy)
	}
	if sink.heard == 0 {
		t.Error("the siren behind the vehicle was never reported as heard")
	}
	// The explanation says why: the microphones pushed the class towards
	// emergency_vehicle, the camera (which sees a car or truck) away from
	// it, and the radar and camera hits made it exist.
	w := sink.why
	t.Logf("ambulance's track: hits %v, evidence %+v", sink.hits, w)
	if !(w[perception.Mic].ClassLogOdds > 0) || !(w[perception.Camera].ClassLogOdds < 0) || sink.hits[perception.Mic] == 0 ||
		!(w[perception.Radar].ExistenceLogOdds > 0) {
		t.Errorf("explanation %+v does not say the siren made it an emergency vehicle", w)
	}
}

// TestSimulatedArrayHearsTheRightBearing checks the simulator's audio:
// the ambulance's siren, window by window, comes from where it is.
func TestSimulatedArrayHearsTheRightBearing(t *testing.T) {
	sc, err := LoadScenario("scenarios/emergency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorld(sc, calib.DefaultRig(), 0)
	d, err := acoustic.NewDetector(MicArrayOf(sc.Mic), acoustic.NewHearing(MicWindowHop.Seconds(), 0))
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for k := 0; k < 45; k += 2 {
		stamp := w.MicStamp(k)
		det, sound, ok := d.Detect(w.MicWindow(k), stamp)
		tr, _ := w.truthAt(&sc.Actors[0], stamp)
		pose := w.Ego(stamp).SensorPose(w.Rig().Mic)
		r := math.Hypot(tr.X-pose.X, tr.Y-pose.Y)
		if !ok || sound.Siren < 0.5 {
			t.Fatalf("window %d: the siren %.0f m away was not heard: %+v", k, r, sound)
		}
		if r < 8 {
			continue // passing alongside: not a plane wave
		}
		e := math.Abs(math.Remainder(det.Z[0]-(math.Atan2(tr.Y-pose.Y, tr.X-pose.X)-pose.Yaw), 2*math.Pi)) * 180 / math.Pi
		worst = max(worst, e)
	}
	t.Logf("worst bearing error %.1f°", worst)
	if worst > 5 {
		t.Fatalf("worst bearing error %.1f°", worst)
	}
}

// TestNoSirenNoSoundDetections: the emergency scene with its siren off
// hears only its microphones' noise, and the acoustic detector reports
// no siren or horn in it — the head's training scenes hear no phantom
// sirens.
func TestNoSirenNoSoundDetections(t *testing.T) {
	sc, err := LoadScenario("scenarios/emergency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range sc.Actors {
		sc.Actors[i].Siren = false
	}
	w := NewWorld(sc, calib.DefaultRig(), 0)
	d, err := acoustic.NewDetector(MicArrayOf(sc.Mic), acoustic.NewHearing(MicWindowHop.Seconds(), 0))
	if err != nil {
		t.Fatal(err)
	}
	n := int(sc.Duration / MicWindowHop)
	for k := range n {
		if _, s, found := d.Detect(w.MicWindow(k), w.MicStamp(k)); found || s.Background < max(s.Siren, s.Horn) {
			t.Fatalf("window %d of %d, no siren sounding: %+v, reported %v", k, n, s, found)
		}
	}
}

// TestSirenConfirmWaitsForTheSirenToLast: with mic.siren_confirm_s at
// 1.5 s the ambulance's siren, heard in every window, is reported from
// the second window on (two windows half a second apart span 1.52 s), at
// 2.5 s from the fourth, at 0 from the first.
func TestSirenConfirmWaitsForTheSirenToLast(t *testing.T) {
	sc, err := LoadScenario("scenarios/emergency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorld(sc, calib.DefaultRig(), 0)
	for _, tc := range []struct {
		confirm float64
		first   int
	}{{0, 0}, {1.5, 1}, {2.5, 3}} {
		d, err := acoustic.NewDetector(MicArrayOf(sc.Mic), acoustic.NewHearing(MicWindowHop.Seconds(), tc.confirm))
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 8; k++ {
			_, sound, ok := d.Detect(w.MicWindow(k), w.MicStamp(k))
			if sound.Siren < 0.5 {
				t.Fatalf("window %d: the siren is not the likeliest sound: %+v", k, sound)
			}
			if ok != (k >= tc.first) {
				t.Errorf("siren_confirm_s %g: window %d reported %v, want reports from window %d", tc.confirm, k, ok, tc.first)
			}
		}
	}
}
