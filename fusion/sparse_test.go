package fusion

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors"
)

// A parked car 70 m ahead giving two returns a scan: a static cluster
// below min_points_static.
const parkedX, parkedY = 70, 3

// parkedScan clusters the parked car's two returns and n isolated static
// clutter returns spread over the radar's range and field of view.
func parkedScan(cl *radar.Clusterer, rnd *rand.Rand, now sensors.Time, n int) []perception.Detection {
	pts := []radar.Point{{X: parkedX - 0.4, Y: parkedY + 0.3, SNR: 20}, {X: parkedX + 0.5, Y: parkedY - 0.4, SNR: 20}}
	for range n {
		r, az := 1+79*rnd.Float64(), (2*rnd.Float64()-1)*math.Pi/3
		pts = append(pts, radar.Point{X: r * math.Cos(az), Y: r * math.Sin(az), SNR: 10})
	}
	dets, _ := cl.Detect(nil, nil, now, pts, 0, 0)
	return dets
}

// TestSparseStaticPairStartsATrack: where static clutter is sparse (four
// isolated returns a scan) the parked car gets a track within three
// seconds, and the clutter none. Without promoteSparseStatic the car's
// two returns only ever support a track and it gets none.
func TestSparseStaticPairStartsATrack(t *testing.T) {
	e := testEngineWith(t, DefaultParams().WithClusteredRadar(radar.DefaultParams()))
	cl, err := radar.NewClusterer(radar.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	var out Output
	for k := 1; k <= 60; k++ {
		now := sensors.Time(k) * 50 * ms
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: parkedScan(cl, rnd, now, 4)}, now)
		e.Advance(now)
		e.Snapshot(now, &out)
	}
	onCar := 0
	for _, tr := range out.Tracks {
		if math.Hypot(tr.X[0]-parkedX, tr.X[1]-parkedY) < 2 {
			onCar++
		}
	}
	if onCar != 1 || len(out.Tracks) != 1 {
		t.Errorf("%d tracks on the car, %d in all; want one, the car's", onCar, len(out.Tracks))
	}
}

// TestDenseStaticClutterKeepsPairsSupportOnly: the car's pair starts
// tracks among 4 isolated static returns, not among 20 (two clutter
// returns that close are then no longer rare).
func TestDenseStaticClutterKeepsPairsSupportOnly(t *testing.T) {
	p := DefaultParams().WithClusteredRadar(radar.DefaultParams())
	tr, err := NewTracker(p, calib.Rig{})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := radar.NewClusterer(p.Clustering)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		clutter int
		starts  bool
	}{{4, true}, {20, false}} {
		for k := range 20 {
			dets := parkedScan(cl, rnd, sensors.Time(k+1)*50*ms, c.clutter)
			sc := tr.beginScan(perception.Radar, dets[0].Stamp)
			for _, d := range tr.promoteSparseStatic(&sc, dets) {
				onCar := math.Hypot(d.Z[0]*math.Cos(d.Z[1])-parkedX, d.Z[0]*math.Sin(d.Z[1])-parkedY) < 1 && d.Returns == 2
				if starts := !d.SupportOnly; onCar && starts != c.starts {
					t.Fatalf("%d isolated returns, scan %d: the car's pair starts tracks: %v, want %v", c.clutter, k, starts, c.starts)
				}
			}
		}
	}
}
