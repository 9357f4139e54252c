package camera

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/avfusion/avfusion/sensors"
)

// TestSourceClockFollowsDrift: a 25 fps source whose clock runs 100 ppm
// slow against the node's, its frames arriving with ±5 ms of jitter: the
// fit finds the drift, and after 30 s the stamps sit on the true capture
// times, much closer than the arrivals.
func TestSourceClockFollowsDrift(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 2))
	c := newSourceClock()
	const latency = 30 * time.Millisecond
	var worstArrival, worstFitted time.Duration
	for k := range 60 * 25 {
		pos := float64(k) * 40 // the source's own ms
		taken := sensors.Time(1e9) + sensors.Time(float64(k)*40e6*(1+100e-6))
		arrival := taken.Add(latency + time.Duration(rnd.Float64()*10e6-5e6))
		got := c.stamp(pos, arrival)
		if k > 45*25 { // well into the fitted stretch
			worstArrival = max(worstArrival, absDur(arrival.Sub(taken)-latency))
			worstFitted = max(worstFitted, absDur(got.Sub(taken)-latency))
		}
	}
	ppm, ok := c.driftPPM()
	if !ok || math.Abs(ppm-100) > 2 {
		t.Fatalf("drift %.2f ppm (known %v), want 100", ppm, ok)
	}
	if worstFitted > worstArrival/3 {
		t.Fatalf("fitted stamps off by up to %v, arrivals by %v", worstFitted, worstArrival)
	}
	t.Logf("drift %.2f ppm; worst stamp error %v fitted, %v by arrival", ppm, worstFitted, worstArrival)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
