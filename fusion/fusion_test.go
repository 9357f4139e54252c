package fusion

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

func TestParamsValidateNamesNewFields(t *testing.T) {
	for _, c := range []struct {
		change func(*Params)
		field  string
	}{
		{func(p *Params) { p.ClassGate = 7 }, "class_gate"},
		{func(p *Params) { p.ClassWeight = -1 }, "class_weight"},
		{func(p *Params) { p.PublishExistence = 1 }, "publish_existence"},
		{func(p *Params) { p.PublishMaxStdM = 0 }, "publish_max_std_m"},
		{func(p *Params) { p.Motion.Car = "ctrv" }, "motion.car"},
		{func(p *Params) { p.Motion.EmergencyVehicle = "" }, "motion.emergency_vehicle"},
		{func(p *Params) { p.IMM.SwitchPerS = -1 }, "imm.switch_per_s"},
		{func(p *Params) { p.Association = "mht" }, "association"},
		{func(p *Params) { p.ConfirmWindowClustered = 40 }, "confirm_window_clustered"},
		{func(p *Params) { p.ConfirmWindowClustered = 3 }, "confirm_hits"},
	} {
		p := DefaultParams()
		c.change(&p)
		if err := p.Validate(); err == nil || !strings.HasPrefix(err.Error(), c.field) {
			t.Errorf("%s: got %v", c.field, err)
		}
	}
}

// classed returns a detection's class belief: sure of c.
func classed(c perception.Class) perception.ClassProbs {
	var p perception.ClassProbs
	for i := range p {
		p[i] = 0.02
	}
	p[c] = 0.9
	return p
}

// TestClassGateKeepsATruckBoxOffAPedestrian: a confident "truck" box in
// the gate of a pedestrian track is not its detection.
func TestClassGateKeepsATruckBoxOffAPedestrian(t *testing.T) {
	e := testEngine(t)
	var out Output
	now := sensors.Time(0)
	for k := 1; k <= 10; k++ {
		now = sensors.Time(k) * 50 * ms
		cam := cameraAt(now, 20, 2)
		cam.Class = classed(perception.Pedestrian)
		radarAndCamera(e, now, radarAt(now, 20, 2), cam)
	}
	e.Snapshot(now, &out)
	if len(out.Tracks) != 1 || out.Tracks[0].Class != perception.Pedestrian {
		t.Fatalf("tracks %+v", out.Tracks)
	}
	hits := out.Tracks[0].Hits[perception.Camera]
	now += 50 * ms
	truck := cameraAt(now, 20, 2)
	truck.Class = classed(perception.Truck)
	radarAndCamera(e, now, radarAt(now, 20, 2), truck)
	e.Snapshot(now, &out)
	if got := out.Tracks[0].Hits[perception.Camera]; got != hits {
		t.Fatalf("the truck box was associated with the pedestrian (camera hits %d → %d)", hits, got)
	}
}

// TestCameraDoesNotConfirmARadarReturn: a single radar return that camera
// boxes (of a nearby object) keep hitting is not confirmed: only the
// sensor that started a track confirms it.
func TestCameraDoesNotConfirmARadarReturn(t *testing.T) {
	e := testEngine(t)
	var out Output
	now := 50 * ms
	e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{radarAt(now, 30, 3)}}, now)
	e.Advance(now)
	for k := 2; k <= 18; k++ {
		now = sensors.Time(k) * 50 * ms
		e.Ingest(Scan{Sensor: perception.Camera, Stamp: now, Dets: []perception.Detection{cameraAt(now, 30, 3)}}, now)
		e.Advance(now)
		e.Snapshot(now, &out)
		for _, tr := range out.Tracks {
			if tr.Hits[perception.Radar] == 1 {
				t.Fatalf("scan %d: a one-return radar track was confirmed by the camera: %+v", k, tr)
			}
		}
	}
}

