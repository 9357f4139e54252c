package fusion

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// TestMergeFragmentsIsTheUnionsCluster: two pieces of one object merge
// into the cluster of all their returns: the centroid weighted by
// returns, range rates compared across the radar's wrap, the spread of
// the union (in Doppler too: 25 and 26.5 m/s about 25.375), and the covariance of the piece the track took.
func TestMergeFragmentsIsTheUnionsCluster(t *testing.T) {
	a := perception.Detection{Sensor: perception.Radar, Dim: 3, Returns: 3, Spread: [3]float64{0.5, 0.2, 0.3}, Score: 0.4}
	a.Z = [3]float64{40, 0, 25}
	a.R[0][0], a.R[1][1], a.R[2][2] = 0.3, 1e-3, 0.02
	d := perception.Detection{Sensor: perception.Radar, Dim: 3, Returns: 1, Score: 0.6}
	d.Z = [3]float64{46, 0, -25.5} // 26 m/s wrapped around a 52 m/s span
	want := a.R
	mergeFragments(&a, &d, &kalman.Model{Kind: kalman.Radar, RangeRateSpan: 52})
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	if !near(a.Z[0], 41.5) || !near(a.Z[1], 0) || !near(a.Z[2], 25.375) {
		t.Fatalf("centroid %v, want range 41.5, azimuth 0, range rate 25.375", a.Z)
	}
	if a.Returns != 4 || !near(a.Spread[0], math.Sqrt((3*(0.25+1.5*1.5)+4.5*4.5)/4)) || !near(a.Spread[1], math.Sqrt(3*0.04/4)) ||
		!near(a.Spread[2], math.Sqrt((3*(0.09+0.375*0.375)+1.125*1.125)/4)) {
		t.Fatalf("returns %d, spread %v", a.Returns, a.Spread)
	}
	if a.R != want || a.Score != 0.6 {
		t.Fatalf("covariance %v (want %v), score %g", a.R, want, a.Score)
	}
}

// truckPieces returns a clustered radar's two pieces of a 10 m object
// driving away along x, centred at x, seen from a static radar at the
// origin: its rear and its front half, 3.5 m either side of its centre.
func truckPieces(stamp sensors.Time, x float64) []perception.Detection {
	rear, front := radarAt(stamp, x-3.5, 0), radarAt(stamp, x+3.5, 0)
	for _, d := range []*perception.Detection{&rear, &front} {
		d.Z[2] = 8
		d.Returns, d.R[0][0] = 2, 0.3
	}
	return []perception.Detection{rear, front}
}

// TestTrackGathersALongObjectsPieces: a truck seen by a clustered radar
// first as its rear alone, then as a rear and a front piece, is one
// track that moves from the rear piece to the truck's centre: both
// pieces update it, also when neither lies inside its gate. (Taking the
// piece nearest its prediction, the track kept to the rear piece, 3.5 m
// off the centre, and the front piece started a second track.)
func TestTrackGathersALongObjectsPieces(t *testing.T) {
	e := testEngineWith(t, DefaultParams().WithClusteredRadar(clustered(0.3, 0)))
	var out Output
	offset := 0.0
	for k := 1; k <= 80; k++ {
		now := sensors.Time(k) * 50 * ms
		x := 30 + 8*now.Seconds()
		dets := truckPieces(now, x)
		if k <= 10 {
			dets = dets[:1] // coming into view: the rear first
		}
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: dets}, now)
		e.Advance(now)
		e.Snapshot(now, &out)
		if k > 20 && len(out.Tracks) != 1 {
			t.Fatalf("scan %d: %d tracks, want 1: %+v", k, len(out.Tracks), out.Tracks)
		}
		if k > 20 {
			offset = out.Tracks[0].X[0] - x
		}
	}
	if math.Abs(offset) > 0.5 {
		t.Fatalf("the track ends %.2f m off the truck's centre", offset)
	}
}

// TestSlowerRiderBesideACarIsNotGathered: a return inside a confirmed
// moving track's footprint that moves 3 m/s slower (a cyclist the car
// passes) is not a piece of it: it starts its own track.
func TestSlowerRiderBesideACarIsNotGathered(t *testing.T) {
	e := testEngineWith(t, DefaultParams().WithClusteredRadar(clustered(0.3, 0)))
	var out Output
	at := func(now sensors.Time, x, y, speed float64) perception.Detection {
		d := radarAt(now, x, y)
		d.Z[2] = speed * math.Cos(d.Z[1])
		return d
	}
	for k := 1; k <= 40; k++ {
		now := sensors.Time(k) * 50 * ms
		car := 20 + 8*now.Seconds()
		dets := []perception.Detection{at(now, car, 0, 8)}
		if k > 10 { // the rider, 4 m ahead of the car at first
			dets = append(dets, at(now, 24.6+5*now.Seconds(), 1, 5))
		}
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: dets}, now)
		e.Advance(now)
		e.Snapshot(now, &out)
	}
	if len(out.Tracks) != 2 {
		t.Fatalf("%d tracks, want the car and the rider: %+v", len(out.Tracks), out.Tracks)
	}
}

// TestSurelyOutsideAgreesWithShares: a piece the cheap test puts out of
// reach is out of reach by its shares, and the test leaves the boundary
// to them (pieces scattered around tracks of every heading and size).
func TestSurelyOutsideAgreesWithShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	sc := &scan{}
	var f kalman.Filter
	cut := 0
	for k := 0; k < 20000; k++ {
		h := 2 * math.Pi * rng.Float64()
		fp := footprint{along: 0.5 + 8*rng.Float64(), across: 0.3 + 2*rng.Float64(), hx: math.Cos(h), hy: math.Sin(h)}
		f.X[kalman.PX], f.X[kalman.PY] = 40*rng.Float64(), 40*rng.Float64()
		b := 2 * math.Pi * rng.Float64()
		p := piece{x: f.X[kalman.PX] + 20*rng.NormFloat64(), y: f.X[kalman.PY] + 20*rng.NormFloat64(),
			ux: math.Cos(b), uy: math.Sin(b), rangeVar: rng.ExpFloat64(), tangVar: 4 * rng.ExpFloat64()}
		along, across, _ := fp.shares(sc, &f, &p)
		if fp.surelyOutside(&f, &p) {
			cut++
			if math.Abs(along) <= 1 && math.Abs(across) <= 1 {
				t.Fatalf("piece %+v within %+v's reach (shares %.6f, %.6f) but surely outside", p, fp, along, across)
			}
		}
	}
	if cut < 10000 {
		t.Errorf("only %d of 20000 far pieces cut without their shares", cut)
	}
}
