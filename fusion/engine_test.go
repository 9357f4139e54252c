package fusion

import (
	"math"
	"testing"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

const ms = sensors.Time(time.Millisecond)

func testEngine(t *testing.T) *Engine {
	t.Helper()
	return testEngineWith(t, DefaultParams())
}

// testEngineWith is testEngine with the given tracker parameters.
func testEngineWith(t *testing.T, p Params) *Engine {
	t.Helper()
	e, err := NewEngine(EngineConfig{
		Params: p, Rig: calib.Rig{Lens: calib.PinholeForFOV(1280, 720, math.Pi/2), Camera: calib.Mount{Z: 1.4}},
		MaxLatency: 200 * time.Millisecond, SensorTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.PushEgo(Ego{Stamp: 0})
	return e
}

// radarAt returns a noiseless radar detection of a static object at (x, y)
// seen from a static sensor at the origin.
func radarAt(stamp sensors.Time, x, y float64) perception.Detection {
	d := perception.Detection{Stamp: stamp, Sensor: perception.Radar, Dim: 3, Class: perception.Uniform()}
	d.Z = [3]float64{math.Hypot(x, y), math.Atan2(y, x), 0}
	d.R[0][0], d.R[1][1], d.R[2][2] = 0.01, 1e-4, 0.01
	return d
}

func cameraAt(stamp sensors.Time, x, y float64) perception.Detection {
	d := perception.Detection{Stamp: stamp, Sensor: perception.Camera, Dim: 2, Class: perception.Uniform()}
	d.Z = [3]float64{math.Atan2(y, x), math.Hypot(x, y)}
	d.R[0][0], d.R[1][1] = 1e-4, 0.25
	return d
}

// radarScans feeds e one radar return at (x, y) every 50 ms, scans from
// to to, advancing after each, and returns the last scan's stamp.
func radarScans(e *Engine, from, to int, x, y float64) sensors.Time {
	var now sensors.Time
	for k := from; k <= to; k++ {
		now = sensors.Time(k) * 50 * ms
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{radarAt(now, x, y)}}, now)
		e.Advance(now)
	}
	return now
}

// radarAndCamera feeds e one radar return and one camera box captured at
// now, each arriving at once, and advances to now.
func radarAndCamera(e *Engine, now sensors.Time, radar, camera perception.Detection) {
	e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{radar}}, now)
	e.Ingest(Scan{Sensor: perception.Camera, Stamp: now, Dets: []perception.Detection{camera}}, now)
	e.Advance(now)
}

// fusedOrder lists the stamps of the scans still waiting, in order.
func fusedOrder(e *Engine) []sensors.Time {
	var out []sensors.Time
	for _, p := range e.pending {
		out = append(out, p.stamp)
	}
	return out
}

func TestEngineFusesInStampOrderAcrossSensors(t *testing.T) {
	e := testEngine(t)
	// The camera is slower: its scan captured at 10 ms arrives after the
	// radar's of 20 and 30 ms. Nothing may be fused before the camera has
	// reported past those stamps.
	e.Ingest(Scan{Sensor: perception.Radar, Stamp: 20 * ms, Dets: []perception.Detection{radarAt(20*ms, 10, 0)}}, 21*ms)
	e.Ingest(Scan{Sensor: perception.Radar, Stamp: 30 * ms, Dets: []perception.Detection{radarAt(30*ms, 10, 0)}}, 31*ms)
	e.Ingest(Scan{Sensor: perception.Camera, Stamp: 10 * ms}, 70*ms)
	if w := e.Watermark(71 * ms); w != 10*ms {
		t.Fatalf("watermark %v, want the camera's 10 ms", w)
	}
	e.Advance(71 * ms)
	if e.Fused[perception.Camera] != 1 || e.Fused[perception.Radar] != 0 {
		t.Fatalf("fused %v, want only the camera scan", e.Fused)
	}
	if age, queued := e.SensorState(perception.Radar, 71*ms); age != 41*time.Millisecond || queued != 2 {
		t.Fatalf("radar state: age %v, %d queued; want 41 ms and 2", age, queued)
	}
	if got := fusedOrder(e); len(got) != 2 || got[0] != 20*ms || got[1] != 30*ms {
		t.Fatalf("pending %v", got)
	}
	// A camera scan older than what was fused is dropped and counted.
	e.Ingest(Scan{Sensor: perception.Camera, Stamp: 5 * ms}, 72*ms)
	if e.DroppedLate[perception.Camera] != 1 {
		t.Fatalf("late scan not counted: %v", e.DroppedLate)
	}
	e.Ingest(Scan{Sensor: perception.Camera, Stamp: 40 * ms}, 100*ms)
	e.Advance(100 * ms)
	// The radar's 20 and 30 ms scans are fused; the camera's 40 ms one waits
	// for the radar to report past it.
	if e.Fused[perception.Radar] != 2 || e.Pending() != 1 {
		t.Fatalf("fused %v pending %d", e.Fused, e.Pending())
	}
}