// TestWithheldTrackIsReportedDeleted: a track that stops being published
// while it lives (here: its position grows too uncertain) is listed in
// Deleted once, so consumers drop it.
func TestWithheldTrackIsReportedDeleted(t *testing.T) {
	e := testEngine(t)
	var out Output
	now := radarScans(e, 1, 10, 20, 2)
	e.Snapshot(now, &out)
	if len(out.Tracks) != 1 {
		t.Fatalf("%d tracks", len(out.Tracks))
	}
	id := out.Tracks[0].ID
	e.cfg.Params.PublishMaxStdM = 1e-3
	e.Snapshot(now, &out)
	if len(out.Tracks) != 0 || len(out.Held) != 1 || len(out.Deleted) != 1 || out.Deleted[0] != id {
		t.Fatalf("published %d, held %d, deleted %v; want 0, 1, [%d]", len(out.Tracks), len(out.Held), out.Deleted, id)
	}
	e.Snapshot(now, &out)
	if len(out.Deleted) != 0 {
		t.Fatalf("withdrawal reported twice: %v", out.Deleted)
	}
}

// TestMovingCarSwitchesToIMM: a car track moving at 10 m/s takes the IMM
// once its velocity has settled; a pedestrian class keeps the EKF.
func TestMovingCarSwitchesToIMM(t *testing.T) {
	for _, c := range []struct {
		class perception.Class
		imm   bool
	}{{perception.Car, true}, {perception.Pedestrian, false}} {
		e := testEngine(t)
		for k := 1; k <= 30; k++ {
			now := sensors.Time(k) * 50 * ms
			x := 20 + 10*now.Sub(0).Seconds()
			r := radarAt(now, x, 2)
			r.Z[perception.RadarRangeRate] = 10 * x / math.Hypot(x, 2)
			cam := cameraAt(now, x, 2)
			cam.Class = classed(c.class)
			radarAndCamera(e, now, r, cam)
		}
		tracks := e.tracker.tracks
		if len(tracks) != 1 || tracks[0].turning != c.imm {
			t.Fatalf("%v: %d tracks, IMM %v, want %v", c.class, len(tracks), len(tracks) > 0 && tracks[0].turning, c.imm)
		}
		if v := tracks[0].Filter.X[2]; math.Abs(v-10) > 0.5 {
			t.Fatalf("%v: speed %.2f, want 10", c.class, v)
		}
	}
}

