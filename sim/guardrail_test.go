package sim

import (
	"math"
	"slices"
	"testing"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception/radar"
)

const railScenario = `
name: rail
duration: 10s
seed: 3
ego: {speed: 10, yaw_rate: 0}
sensors:
  radar: {rate_hz: 20, fov_deg: 120, max_range_m: 80, range_std_m: 0.15, azimuth_std_deg: 1,
          velocity_std_mps: 0.1, p_detect: 0.9, clutter_per_frame: 0}
actors:
  - {id: 1, class: car, position: [30, 0], velocity: [12, 0]}
`

// TestGuardRailReturnsLieOnTheRail: the radar's returns from a rail along
// y = −5 lie on it, within the scenario's noise, show the static world's
// range rate and come from half its posts in view; in both radar modes.
func TestGuardRailReturnsLieOnTheRail(t *testing.T) {
	w := testWorld(t, railScenario+"guard_rails:\n  - {from: [-50, -5], to: [300, -5]}\n")
	const frames = 100
	onRail, posts := 0, 0.0
	var pts []radar.Point
	for k := range frames {
		pose := w.Ego(w.RadarStamp(k)).SensorPose(w.Rig().Radar)
		pts = w.RadarPoints(pts[:0], k)
		for _, p := range pts {
			r, az := math.Hypot(p.X, p.Y), math.Atan2(p.Y, p.X)
			b := pose.Yaw + az
			x, y := pose.X+r*math.Cos(b), pose.Y+r*math.Sin(b)
			if math.Abs(p.Doppler-(12-10)*p.X/r) < 0.5 {
				continue // the car
			}
			static := -(pose.VX*math.Cos(b) + pose.VY*math.Sin(b))
			if math.Abs(y+5) > 0.15*3+r*3*math.Pi/180 || math.Abs(p.Doppler-static) > 0.5 {
				t.Fatalf("frame %d: return at (%.1f, %.1f) with range rate %.2f is not the rail's (static: %.2f)", k, x, y, p.Doppler, static)
			}
			onRail++
		}
		// Posts in view: along y = −5 from the radar out to its range, within ±60°.
		near := 5 / math.Tan(math.Pi/3)
		posts += (math.Sqrt(80*80-25) - near) / guardRailPostM
	}
	want := guardRailPDetect * 0.9 * posts
	if got := float64(onRail); math.Abs(got-want) > 0.1*want {
		t.Errorf("%d rail returns in %d frames, want about %.0f", onRail, frames, want)
	}
	w = testWorld(t, railScenario+"guard_rails:\n  - {from: [-50, -5], to: [300, -5]}\n")
	dets := w.RadarScan(nil, 10)
	if len(dets) < 10 {
		t.Errorf("object-level radar: %d detections with the rail in view, want the car and a dozen of the rail's", len(dets))
	}
}

// TestGuardRailsLeaveTheRestAsItWas: adding a rail adds its returns and
// changes nothing else the radar reports (its draws come from a stream of
// its own).
func TestGuardRailsLeaveTheRestAsItWas(t *testing.T) {
	sc, err := ParseScenario([]byte(railScenario + "guard_rails:\n  - {from: [-50, 20], to: [300, 20]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := ParseScenario([]byte(railScenario))
	if err != nil {
		t.Fatal(err)
	}
	with, without := NewWorld(sc, calib.DefaultRig(), 0), NewWorld(plain, calib.DefaultRig(), 0)
	rail := 0
	for k := range 20 {
		a, b := with.RadarPoints(nil, k), without.RadarPoints(nil, k)
		n := len(a)
		car := slices.DeleteFunc(a, func(p radar.Point) bool { return p.Y > 15 })
		rail += n - len(car)
		if !slices.Equal(car, b) {
			t.Fatalf("frame %d: %d returns off the rail with it, %d without; want the same", k, len(car), len(b))
		}
	}
	if rail < 100 {
		t.Errorf("%d rail returns in 20 frames: the rail is not in view", rail)
	}
}
