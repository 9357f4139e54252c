package fusion

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors"
)

// carReturns appends four returns of a car centred at (x, y), driving
// away along x at 8 m/s from a static radar at the origin: two at its
// rear corners, two along its sides.
func carReturns(dst []perception.RadarReturn, x, y float64) []perception.RadarReturn {
	for _, o := range [][2]float64{{-2, -0.8}, {-2, 0.8}, {0.5, -0.9}, {1.5, 0.9}} {
		px, py := x+o[0], y+o[1]
		dst = append(dst, perception.RadarReturn{X: px, Y: py, Doppler: 8 * px / math.Hypot(px, py), SNR: 20})
	}
	return dst
}

// TestSplitGivesEachTrackItsReturns: two cars side by side on adjacent
// lanes, first seen apart, then clustered as one (their returns within
// the clusterer's neighbourhood): the cluster is split between their
// tracks and each stays on its car. (Without the split one track took
// the cluster's centroid, between the lanes, and the other missed.)
func TestSplitGivesEachTrackItsReturns(t *testing.T) {
	cp := radar.DefaultParams()
	e := testEngineWith(t, DefaultParams().WithClusteredRadar(cp))
	var out Output
	for k := 1; k <= 60; k++ {
		now := sensors.Time(k) * 50 * ms
		x := 20 + 8*now.Seconds() // within 45 m: splitMaxBearingErrorM
		var dets []perception.Detection
		if k <= 20 {
			dets = append(dets, cp.Summarise(now, carReturns(nil, x, 0)), cp.Summarise(now, carReturns(nil, x, 3.2)))
		} else {
			dets = append(dets, cp.Summarise(now, carReturns(carReturns(nil, x, 0), x, 3.2)))
		}
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: dets}, now)
		e.Advance(now)
		e.Snapshot(now, &out)
		if k <= 20 {
			continue
		}
		if len(out.Tracks) != 2 {
			t.Fatalf("scan %d: %d tracks, want the two cars: %+v", k, len(out.Tracks), out.Tracks)
		}
		for _, tr := range out.Tracks {
			if dy := math.Min(math.Abs(tr.X[1]), math.Abs(tr.X[1]-3.2)); dy > 0.5 || math.Abs(tr.X[0]-x) > 1 {
				t.Fatalf("scan %d: track %d at (%.2f, %.2f), the cars are at (%.2f, 0) and (%.2f, 3.2)", k, tr.ID, tr.X[0], tr.X[1], x, x)
			}
		}
	}
}

// clustered returns the default clustering with a static tolerance and
// an unambiguous velocity (0: none).
func clustered(staticToleranceMps, maxVelocityMps float64) radar.Params {
	p := radar.DefaultParams()
	p.StaticToleranceMps, p.MaxVelocityMps = staticToleranceMps, maxVelocityMps
	return p
}

// TestCameraStartsTheCarTheRadarMerged: two cars side by side on
// adjacent lanes that the clusterer merges from the first scan, so the
// radar alone keeps one track between them; the camera sees two boxes
// apart. The box beside the one the merged track explains starts a
// track, the split then gives each car its returns, and both are
// tracked on their lanes. Without the rule (tracker.camera_beside off)
// one car goes untracked.
func TestCameraStartsTheCarTheRadarMerged(t *testing.T) {
	cp := radar.DefaultParams()
	run := func(beside bool) (onCars int, out Output) {
		p := DefaultParams().WithClusteredRadar(cp)
		p.CameraBeside = beside
		e := testEngineWith(t, p)
		var x float64
		for k := 1; k <= 60; k++ {
			now := sensors.Time(k) * 50 * ms
			x = 20 + 8*now.Seconds()
			merged := cp.Summarise(now, carReturns(carReturns(nil, x, 0), x, 3.2))
			boxes := []perception.Detection{cameraAt(now, x, 0), cameraAt(now, x, 3.2)}
			// Their images, the one further left (+y) to the left.
			boxes[0].Box = [4]float64{610, 330, 60, 50}
			boxes[1].Box = [4]float64{520, 330, 60, 50}
			e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: []perception.Detection{merged}}, now)
			e.Ingest(Scan{Sensor: perception.Camera, Stamp: now, Dets: boxes}, now)
			e.Advance(now)
			e.Snapshot(now, &out)
		}
		for _, y := range []float64{0, 3.2} {
			for _, tr := range out.Tracks {
				if math.Abs(tr.X[1]-y) < 0.7 && math.Abs(tr.X[0]-x) < 2 {
					onCars++
					break
				}
			}
		}
		return onCars, out
	}
	n, out := run(true)
	without, _ := run(false)
	t.Logf("cars tracked: %d with the rule (%d tracks published), %d without", n, len(out.Tracks), without)
	if n != 2 || len(out.Tracks) != 2 {
		t.Errorf("with the rule: %d of the two cars tracked by %d tracks: %+v", n, len(out.Tracks), out.Tracks)
	}
	if without == 2 {
		t.Errorf("without the rule both cars are tracked too: the test shows nothing")
	}
}

// TestClusteredRadarConfirmsAHalfHiddenObject: a car 70 m off behind
// another 30 m off on nearly the same bearing, which a clustered radar
// returns in a scan at random with probability 0.35 (as the TI path
// returns its far objects), its misses discounted for the nearer car in
// front (miss). Its tentative tracks are confirmed and kept far more often
// within the longer M-of-N window of a clustered radar
// (confirm_window_clustered) than within the object-level one, whose
// tentative tracks die by it while their existence still says the car
// may be there.
func TestClusteredRadarConfirmsAHalfHiddenObject(t *testing.T) {
	cp := radar.DefaultParams()
	run := func(window int) (confirmed int) {
		p := DefaultParams().WithClusteredRadar(cp)
		p.ConfirmWindowClustered = window
		for seed := range uint64(10) {
			e := testEngineWith(t, p)
			var out Output
			rng := rand.New(rand.NewPCG(seed, 5))
			for k := 1; k <= 100; k++ {
				now := sensors.Time(k) * 50 * ms
				x := 4 * now.Seconds()
				dets := []perception.Detection{cp.Summarise(now, carReturns(nil, 30+x, 2))}
				if rng.Float64() < 0.35 {
					dets = append(dets, cp.Summarise(now, carReturns(nil, 70+x, 2.5)[:1]))
				}
				e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: dets}, now)
				e.Advance(now)
				e.Snapshot(now, &out)
				for _, tr := range out.Tracks {
					if tr.Status == Confirmed && tr.X[0] > 50+x {
						confirmed++
					}
				}
			}
		}
		return confirmed
	}
	long, short := run(DefaultParams().ConfirmWindowClustered), run(DefaultParams().ConfirmWindow)
	t.Logf("scans (of 1000) with the far car confirmed: %d with the clustered window, %d with the object-level one", long, short)
	if long < short*6/5 {
		t.Errorf("the far car confirmed in %d scans with the clustered window, %d with the object-level one: want a fifth more", long, short)
	}
}