// TestEvidenceLayout checks the evidence of a track the radar hit 10
// times and missed 10 times, and the camera hit 4 times (without a last
// hit stamp, as if long ago), its boxes saying car rather than truck and
// not at all emergency vehicle, which a camera cannot tell from a car.
func TestEvidenceLayout(t *testing.T) {
	tr := Track{Status: Confirmed, Born: 0, bornBy: perception.Radar}
	tr.Hits[perception.Radar], tr.Misses[perception.Radar] = 10, 10
	tr.LastHit[perception.Radar] = 900 * ms
	tr.Hits[perception.Camera] = 4
	tr.ScoreSum[perception.Camera] = 2
	tr.ClassEvidence[perception.Camera][perception.Car] = -1
	tr.ClassEvidence[perception.Camera][perception.Truck] = -2
	tr.ClassEvidence[perception.Camera][perception.EmergencyVehicle] = -30
	tr.Filter.X = [4]float64{30, 40, 3, 4}
	tr.Filter.P = [4][4]float64{{4, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}
	var ev Evidence
	tr.evidence(&ev, &tr.Filter, sensors.Time(2*1e9), Ego{})
	var never Evidence // a sensor never expected to see the track: 0.5
	(&Track{}).evidence(&never, &tr.Filter, sensors.Time(2*1e9), Ego{})
	if never[5] != 0.5 || never[6] != 0.5 {
		t.Errorf("no hits and no misses: hit ratios %g, %g, want 0.5", never[5], never[6])
	}
	want := map[int]float64{
		0:  math.Log1p(2),
		1:  1,
		5:  0.5,
		6:  5.0 / 6, // four camera hits, no miss: (4+1)/(4+0+2)
		7:  math.Log1p(10),
		10: 1.1,
		11: 5,
		12: 0, // camera's unknown class: the best, 0
		13: -1,
		24: 0.5,
		26: 5,
		27: math.Log(2),
		28: 50,
		29: math.Atan2(40, 30),
	}
	want[12+int(perception.Truck)] = -2
	want[12+int(perception.EmergencyVehicle)] = -1 // the car's
	for i, w := range want {
		if math.Abs(ev[i]-w) > 1e-9 {
			t.Errorf("evidence[%d] = %g, want %g", i, ev[i], w)
		}
	}
}

// TestJPDAFollowsATargetThroughClutter: with association jpda, a target
// at 30 m with a clutter return somewhere within 2 m of it every scan is
// still tracked within 0.3 m, and the track is confirmed.
func TestJPDAFollowsATargetThroughClutter(t *testing.T) {
	p := DefaultParams()
	p.Association = "jpda"
	e, err := NewEngine(EngineConfig{Params: p, Rig: testEngine(t).cfg.Rig, MaxLatency: 200 * time.Millisecond, SensorTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.PushEgo(Ego{})
	var out Output
	now := sensors.Time(0)
	for k := 1; k <= 40; k++ {
		now = sensors.Time(k) * 50 * ms
		target := radarAt(now, 30, 2)
		ghost := radarAt(now, 28.5+0.37*float64(k*7%9), 0.5+0.41*float64(k*5%8))
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{target, ghost}}, now)
		e.Advance(now)
	}
	e.Snapshot(now, &out)
	best := math.Inf(1)
	for _, tr := range out.Tracks {
		best = min(best, math.Hypot(tr.X[0]-30, tr.X[1]-2))
	}
	if best > 0.3 {
		t.Fatalf("nearest published track %.2f m from the target (%d tracks)", best, len(out.Tracks))
	}
}

// TestSupportOnlyReturnsUpdateButNeverStart: radar returns too small to
// tell from static clutter start no track, however often they come, but
// update a confirmed track they clearly belong to.
func TestSupportOnlyReturnsUpdateButNeverStart(t *testing.T) {
	e := testEngine(t)
	var out Output
	now := sensors.Time(0)
	weak := func(stamp sensors.Time, x, y float64) perception.Detection {
		d := radarAt(stamp, x, y)
		d.SupportOnly = true
		return d
	}
	for k := 1; k <= 20; k++ {
		now = sensors.Time(k) * 50 * ms
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{weak(now, 30, 3)}}, now)
		e.Advance(now)
	}
	e.Snapshot(now, &out)
	if len(out.Tracks)+len(out.Held) != 0 {
		t.Fatalf("support-only returns started tracks: %+v %+v", out.Tracks, out.Held)
	}
	now = radarScans(e, 21, 30, 20, 2)
	e.Snapshot(now, &out)
	if len(out.Tracks) != 1 {
		t.Fatalf("%d tracks, want the one a full return started", len(out.Tracks))
	}
	hits := out.Tracks[0].Hits[perception.Radar]
	now += 50 * ms
	e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{weak(now, 20, 2), weak(now, 40, -5)}}, now)
	e.Advance(now)
	e.Snapshot(now, &out)
	if len(out.Tracks) != 1 || out.Tracks[0].Hits[perception.Radar] != hits+1 {
		t.Fatalf("after support-only returns on and off the track: %+v", out.Tracks)
	}
}

// TestCameraStartsAnObjectBeyondAnotherOnItsBearing: behind a static-blind
// radar's back, a camera box on the bearing of a near track but clearly
// further away is a new object, not that track.
func TestCameraStartsAnObjectBeyondAnotherOnItsBearing(t *testing.T) {
	e := testEngineWith(t, DefaultParams().WithClusteredRadar(clustered(0.3, 0)))
	var out Output
	now := sensors.Time(0)
	for k := 1; k <= 30; k++ {
		now = sensors.Time(k) * 50 * ms
		moving := radarAt(now, 20, 0)
		moving.Z[2] = 3 // receding: the radar sees it
		radarAndCamera(e, now, moving, cameraAt(now, 50, 0.5))
	}
	e.Snapshot(now, &out)
	far := false
	for _, tr := range append(out.Tracks, out.Held...) {
		far = far || math.Abs(tr.X[0]-50) < 3
	}
	if !far {
		t.Fatalf("no track for the box 30 m beyond the radar track: %+v %+v", out.Tracks, out.Held)
	}
}

// TestObjectRadarReturnInAnotherTracksGateStartsATrack: a radar that
// reports one return per object does not fragment, so a second return
// close beside a known track (inside its gate, not assigned to it) is a
// second object; a clustered radar's is taken for a fragment.
func TestObjectRadarReturnInAnotherTracksGateStartsATrack(t *testing.T) {
	for _, c := range []struct {
		params Params
		want   int
	}{
		{DefaultParams(), 2},
		{DefaultParams().WithClusteredRadar(clustered(0.3, 0)), 1},
	} {
		e := testEngineWith(t, c.params)
		var out Output
		now := sensors.Time(0)
		for k := 1; k <= 30; k++ {
			now = sensors.Time(k) * 50 * ms
			dets := []perception.Detection{radarAt(now, 20, 0)}
			if k > 5 {
				beside := radarAt(now, 20, 0)
				beside.Z[1] += 0.02 // 0.4 m to the left: inside the track's gate
				dets = append(dets, beside)
			}
			e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: dets}, now)
			e.Advance(now)
		}
		e.Snapshot(now, &out)
		if got := len(out.Tracks) + len(out.Held); got != c.want {
			t.Errorf("fragments %v: %d tracks, want %d", c.params.Radar.Fragments, got, c.want)
		}
	}
}

