package fusion

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// TestDuplicateSweepIsEveryPairInXOrder: the duplicate sweep, which
// looks only at the tracks a grid puts near each one, deletes exactly the
// tracks that comparing every pair in order of x would — on scenes with a
// queue of tracks at one x (a road along y, where a sweep along x alone
// compares every pair) and fragments of trucks and cars lying about.
func TestDuplicateSweepIsEveryPairInXOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	tr, err := NewTracker(DefaultParams(), calib.DefaultRig())
	if err != nil {
		t.Fatal(err)
	}
	classes := []perception.Class{perception.Car, perception.Truck, perception.Pedestrian, perception.Unknown}
	deleted := 0
	for round := 0; round < 40; round++ {
		var tracks []Track
		for i := 0; i < 20+rng.IntN(200); i++ {
			var k Track
			k.ID = uint32(i)
			k.Born = sensors.Time(rng.IntN(5))
			k.Hits[0] = uint32(rng.IntN(3))
			k.Status = Status(rng.IntN(2))
			k.steering = perception.Uniform()
			if c := classes[rng.IntN(len(classes))]; c != perception.Unknown {
				k.steering = perception.ClassProbs{}
				k.steering[c] = 1
			}
			x, y := 60*rng.Float64(), 60*rng.Float64()
			if round%2 == 0 {
				x = float64(rng.IntN(3)) // a queue along y
			}
			k.Filter.X = [kalman.N]float64{x, y, 3 * float64(rng.IntN(2)), rng.NormFloat64()}
			tracks = append(tracks, k)
		}
		want := survivorsOfEveryPair(tracks)
		tr.tracks = append(tr.tracks[:0], tracks...)
		tr.dropDuplicates()
		var got []uint32
		for i := range tr.tracks {
			got = append(got, tr.tracks[i].ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: kept %v, want %v", round, got, want)
		}
		deleted += len(tracks) - len(got)
	}
	if deleted < 100 {
		t.Fatalf("only %d duplicates in 40 scenes: the test does not exercise the sweep", deleted)
	}
}

// survivorsOfEveryPair is the duplicate rule applied to every pair of
// tracks in order of x, the older of a pair kept.
func survivorsOfEveryPair(tracks []Track) []uint32 {
	order := make([]int, len(tracks))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Compare(tracks[a].Filter.X[kalman.PX], tracks[b].Filter.X[kalman.PX])
	})
	dead := make([]bool, len(tracks))
	for a, i := range order {
		for _, j := range order[a+1:] {
			ta, tb := &tracks[i], &tracks[j]
			if dead[i] || dead[j] {
				continue
			}
			dvx, dvy := ta.Filter.X[kalman.VX]-tb.Filter.X[kalman.VX], ta.Filter.X[kalman.VY]-tb.Filter.X[kalman.VY]
			if dvx*dvx+dvy*dvy > 4 || !sameObject(ta, tb) {
				continue
			}
			if tb.Born < ta.Born || (tb.Born == ta.Born && tb.Hits[0]+tb.Hits[1] > ta.Hits[0]+ta.Hits[1]) {
				dead[i] = true
			} else {
				dead[j] = true
			}
		}
	}
	var kept []uint32
	for i := range tracks {
		if !dead[i] {
			kept = append(kept, tracks[i].ID)
		}
	}
	return kept
}
