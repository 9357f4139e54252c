package calib

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// reflectorPairs places reflectors at the given radar-frame points and
// sees them through truth and lens, with radar noise (m) and pixel noise.
func reflectorPairs(rnd *rand.Rand, pts [][3]float64, truth Extrinsic, lens Pinhole, radarStd, pixelStd float64) []RadarCameraPair {
	var pairs []RadarCameraPair
	for _, p := range pts {
		c := truth.Apply(p)
		u, v := lens.Project(-c[1]/c[0], -c[2]/c[0])
		noisy := [3]float64{p[0] + radarStd*rnd.NormFloat64(), p[1] + radarStd*rnd.NormFloat64(), p[2] + radarStd*rnd.NormFloat64()}
		pairs = append(pairs, RadarCameraPair{Radar: noisy, Pixel: [2]float64{u + pixelStd*rnd.NormFloat64(), v + pixelStd*rnd.NormFloat64()}})
	}
	return pairs
}

// TestCalibrateRadarCameraRecoversTheMount: the radar sits 2.2 m ahead of
// the camera and 0.9 m below it, slightly rotated; 16 reflectors at 5 to
// 30 m, 0.3 to 2 m high, with 2 cm of radar noise and half a pixel of
// image noise. Starting from the mounts' nominal difference (no rotation),
// the solver recovers the transform: 10 cm forward (the least observable
// direction), 4 cm across and in height, 0.3° in angle.
func TestCalibrateRadarCameraRecoversTheMount(t *testing.T) {
	lens := Pinhole{Width: 1280, Height: 720, Fx: 800, Fy: 800, Cx: 640, Cy: 360, Distortion: Distortion{K1: -0.1}}
	truth := Extrinsic{X: 2.2, Y: 0.05, Z: -0.9, Roll: 0.01, Pitch: 0.03, Yaw: -0.02}
	rnd := rand.New(rand.NewPCG(9, 9))
	var pts [][3]float64
	for i := range 16 {
		r := 5 + 25*float64(i)/15
		az := (rnd.Float64()*2 - 1) * 0.5
		pts = append(pts, [3]float64{r * math.Cos(az), r * math.Sin(az), 0.3 + 1.7*rnd.Float64()})
	}
	res, err := CalibrateRadarCamera(reflectorPairs(rnd, pts, truth, lens, 0.02, 0.5), lens, Extrinsic{X: 2.2, Z: -0.9})
	if err != nil {
		t.Fatal(err)
	}
	got := res.RadarToCamera
	t.Logf("%+v ± %.3v, RMS %.2f px, warnings %v", got, res.StdDev, res.RMSPx, res.Warnings)
	deg := math.Pi / 180
	if math.Abs(got.X-truth.X) > 0.1 || math.Abs(got.Y-truth.Y) > 0.04 || math.Abs(got.Z-truth.Z) > 0.04 ||
		math.Abs(got.Roll-truth.Roll) > 0.3*deg || math.Abs(got.Pitch-truth.Pitch) > 0.3*deg || math.Abs(got.Yaw-truth.Yaw) > 0.3*deg {
		t.Fatalf("got %+v, want %+v", got, truth)
	}
	if res.RMSPx > 2 || len(res.ResidualsPx) != 16 || len(res.Warnings) != 0 {
		t.Fatalf("RMS %.2f px, %d residuals, warnings %v", res.RMSPx, len(res.ResidualsPx), res.Warnings)
	}
}

// TestCalibrateRadarCameraWarnsOnDegenerateLayouts: reflectors along one
// line, or all far away in a narrow cone, leave parameters undetermined,
// and the result says so.
func TestCalibrateRadarCameraWarnsOnDegenerateLayouts(t *testing.T) {
	lens := PinholeForFOV(1280, 720, math.Pi/2)
	truth := Extrinsic{X: 2.2, Z: -0.9}
	rnd := rand.New(rand.NewPCG(1, 2))
	var line, far [][3]float64
	for i := range 10 {
		r := 5 + 2*float64(i)
		line = append(line, [3]float64{r, 0.1 * r, 0.5}) // one bearing, one height
		far = append(far, [3]float64{50 + float64(i), float64(i%5)*0.5 - 1, 0.5 + 0.1*float64(i%3)})
	}
	for name, pts := range map[string][][3]float64{"collinear": line, "far and narrow": far} {
		res, err := CalibrateRadarCamera(reflectorPairs(rnd, pts, truth, lens, 0, 0.3), lens, truth)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(res.Warnings) == 0 {
			t.Errorf("%s: no warning; std %v", name, res.StdDev)
		}
		t.Logf("%s: %v", name, res.Warnings)
	}
	if _, err := CalibrateRadarCamera(reflectorPairs(rnd, line[:3], truth, lens, 0, 0), lens, truth); err == nil || !strings.Contains(err.Error(), "at least 6") {
		t.Errorf("three pairs: %v", err)
	}
}