// TestFarCameraBoxDoesNotMoveARadarTrack: a camera box inside a radar
// track's gate but well off its bearing (as likely another object's)
// counts as a camera hit without moving the track; a box on the bearing
// moves it.
func TestFarCameraBoxDoesNotMoveARadarTrack(t *testing.T) {
	for _, c := range []struct {
		offset float64 // rad
		moves  bool
	}{{0.035, false}, {0.005, true}} {
		e := testEngine(t)
		var out Output
		now := radarScans(e, 1, 10, 20, 0) + 50*ms
		box := cameraAt(now, 20, 0)
		box.Z[0] += c.offset
		radarAndCamera(e, now, radarAt(now, 20, 0), box)
		e.Snapshot(now, &out)
		if len(out.Tracks) != 1 || out.Tracks[0].Hits[perception.Camera] != 1 {
			t.Fatalf("offset %g: tracks %+v, want one with a camera hit", c.offset, out.Tracks)
		}
		if moved := math.Abs(out.Tracks[0].X[1]) > 0.02; moved != c.moves {
			t.Errorf("offset %g rad: track at y %.3f m, moved %v, want %v", c.offset, out.Tracks[0].X[1], moved, c.moves)
		}
	}
}

// TestAmbiguousCameraBoxDoesNotSteerTheClass: a pedestrian box halfway
// between two radar tracks counts for one of them as a hit and as class
// evidence (published by the Bayesian rule), but leaves both tracks' own
// class beliefs alone; the same box on a lone track's bearing steers it.
func TestAmbiguousCameraBoxDoesNotSteerTheClass(t *testing.T) {
	for _, c := range []struct {
		ys    []float64 // lateral positions of the radar objects, m
		steer bool
	}{{[]float64{-0.3, 0.3}, false}, {[]float64{0}, true}} {
		e := testEngine(t)
		now := sensors.Time(0)
		for k := 1; k <= 10; k++ {
			now = sensors.Time(k) * 50 * ms
			var dets []perception.Detection
			for _, y := range c.ys {
				dets = append(dets, radarAt(now, 20, y))
			}
			e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: dets}, now)
			e.Advance(now)
		}
		if len(e.tracker.tracks) != len(c.ys) {
			t.Fatalf("%d radar objects gave %d tracks", len(c.ys), len(e.tracker.tracks))
		}
		now += 50 * ms
		box := cameraAt(now, 20, 0)
		box.Class = classed(perception.Pedestrian)
		e.Ingest(Scan{Sensor: perception.Camera, Stamp: now, Dets: []perception.Detection{box}}, now)
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now}, now)
		e.Advance(now)
		hit := 0
		for i := range e.tracker.tracks {
			tr := &e.tracker.tracks[i]
			if tr.Hits[perception.Camera] == 0 {
				continue
			}
			hit++
			ev := tr.ClassEvidence[perception.Camera]
			if ev[perception.Pedestrian] <= ev[perception.Car] {
				t.Errorf("objects at %v: the box was not booked as camera class evidence: %v", c.ys, ev)
			}
			if steered := tr.steering[perception.Pedestrian] > 0.5; steered != c.steer {
				t.Errorf("objects at %v: steering class %v, steered %v, want %v", c.ys, tr.steering, steered, c.steer)
			}
		}
		if hit != 1 {
			t.Errorf("objects at %v: %d tracks took the box, want 1", c.ys, hit)
		}
		// The Bayesian rule publishes the class all the evidence gives.
		var out Output
		e.Snapshot(now, &out)
		for _, ts := range append(out.Tracks, out.Held...) {
			if ts.Hits[perception.Camera] == 1 && ts.Class != perception.Pedestrian {
				t.Errorf("objects at %v: published class %v, want pedestrian", c.ys, ts.Class)
			}
		}
	}
}

