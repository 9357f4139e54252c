package sensors

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestClockFitRecoversDriftAndSmoothsJitter feeds twenty minutes of
// frames every 50 ms from a 200 MHz counter whose oscillator runs 80 ppm
// slow (so it wraps its 32 bits every 21 s), arriving with 10 ms of
// uniform transfer jitter on top of a fixed 15 ms latency. The fit must
// find the drift within 5 ppm and give stamps much closer to the true
// (mean-latency-shifted) times than the arrivals are.
func TestClockFitRecoversDriftAndSmoothsJitter(t *testing.T) {
	const hz, drift = 200e6, -80e-6
	fit := ClockFit{HzNominal: hz}
	rng := rand.New(rand.NewPCG(3, 4))
	start := Time(1_000_000_000)
	ticks := uint32(math.MaxUint32 - 5e8) // wraps after 2.5 s
	var rawErr, fitErr float64
	const frames = 20 * 60 * 20
	for k := 0; k < frames; k++ {
		truth := start.Add(time.Duration(k) * 50 * time.Millisecond)
		sensorTicks := ticks + uint32(float64(k)*0.05*hz*(1+drift))
		arrival := truth.Add(15*time.Millisecond + time.Duration(rng.Float64()*10e6))
		fit.Add(sensorTicks, arrival)
		if k >= frames-200 {
			// Mean arrival is truth + 20 ms.
			want := truth.Add(20 * time.Millisecond)
			st, ok := fit.Stamp(sensorTicks)
			if !ok {
				t.Fatal("no fit after 200 frames")
			}
			rawErr += math.Abs(arrival.Sub(want).Seconds())
			fitErr += math.Abs(st.Sub(want).Seconds())
		}
	}
	ppm, ok := fit.DriftPPM()
	// The node clock runs faster than the slow counter by 80 ppm.
	if !ok || math.Abs(ppm-80) > 5 {
		t.Fatalf("drift %.1f ppm, want 80", ppm)
	}
	if fitErr > rawErr/4 {
		t.Fatalf("fitted stamps err %.2f ms mean, arrivals %.2f ms", fitErr/200*1e3, rawErr/200*1e3)
	}
	t.Logf("drift %.1f ppm; mean stamp error %.2f ms fitted vs %.2f ms from arrival", ppm, fitErr/200*1e3, rawErr/200*1e3)
}
