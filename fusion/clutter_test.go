package fusion

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// TestDenseStaticClutterConfirmsFewTracks: from a car driving at 12 m/s,
// an object-level radar reports 45 static clutter returns a scan over its
// 120° and 80 m (fog and spray) beside a parked car ahead and a car
// pulling away. Over 5 s both cars keep confirmed tracks and few tracks
// are confirmed on clutter. With p_false alone as the share of clutter in
// a gate, every hit made a clutter track more likely real and 15 clutter
// tracks were confirmed; now a loose fit in a band this full of clutter
// makes a track no likelier (falseShare, with Params.ClutterDensity).
func TestDenseStaticClutterConfirmsFewTracks(t *testing.T) {
	p := DefaultParams()
	p.ClutterDensity = true
	e := testEngineWith(t, p)
	const egoSpeed = 12.0
	e.PushEgo(Ego{Speed: egoSpeed})
	rng := rand.New(rand.NewPCG(5, 45))
	const rangeStd, azStd, rateStd = 0.25, 2 * math.Pi / 180, 0.12
	// seen returns the radar's noisy reading of a point at (x, y) moving
	// at vx along x, all relative to the sensor.
	seen := func(stamp sensors.Time, x, y, vx float64) perception.Detection {
		r, az := math.Hypot(x, y), math.Atan2(y, x)
		d := perception.Detection{Stamp: stamp, Sensor: perception.Radar, Dim: 3, Class: perception.Uniform()}
		d.Z = [3]float64{r + rangeStd*rng.NormFloat64(), az + azStd*rng.NormFloat64(), vx*x/r + rateStd*rng.NormFloat64()}
		d.R[0][0], d.R[1][1], d.R[2][2] = rangeStd*rangeStd, azStd*azStd, rateStd*rateStd
		return d
	}
	parked := [2]float64{70, 4}   // in the world
	driving := [2]float64{20, -3} // at the start
	const drivingSpeed = 17.0     // m/s along x
	var dets []perception.Detection
	onClutter := map[uint32]bool{}
	var onParked, onDriving bool
	for k := 1; k <= 100; k++ {
		now := sensors.Time(k) * 50 * ms
		ego := egoSpeed * now.Seconds()
		px := parked[0] - ego
		dx := driving[0] + (drivingSpeed-egoSpeed)*now.Seconds()
		dets = append(dets[:0], seen(now, px, parked[1], -egoSpeed), seen(now, dx, driving[1], drivingSpeed-egoSpeed))
		for n := 0; n < 45; n++ {
			r, az := 1+79*rng.Float64(), (2*rng.Float64()-1)*math.Pi/3
			dets = append(dets, seen(now, r*math.Cos(az), r*math.Sin(az), -egoSpeed))
		}
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: dets}, now)
		e.Advance(now)
		onParked, onDriving = false, false
		for i := range e.tracker.tracks {
			tr := &e.tracker.tracks[i]
			if tr.Status != Confirmed {
				continue
			}
			x, y := tr.Filter.X[0]-ego, tr.Filter.X[1]
			switch {
			case math.Hypot(x-px, y-parked[1]) < 2:
				onParked = true
			case math.Hypot(x-dx, y-driving[1]) < 2:
				onDriving = true
			default:
				onClutter[tr.ID] = true
			}
		}
	}
	if !onParked || !onDriving || len(onClutter) > 2 {
		t.Fatalf("at the end the parked car tracked: %v, the driving one: %v; %d tracks confirmed on clutter", onParked, onDriving, len(onClutter))
	}
}
