package fusion

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// TestCameraRangeIsNotPulledShort: a camera ranges an object from its
// box's bottom edge, so a box's range error grows with the square of its
// range; an object 60 m ahead seen by the camera alone, its boxes' bottom
// edges 3 px noisy, is tracked within 3 m of 60 m. (With each box's
// variance taken at the range it read, the boxes that read short counted
// most and the track settled 5.6 m short.)
func TestCameraRangeIsNotPulledShort(t *testing.T) {
	const (
		fy, height, stdPx, truth = 640.0, 1.4, 3.0, 60.0
	)
	e := testEngine(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	var out Output
	sum, n := 0.0, 0
	for k := 1; k <= 300; k++ {
		now := sensors.Time(k) * 33 * ms
		row := fy*height/truth + stdPx*rnd.NormFloat64() // the bottom edge below the horizon, px
		if row < 1 {
			continue
		}
		rng := fy * height / row
		d := perception.Detection{Stamp: now, Sensor: perception.Camera, Dim: 2, Class: perception.Uniform()}
		d.Z[perception.CameraRange] = rng
		rangeStd := rng * rng / (fy * height) * stdPx
		d.R[0][0], d.R[1][1] = 1e-6, rangeStd*rangeStd
		e.Ingest(Scan{Sensor: perception.Camera, Stamp: now, Dets: []perception.Detection{d}}, now)
		e.Advance(now)
		e.Snapshot(now, &out)
		if k > 200 {
			if len(out.Tracks) != 1 {
				t.Fatalf("frame %d: %d tracks, want 1", k, len(out.Tracks))
			}
			sum += math.Hypot(out.Tracks[0].X[0], out.Tracks[0].X[1])
			n++
		}
	}
	mean := sum / float64(n)
	t.Logf("the track's range averages %.1f m over the last 100 frames", mean)
	if math.Abs(mean-truth) > 3 {
		t.Fatalf("the track's range averages %.1f m over the last 100 frames, the object is at %.0f m", mean, truth)
	}
}