// TestClassWeightTradesClassForPosition: a pedestrian box between a
// pedestrian track and a track of unknown class goes, at full class
// weight, to the pedestrian even where it fits the other track better;
// at the default weight position counts for more. Probes sweep the box
// across the gap; each starts from the same two tracks.
func TestClassWeightTradesClassForPosition(t *testing.T) {
	takenBy := func(weight, y float64) int {
		p := DefaultParams()
		p.ClassWeight = weight
		e := testEngineWith(t, p)
		now := sensors.Time(0)
		for k := 1; k <= 10; k++ {
			now = sensors.Time(k) * 50 * ms
			e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{radarAt(now, 20, 0), radarAt(now, 20, 1)}}, now)
			walker, unknown := cameraAt(now, 20, 0), cameraAt(now, 20, 1)
			walker.Class = classed(perception.Pedestrian)
			e.Ingest(Scan{Sensor: perception.Camera, Stamp: now, Dets: []perception.Detection{walker, unknown}}, now)
			e.Advance(now)
		}
		now += 50 * ms
		probe := cameraAt(now, 20, y)
		probe.Class = classed(perception.Pedestrian)
		e.Ingest(Scan{Sensor: perception.Camera, Stamp: now, Dets: []perception.Detection{probe}}, now)
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now}, now)
		e.Advance(now)
		for i := range e.tracker.tracks {
			if tr := &e.tracker.tracks[i]; tr.Hits[perception.Camera] == 11 {
				return int(math.Round(tr.Filter.X[1])) // 0: the pedestrian's, 1: the other's
			}
		}
		return -1
	}
	shifted := false
	for y := 0.3; y <= 0.8; y += 0.02 {
		full, def := takenBy(1, y), takenBy(DefaultParams().ClassWeight, y)
		if full < 0 || def < 0 {
			t.Fatalf("box at y %.2f m: no track took it", y)
		}
		if def == 0 && full == 1 {
			t.Fatalf("box at y %.2f m: the default weight gave it to the pedestrian, full weight did not", y)
		}
		shifted = shifted || (full == 0 && def == 1)
	}
	if !shifted {
		t.Error("no box went to the pedestrian at full class weight and to the nearer track at the default weight")
	}
}

// TestMisrangedBoxOnATracksSightIsNoMiss: a camera box on a confirmed
// track's bearing, just outside its gate in range, that no track took
// means the camera saw the object and misranged it: no camera miss. A box
// well beyond the track is another object, and the track was missed.
func TestMisrangedBoxOnATracksSightIsNoMiss(t *testing.T) {
	for _, c := range []struct {
		rng  float64
		miss uint32
	}{{22.2, 0}, {30, 1}} {
		e := testEngine(t)
		now := radarScans(e, 1, 10, 20, 0) + 50*ms
		box := cameraAt(now, c.rng, 0)
		radarAndCamera(e, now, radarAt(now, 20, 0), box)
		var tr *Track
		for i := range e.tracker.tracks {
			if e.tracker.tracks[i].Status == Confirmed {
				tr = &e.tracker.tracks[i]
			}
		}
		if tr == nil {
			t.Fatal("no confirmed track")
		}
		if tr.Hits[perception.Camera] != 0 {
			t.Fatalf("box at %g m: it gated with the track at 20 m; the test needs it outside the gate", c.rng)
		}
		if tr.Misses[perception.Camera] != c.miss {
			t.Errorf("box at %g m: %d camera misses, want %d", c.rng, tr.Misses[perception.Camera], c.miss)
		}
	}
}

// TestBoxTakenByANeighbourIsNoMissForATentativeTrack: a tentative radar
// track beside (and not behind) a confirmed one is not missed by the camera when the only
// box near its bearing went to the neighbour: it has not yet won its
// boxes from it.
func TestBoxTakenByANeighbourIsNoMissForATentativeTrack(t *testing.T) {
	e := testEngine(t)
	now := radarScans(e, 1, 10, 20, 0)
	for k := 11; k <= 12; k++ {
		now = sensors.Time(k) * 50 * ms
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{radarAt(now, 20, 0), radarAt(now, 19.5, 1.2)}}, now)
		e.Advance(now)
	}
	now += 50 * ms
	radarAndCamera(e, now, radarAt(now, 20, 0), cameraAt(now, 20, 0))
	var confirmed, tentative *Track
	for i := range e.tracker.tracks {
		if tr := &e.tracker.tracks[i]; tr.Status == Confirmed {
			confirmed = tr
		} else {
			tentative = tr
		}
	}
	if confirmed == nil || tentative == nil || confirmed.Hits[perception.Camera] != 1 {
		t.Fatalf("want a confirmed track that took the box and a tentative one: %+v", e.tracker.tracks)
	}
	if tentative.Misses[perception.Camera] != 0 {
		t.Errorf("the tentative track was missed by the camera although a box lay on its bearing")

	}
}

