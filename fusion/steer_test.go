package fusion

import (
	"math"
	"testing"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/sensors"
)

// TestParkedTrackKeepsToItsReturns: through a clustered radar, a parked
// car's track is held by its static returns, and camera boxes at the
// bearing of the car parked next to it (its own box missed) do not drag
// it across; through an object-level radar, whose returns are whole
// objects, the same boxes move the track.
func TestParkedTrackKeepsToItsReturns(t *testing.T) {
	neighbour := math.Atan2(4.8, 47)
	run := func(p Params) (dy, speed float64) {
		e := testEngineWith(t, p)
		var out Output
		for k := 1; k <= 80; k++ {
			now := sensors.Time(k) * 50 * ms
			ret := radarAt(now, 40, 4.8)
			ret.R[1][1] = 1.2e-3 // a cluster centroid's 2° of bearing noise
			ret.Returns = 3
			box := cameraAt(now, 40, 4.8)
			if k > 30 {
				box.Z[0] = neighbour
			}
			radarAndCamera(e, now, ret, box)
			e.Snapshot(now, &out)
		}
		if len(out.Tracks)+len(out.Held) != 1 {
			t.Fatalf("%d tracks published, %d held, want one", len(out.Tracks), len(out.Held))
		}
		tr := append(out.Tracks, out.Held...)[0]
		return tr.X[kalman.PY] - 4.8, math.Hypot(tr.X[kalman.VX], tr.X[kalman.VY])
	}
	clusteredDy, clusteredSpeed := run(DefaultParams().WithClusteredRadar(clustered(0.3, 0)))
	objectDy, _ := run(DefaultParams())
	t.Logf("clustered radar: %.2f m off, %.2f m/s; object radar: %.2f m off", clusteredDy, clusteredSpeed, objectDy)
	if math.Abs(clusteredDy) > 0.3 || clusteredSpeed > 0.3 {
		t.Errorf("clustered radar: the parked car's track moved %.2f m across (%.2f m/s)", clusteredDy, clusteredSpeed)
	}
	if math.Abs(objectDy) < 0.4 {
		t.Errorf("object radar: the boxes moved the track only %.2f m (the test would not tell)", objectDy)
	}
}
