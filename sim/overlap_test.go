package sim

import (
	"strings"
	"testing"
	"time"
)

// TestOverlapsNamesActorsPassingThroughEachOther: a car catching up with
// a slower one in its lane drives into it at 4 s (12 m apart, 4.5 m long,
// 2 m/s faster); cars side by side on adjacent lanes and a walker who
// crosses the road after the car has passed overlap nothing.
func TestOverlapsNamesActorsPassingThroughEachOther(t *testing.T) {
	sc, err := ParseScenario([]byte(`name: overlaps
duration: 10s
seed: 1
ego: {speed: 0, yaw_rate: 0}
sensors:
  radar: {rate_hz: 20, fov_deg: 120, max_range_m: 80, range_std_m: 0.15, azimuth_std_deg: 1.5, velocity_std_mps: 0.1, p_detect: 0.9, clutter_per_frame: 0, latency: 10ms}
actors:
  - {id: 1, class: car, position: [20, 0], velocity: [10, 0]}
  - {id: 2, class: car, position: [32, 0], velocity: [8, 0]}
  - {id: 3, class: car, position: [20, 3.5], velocity: [10, 0]}
  - {id: 4, class: pedestrian, position: [25, 8], velocity: [0, -1.5]}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := Overlaps(sc, sc.Duration)
	t.Log(got)
	if len(got) != 1 || !strings.HasPrefix(got[0], "actors: 1 (car) and 2 (car) overlap from 3.8 s") {
		t.Fatalf("want one overlap, cars 1 and 2 from 3.8 s (7.5 m closed at 2 m/s: 3.75 s), got %q", got)
	}
	if got := Overlaps(sc, 3*time.Second); got != nil {
		t.Fatalf("in the first 3 s, before the cars meet: %q", got)
	}
}
