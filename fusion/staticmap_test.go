package fusion

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/calib"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// railDrive drives at 10 m/s for 8 s past a guard rail along y = −5
// (a post every 2 m, each returning in half the scans, anywhere within
// a metre of it) and a car parked at (80, 4), both static, seen by an
// object-level radar at 20 Hz and, between its scans, by a camera that
// boxes the car within 60 m and never the rail. It returns the mean
// number of tracks published on the rail per cycle over the last 5 s,
// and of those within 50 m (where the rail has been in view for 3 s),
// and whether the car was published at the end.
func railDrive(t *testing.T, p Params) (onRail, near float64, car bool) {
	e := testEngineWith(t, p)
	const egoSpeed = 10.0
	e.PushEgo(Ego{Speed: egoSpeed})
	rng := rand.New(rand.NewPCG(3, 7))
	const rangeStd, azStd, rateStd = 0.25, 1.5 * math.Pi / 180, 0.1
	seen := func(stamp sensors.Time, x, y float64) perception.Detection {
		r, az := math.Hypot(x, y), math.Atan2(y, x)
		d := perception.Detection{Stamp: stamp, Sensor: perception.Radar, Dim: 3, Class: perception.Uniform()}
		d.Z = [3]float64{r + rangeStd*rng.NormFloat64(), az + azStd*rng.NormFloat64(), -egoSpeed*x/r + rateStd*rng.NormFloat64()}
		d.R[0][0], d.R[1][1], d.R[2][2] = rangeStd*rangeStd, azStd*azStd, rateStd*rateStd
		return d
	}
	const carX, carY = 80, 4
	var out Output
	var dets, boxes []perception.Detection
	published, nearby, cycles := 0, 0, 0
	for k := 1; k <= 160; k++ {
		now := sensors.Time(k) * 50 * ms
		ego := egoSpeed * now.Seconds()
		dets = dets[:0]
		for post := 0.0; post <= 300; post += 2 {
			x := post + 2*rng.Float64() - 1 - ego
			if rng.Float64() < 0.5 && x > 1 && x < 80 && math.Abs(math.Atan2(-5, x)) < math.Pi/3 {
				dets = append(dets, seen(now, x, -5))
			}
		}
		if rng.Float64() < 0.9 {
			dets = append(dets, seen(now, carX-ego, carY))
		}
		e.Ingest(Scan{Sensor: perception.Radar, Stamp: now, Dets: dets}, now)
		shot := now + 25*ms
		boxes = boxes[:0]
		if x := carX - ego; x > 1 && x < 60 {
			r := math.Hypot(x, carY)
			d := perception.Detection{Stamp: shot, Sensor: perception.Camera, Dim: 2, Class: perception.Uniform()}
			d.Z[perception.CameraBearing], d.Z[perception.CameraRange] = math.Atan2(carY, x), r*(1+0.05*rng.NormFloat64())
			d.R[0][0], d.R[1][1] = 4e-6, 0.0025*r*r
			boxes = append(boxes, d)
		}
		e.Ingest(Scan{Sensor: perception.Camera, Stamp: shot, Dets: boxes}, shot)
		e.Advance(shot)
		e.Snapshot(shot, &out)
		if k <= 60 {
			continue
		}
		cycles++
		car = false
		for _, tr := range out.Tracks {
			switch {
			case math.Abs(tr.X[1]+5) < 2:
				published++
				if tr.X[0]-ego < 50 {
					nearby++
				}
			case math.Hypot(tr.X[0]-carX, tr.X[1]-carY) < 2:
				car = true
			}
		}
	}
	return float64(published) / float64(cycles), float64(nearby) / float64(cycles), car
}

// TestGuardRailIsNotAnObject: with the static map the rail's returns,
// persistent and stretching far beyond any vehicle, keep all but a few
// tracks on it from being published (0.01 a cycle measured, 12.2 without
// the map), none where the rail has been in view for a few seconds, and
// the car the camera confirms is published.
func TestGuardRailIsNotAnObject(t *testing.T) {
	p := DefaultParams()
	withMap, near, car := railDrive(t, p)
	p.StaticMap = false
	without, _, _ := railDrive(t, p)
	if near > 0.05 || withMap > 0.5 || without < 5 || !car {
		t.Errorf("with the static map %.2f tracks on the rail a cycle, %.2f within 50 m, car published %v; without it %.2f on the rail",
			withMap, near, car, without)
	}
}

// TestPersistentThresholdRisesWithClutter: where a cell sees a static
// clutter return now and then a cell needs few scans to be persistent,
// where clutter is dense many more.
func TestPersistentThresholdRisesWithClutter(t *testing.T) {
	if got := persistentThreshold(0); got != minPersistentScans {
		t.Errorf("no clutter: threshold %v, want %d", got, minPersistentScans)
	}
	sparse, dense := persistentThreshold(0.3), persistentThreshold(1.1)
	if !(sparse < dense) || dense < 6 {
		t.Errorf("threshold %v with 0.3 clutter returns a cell in memory, %v with 1.1: want it to rise, to 6 or more", sparse, dense)
	}
}

// TestResetForgetsTheStaticMap: a line of static returns seen for 3 s is
// structure; after Reset (a bag replayed in a loop jumps back in time)
// nothing is.
func TestResetForgetsTheStaticMap(t *testing.T) {
	tr, err := NewTracker(DefaultParams(), calib.Rig{})
	if err != nil {
		t.Fatal(err)
	}
	tr.PushEgo(Ego{})
	var now sensors.Time
	for k := 1; k <= 60; k++ {
		now = sensors.Time(k) * 50 * ms
		sc := tr.beginScan(perception.Radar, now)
		for x := 20.0; x <= 60; x += 2 {
			tr.statics.add(&sc, x, -5, 0, 1)
		}
		tr.statics.noteClutter(&sc, 0)
	}
	if !tr.statics.structureAt(40, -5, now) {
		t.Fatal("a line of static returns 40 m long, seen for 3 s, is not structure")
	}
	tr.Reset()
	if tr.statics.structureAt(40, -5, now) {
		t.Error("after Reset the line is still structure")
	}
}