func TestEngineSilentSensorReleasesWatermark(t *testing.T) {
	e := testEngine(t)
	e.Ingest(Scan{Sensor: perception.Camera, Stamp: 10 * ms}, 10*ms)
	for k := sensors.Time(1); k <= 40; k++ {
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: k * 50 * ms}, k*50*ms)
	}
	// At 2 s the camera has been silent for longer than its timeout: the
	// radar's scans are fused up to its own latest stamp.
	e.Advance(2000 * ms)
	if !e.Silent(perception.Camera, 2000*ms) || e.Fused[perception.Radar] != 40 {
		t.Fatalf("silent %v fused %v", e.Silent(perception.Camera, 2000*ms), e.Fused)
	}
}

// TestDeadRadarStopsHoldingTheCameraBack: with late scans retrodicted, a
// radar that leads at 20 Hz and then dies holds the camera's frames back
// for three of its intervals, not for the whole sensor timeout (a second
// here): the camera's frames are fused as they come from then on. A radar
// that is merely late by less than that still holds them back.
func TestDeadRadarStopsHoldingTheCameraBack(t *testing.T) {
	e, err := NewEngine(EngineConfig{
		Params: DefaultParams(), Rig: calib.DefaultRig(),
		MaxLatency: 200 * time.Millisecond, SensorTimeout: time.Second, RetrodictLate: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.PushEgo(Ego{})
	for k := sensors.Time(1); k <= 20; k++ { // both alive until 1 s
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: k * 50 * ms}, k*50*ms+10*ms)
		e.Ingest(Scan{Sensor: perception.Camera, Stamp: k * 50 * ms}, k*50*ms+40*ms)
		e.Advance(k*50*ms + 40*ms)
	}
	// The radar is 100 ms late (two intervals): the camera frame waits.
	e.Ingest(Scan{Sensor: perception.Camera, Stamp: 1100 * ms}, 1140*ms)
	e.Advance(1140 * ms)
	if e.Pending() != 1 {
		t.Fatalf("a frame 100 ms after the radar's last scan: %d pending, want it held", e.Pending())
	}
	// 170 ms after its last scan (more than three intervals) the radar
	// holds nothing back: the frame is fused, and the next on arrival.
	e.Advance(1180 * ms)
	e.Ingest(Scan{Sensor: perception.Camera, Stamp: 1150 * ms}, 1190*ms)
	e.Advance(1190 * ms)
	if e.Pending() != 0 || e.Silent(perception.Radar, 1190*ms) {
		t.Fatalf("dead radar: %d frames pending, radar silent %v (want 0, not yet)", e.Pending(), e.Silent(perception.Radar, 1190*ms))
	}
}

func TestTrackLifecycle(t *testing.T) {
	e := testEngine(t)
	var out Output
	now := sensors.Time(0)
	// An object at (20, 2) seen by both sensors is confirmed within a few
	// scans and published near its true position.
	for k := 1; k <= 10; k++ {
		now = sensors.Time(k) * 50 * ms
		radarAndCamera(e, now, radarAt(now, 20, 2), cameraAt(now, 20, 2))
	}
	e.Snapshot(now, &out)
	if len(out.Tracks) != 1 {
		t.Fatalf("%d tracks, want 1", len(out.Tracks))
	}
	tr := out.Tracks[0]
	if math.Hypot(tr.X[kalman.PX]-20, tr.X[kalman.PY]-2) > 0.2 || tr.Hits[perception.Radar] != 10 || tr.Hits[perception.Camera] != 10 {
		t.Fatalf("track %+v", tr)
	}
	id := tr.ID
	// Then it vanishes: empty scans inside the coverage delete it, and its
	// id is reported once as deleted.
	for k := 11; k <= 60; k++ {
		now = sensors.Time(k) * 50 * ms
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now}, now)
		e.Ingest(Scan{Sensor: perception.Camera, Stamp: now}, now)
		e.Advance(now)
	}
	e.Snapshot(now, &out)
	if len(out.Tracks) != 0 || len(out.Deleted) != 1 || out.Deleted[0] != id {
		t.Fatalf("tracks %d deleted %v, want 0 and [%d]", len(out.Tracks), out.Deleted, id)
	}
	e.Snapshot(now, &out)
	if len(out.Deleted) != 0 {
		t.Fatalf("deletion reported twice")
	}
}

func TestClutterIsNotConfirmed(t *testing.T) {
	e := testEngine(t)
	var out Output
	// A different isolated return every scan never forms a track.
	for k := 1; k <= 100; k++ {
		now := sensors.Time(k) * 50 * ms
		x := 10 + float64(k%17)*3
		y := -20 + float64((k*7)%13)*3
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{radarAt(now, x, y)}}, now)
		e.Advance(now)
		e.Snapshot(now, &out)
		if len(out.Tracks) != 0 {
			t.Fatalf("scan %d: clutter confirmed as %+v", k, out.Tracks[0])
		}
	}
}

func TestParamsValidateNamesField(t *testing.T) {
	p := DefaultParams()
	p.ConfirmHits = 9
	if err := p.Validate(); err == nil || err.Error()[:12] != "confirm_hits" {
		t.Fatalf("got %v", err)
	}
	p = DefaultParams()
	p.Camera.PDetect = 1
	if err := p.Validate(); err == nil || err.Error()[:15] != "camera.p_detect" {
		t.Fatalf("got %v", err)
	}
}