// closeIn drives a car, 2 m to the side, from x0 towards a radar at
// closing m/s, its range rate read wrapped into ±vmax, for 40 scans at
// 20 Hz, calling after (nil for none) after each scan k (from 1). It
// returns every track, published or held, and the car's last x.
func closeIn(e *Engine, x0, closing, vmax float64, after func(k int)) (all []TrackState, x float64) {
	var now sensors.Time
	for k := 1; k <= 40; k++ {
		now = sensors.Time(k) * 50 * ms
		x = x0 + closing*now.Seconds()
		d := radarAt(now, x, 2)
		d.Z[2] = math.Remainder(closing*x/math.Hypot(x, 2), 2*vmax)
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{d}}, now)
		e.Advance(now)
		if after != nil {
			after(k)
		}
	}
	var out Output
	e.Snapshot(now, &out)
	return slices.Concat(out.Tracks, out.Held), x
}

// TestAWrappedDopplerIsTrackedAtItsTrueSpeed: a radar that tells range
// rate only within ±20 m/s reads a car closing at 45 m/s as closing at
// 5 m/s (−45 wrapped by 40). Knowing the span, the tracker starts a track
// per alias within max_speed_mps, keeps the one the positions bear out
// and follows the car at 45 m/s; taking the reading at its word, it does
// not.
func TestAWrappedDopplerIsTrackedAtItsTrueSpeed(t *testing.T) {
	const closing, vmax = -45.0, 20.0
	run := func(maxRangeRate float64) (confirmed int, near *TrackState) {
		all, x := closeIn(testEngineWith(t, DefaultParams().WithClusteredRadar(clustered(0.3, maxRangeRate))), 120, closing, vmax, nil)
		for i, tr := range all {
			if tr.Status != Confirmed {
				continue
			}
			confirmed++
			if math.Hypot(tr.X[0]-x, tr.X[1]-2) < 3 {
				near = &all[i]
			}
		}
		return confirmed, near
	}
	n, tr := run(vmax)
	if n != 1 || tr == nil || math.Abs(tr.X[2]-closing) > 2 {
		t.Fatalf("knowing the span: %d confirmed tracks, the one on the car %+v", n, tr)
	}
	n0, tr0 := run(0)
	t.Logf("knowing the span: %d confirmed, on the car at %.1f m/s; not: %d confirmed, on the car %v", n, tr.X[2], n0, tr0 != nil)
	if tr := tr0; tr != nil && math.Abs(tr.X[2]-closing) < 2 {
		t.Fatalf("taking the wrapped reading at its word, a track still follows the car at %.1f m/s: the test shows nothing", tr.X[2])
	}
}

// TestANarrowDopplerSpanStartsOneTrackAReturn: through a short-range
// chirp's ±4 m/s a car closing at 15 m/s has thirteen aliases within
// max_speed_mps. The tracker starts one track for the return, not one per
// alias, and its positions then tell the track its speed.
func TestANarrowDopplerSpanStartsOneTrackAReturn(t *testing.T) {
	const closing, vmax = -15.0, 4.0
	e := testEngineWith(t, DefaultParams().WithClusteredRadar(clustered(0.3, vmax)))
	all, x := closeIn(e, 60, closing, vmax, func(k int) {
		if k == 1 && len(e.tracker.tracks) != 1 {
			t.Fatalf("the first return started %d tracks, want 1", len(e.tracker.tracks))
		}
	})
	if len(all) != 1 || all[0].Status != Confirmed || math.Hypot(all[0].X[0]-x, all[0].X[1]-2) > 3 || math.Abs(all[0].X[2]-closing) > 2 {
		t.Fatalf("want one confirmed track on the car at %.0f m/s, got %+v", closing, all)
	}
}
