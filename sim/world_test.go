package sim

import (
	"math"
	"testing"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
)

func testWorld(t *testing.T, text string) *World {
	t.Helper()
	sc, err := ParseScenario([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return NewWorld(sc, calib.DefaultRig(), 0)
}

// TestRadarStatistics checks that the radar model's detections have the
// scenario's noise, detection probability and clutter rate.
func TestRadarStatistics(t *testing.T) {
	w := testWorld(t, `
name: stats
duration: 10s
seed: 5
ego: {speed: 0, yaw_rate: 0}
sensors:
  radar: {rate_hz: 20, fov_deg: 120, max_range_m: 200, range_std_m: 0.2, azimuth_std_deg: 1,
          velocity_std_mps: 0.1, p_detect: 0.8, clutter_per_frame: 3}
actors:
  - {id: 1, class: car, position: [33.7, 0], velocity: [2, 0]}
`)
	const frames = 1000
	var hits, clutter int
	var sum, sum2 float64
	var dets []perception.Detection
	for k := 0; k < frames; k++ {
		dets = w.RadarScan(dets[:0], k)
		// The car drives away at 2 m/s; static clutter has range rate 0.
		want := 30 + 2*float64(k)/20
		for _, d := range dets {
			if math.Abs(d.Z[2]-2) < 1 {
				hits++
				sum += d.Z[0] - want
				sum2 += (d.Z[0] - want) * (d.Z[0] - want)
			} else {
				clutter++
			}
		}
	}
	pd := float64(hits) / frames
	std := math.Sqrt(sum2/float64(hits) - (sum/float64(hits))*(sum/float64(hits)))
	rate := float64(clutter) / frames
	// Binomial and Poisson standard errors at 1000 frames are ≈0.013 and
	// ≈0.055, that of the standard deviation ≈0.005; the tolerances are
	// about four of them.
	if math.Abs(pd-0.8) > 0.05 || math.Abs(std-0.2) > 0.02 || math.Abs(rate-3) > 0.22 {
		t.Fatalf("p_detect %.3f (want 0.8), range std %.3f (want 0.2), clutter %.2f/frame (want 3)", pd, std, rate)
	}
}

// TestCameraRangeFromBox checks the box → bearing and ground-plane range
// path of the camera model without noise: a car straight ahead.
func TestCameraRangeFromBox(t *testing.T) {
	w := testWorld(t, `
name: cam
duration: 1s
seed: 1
ego: {speed: 0, yaw_rate: 0}
sensors:
  camera: {rate_hz: 30, fov_deg: 90, max_range_m: 60, p_detect: 1, bbox_std_px: 0.000001}
actors:
  - {id: 1, class: car, position: [21.5, 0], velocity: [10, 0]}
`)
	dets := w.CameraScan(nil, 0)
	if len(dets) != 1 {
		t.Fatalf("%d detections", len(dets))
	}
	d := dets[0]
	// Camera at x=1.5: the car's centre is 20 m away; its rear face 17.75 m.
	if math.Abs(d.Z[perception.CameraBearing]) > 1e-6 {
		t.Errorf("bearing %g", d.Z[perception.CameraBearing])
	}
	if c, _ := d.Class.Argmax(); c == perception.Car && math.Abs(d.Z[perception.CameraRange]-20) > 0.05 {
		t.Errorf("range %g, want 20", d.Z[perception.CameraRange])
	}
	lens := w.Rig().Lens
	if bottom := d.Box[1] + d.Box[3]; math.Abs(bottom-(lens.Cy+lens.Fy*1.4/17.75)) > 1e-3 {
		t.Errorf("box bottom %g", bottom)
	}
}

func TestTruthOnlyInCoverage(t *testing.T) {
	w := testWorld(t, validScenario)
	truth := w.Truth(nil, 0)
	// Actor 1 ahead is covered; actor 2 has not appeared yet.
	if len(truth) != 1 || truth[0].ID != 1 {
		t.Fatalf("truth %+v", truth)
	}
}

// TestWalkersLimbsSpreadTheirDoppler: through the TI path half a walker's
// returns come from limbs moving at between none and twice its velocity,
// so its returns spread in Doppler about the body's range rate (standard
// deviation √(½·v²/3 + noise²), 0.62 m/s for 1.5 m/s towards the radar),
// while a car's move together (the scenario's 0.1 m/s of noise).
func TestWalkersLimbsSpreadTheirDoppler(t *testing.T) {
	w := testWorld(t, `
name: limbs
duration: 10s
seed: 5
ego: {speed: 0, yaw_rate: 0}
sensors:
  radar: {rate_hz: 20, fov_deg: 120, max_range_m: 80, range_std_m: 0.15, azimuth_std_deg: 1,
          velocity_std_mps: 0.1, p_detect: 1, clutter_per_frame: 0}
actors:
  - {id: 1, class: pedestrian, position: [20, 4], velocity: [-1.5, 0]}
  - {id: 2, class: car, position: [30, -5], velocity: [5, 0]}
`)
	var walker, car []float64
	var pts []radar.Point
	for k := range 100 {
		pts = w.RadarPoints(pts[:0], k)
		for _, p := range pts {
			r := math.Hypot(p.X, p.Y)
			if p.Y > 0 {
				walker = append(walker, p.Doppler-(-1.5)*p.X/r)
			} else {
				car = append(car, p.Doppler-5*p.X/r)
			}
		}
	}
	rms := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x * x
		}
		return math.Sqrt(s / float64(len(xs)))
	}
	want := math.Sqrt(0.5*1.5*1.5/3 + 0.01)
	if got := rms(walker); len(walker) < 200 || math.Abs(got-want) > 0.1 {
		t.Errorf("walker: %d returns spread %.2f m/s about its body's range rate, want about %.2f", len(walker), got, want)
	}
	if got := rms(car); len(car) < 200 || got > 0.15 {
		t.Errorf("car: %d returns spread %.2f m/s about its range rate, want the noise's 0.1", len(car), got)
	}
}