func TestEgoExtrapolation(t *testing.T) {
	// A quarter circle of radius 10 m at 10 m/s takes π/2 s.
	e := Ego{Speed: 10, YawRate: 1}
	quarter := math.Pi / 2
	got := e.At(sensors.Time(quarter * float64(time.Second)))
	if math.Abs(got.X-10) > 1e-6 || math.Abs(got.Y-10) > 1e-6 || math.Abs(got.Yaw-math.Pi/2) > 1e-9 {
		t.Fatalf("at π/2 s: %+v", got)
	}
	// The radar 3.7 m ahead of a car turning left moves left as well.
	pose := Ego{Speed: 10, YawRate: 0.5}.SensorPose(calib.Mount{X: 3.7})
	if math.Abs(pose.VX-10) > 1e-9 || math.Abs(pose.VY-0.5*3.7) > 1e-9 {
		t.Fatalf("sensor velocity %+v", pose)
	}
}

func TestWithClusteredRadar(t *testing.T) {
	p := DefaultParams().WithClusteredRadar(clustered(0.3, 0))
	if p.Radar.StaticBlindMps != 0.3 || !p.Radar.Fragments || p.Camera.Fragments {
		t.Fatalf("%+v", p.Radar)
	}
	p.Radar.StaticBlindMps = 1
	if q := p.WithClusteredRadar(clustered(0.3, 0)); q.Radar.StaticBlindMps != 1 {
		t.Fatalf("a larger configured blind speed was lowered: %g", q.Radar.StaticBlindMps)
	}
}

// TestReturningObjectKeepsItsID: an object hidden long enough for its
// track to be deleted comes back where it was within the
// re-identification window and gets its old id back; one that comes back
// elsewhere, or after the window, gets a new id.
func TestReturningObjectKeepsItsID(t *testing.T) {
	run := func(gap int, bx, by float64) (first, second uint32) {
		e := testEngine(t)
		var out Output
		now := sensors.Time(0)
		step := func(k int, see bool, x, y float64) {
			now = sensors.Time(k) * 50 * ms
			var r, c []perception.Detection
			if see {
				r, c = []perception.Detection{radarAt(now, x, y)}, []perception.Detection{cameraAt(now, x, y)}
			}
			e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: r}, now)
			e.Ingest(Scan{Sensor: perception.Camera, Stamp: now, Dets: c}, now)
			e.Advance(now)
		}
		k := 1
		for ; k <= 10; k++ {
			step(k, true, 20, 2)
		}
		e.Snapshot(now, &out)
		first = out.Tracks[0].ID
		for ; k <= 10+gap; k++ {
			step(k, false, 0, 0)
		}
		e.Snapshot(now, &out)
		if len(out.Tracks) != 0 {
			t.Fatalf("the hidden object's track survived %d empty scans", gap)
		}
		for end := k + 10; k <= end; k++ {
			step(k, true, bx, by)
		}
		e.Snapshot(now, &out)
		if len(out.Tracks) != 1 {
			t.Fatalf("%d tracks after the object came back", len(out.Tracks))
		}
		return first, out.Tracks[0].ID
	}
	if a, b := run(30, 20, 2); a != b {
		t.Errorf("back where it was after 1.5 s: id %d became %d", a, b)
	}
	if a, b := run(30, 35, -6); a == b {
		t.Errorf("a new object elsewhere took the lost id %d", a)
	}
	if a, b := run(80, 20, 2); a == b {
		t.Errorf("back after 4 s, beyond the window: id %d was reused", a)
	}
}

// TestFilterFailureIsCountedAndTheTrackCarriesOn: a track whose
// covariance has lost positive definiteness fails its filter steps; each
// failure is counted (for /diagnostics), skipped, and the rest of the
// scan is still fused.
func TestFilterFailureIsCountedAndTheTrackCarriesOn(t *testing.T) {
	e := testEngine(t)
	now := radarScans(e, 1, 10, 20, 0)
	if len(e.tracker.tracks) != 1 || e.tracker.FilterFailures() != 0 {
		t.Fatalf("%d tracks, %d failures before", len(e.tracker.tracks), e.tracker.FilterFailures())
	}
	tr := &e.tracker.tracks[0]
	for i := range tr.Filter.P {
		tr.Filter.P[i][i] = -1
	}
	radarScans(e, 11, 12, 20, 0)
	if e.tracker.FilterFailures() == 0 {
		t.Fatal("no filter failure counted")
	}
	e.Advance(now + 150*ms)
	var out Output
	e.Snapshot(now+150*ms, &out)
	d := NewHealthWindow([]perception.Sensor{perception.Radar}, 0, false).Window(e, now+150*ms, len(out.Tracks), &CycleStats{})
	if d.FilterFailures != e.tracker.FilterFailures() {
		t.Fatalf("diagnostics say %d failures, the tracker %d", d.FilterFailures, e.tracker.FilterFailures())
	}
}
