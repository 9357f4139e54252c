package fusion

import (
	"testing"

	"github.com/avfusion/avfusion/calib"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors"
)

// TestPieceOfATruckIsNotConfirmed: a confirmed track on an oncoming
// truck's front, young enough that its heading is 20° off, and tentative
// tracks 6 m behind it: the truck's rear, closing on the radar as fast, is
// a piece of it (left tentative); a car on the next lane, or one on the
// truck's lane driving the other way, is not.
func TestPieceOfATruckIsNotConfirmed(t *testing.T) {
	tr, err := NewTracker(DefaultParams().WithClusteredRadar(radar.DefaultParams()), calib.DefaultRig())
	if err != nil {
		t.Fatal(err)
	}
	tr.PushEgo(Ego{})
	track := func(status Status, x, y, vx, vy, sideVar float64) Track {
		k := Track{Status: status, Class: perception.Uniform(), steering: perception.Uniform()}
		k.Filter.X[kalman.PX], k.Filter.X[kalman.PY], k.Filter.X[kalman.VX], k.Filter.X[kalman.VY] = x, y, vx, vy
		k.Filter.P[kalman.VX][kalman.VX], k.Filter.P[kalman.VY][kalman.VY] = sideVar, sideVar
		return k
	}
	front := track(Confirmed, 50, 3.5, -8.3, 2.8, 4)
	for _, c := range []struct {
		name  string
		other Track
		piece bool
	}{
		{"the truck's rear", track(Tentative, 56.4, 3.2, -7.7, -3.8, 9), true},
		{"a car on the next lane", track(Tentative, 56.4, 7.0, -7.9, 0, 9), false},
		{"a car driving away on the truck's lane", track(Tentative, 56.4, 3.2, 7.9, 0, 9), false},
	} {
		tr.tracks = append(tr.tracks[:0], front, c.other)
		if got := tr.pieceOfConfirmed(1, sensors.Time(0)); got != c.piece {
			t.Errorf("%s: piece of the truck %v, want %v", c.name, got, c.piece)
		}
	}
}
