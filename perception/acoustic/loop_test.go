package acoustic

import (
	"math"
	"testing"
)

// TestLoopJoinsWithoutClicks: a 0.3 s tone that does not end where it
// began, looped to one window, starts as the clip does, keeps its level
// and has no sample-to-sample step much larger than the tone's own,
// where repeating it end to end steps by more than its amplitude.
func TestLoopJoinsWithoutClicks(t *testing.T) {
	const hz = 443.0 // 0.3 s is not a whole number of its periods
	x := make([]float64, SampleRate*3/10)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * hz * float64(i) / SampleRate)
	}
	ownStep := 2 * math.Pi * hz / SampleRate // the tone's largest step
	largestStep := func(y []float64) float64 {
		s := 0.0
		for i := 1; i < len(y); i++ {
			s = max(s, math.Abs(y[i]-y[i-1]))
		}
		return s
	}
	plain := make([]float64, WindowSamples)
	for i := range plain {
		plain[i] = x[i%len(x)]
	}
	looped := Loop(x, WindowSamples)
	if len(looped) != WindowSamples {
		t.Fatalf("%d samples, want %d", len(looped), WindowSamples)
	}
	for i := range len(x) - maxLoopFade {
		if looped[i] != x[i] {
			t.Fatalf("sample %d is %g, the clip's is %g", i, looped[i], x[i])
		}
	}
	if s := largestStep(plain); s < 0.5 {
		t.Fatalf("repeated end to end the tone steps by %.3f at most: the test's tone joins too smoothly to tell", s)
	}
	if s := largestStep(looped); s > 1.5*ownStep {
		t.Fatalf("looped, the tone steps by %.3f, its own steps are %.3f at most", s, ownStep)
	}
	rms := func(y []float64) float64 {
		s := 0.0
		for _, v := range y {
			s += v * v
		}
		return math.Sqrt(s / float64(len(y)))
	}
	if r := rms(looped) / rms(x); r < 0.8 || r > 1.1 {
		t.Fatalf("looped level %.2f of the clip's", r)
	}
	// Never louder than the clip, the window's tail included: 0.275 s
	// repeats start 4 080 samples apart, the fifth 64 samples before the
	// window ends, inside the fourth's fade-out.
	short := x[:SampleRate*275/1000]
	for i, v := range Loop(short, WindowSamples) {
		if math.Abs(v) > 1+1e-9 {
			t.Fatalf("0.275 s looped: sample %d is %.3f, the clip's peak 1", i, v)
		}
	}
	// A clip too short to fade is repeated as it is.
	if y := Loop([]float64{1, 2, 3}, 7); y[3] != 1 || y[6] != 1 {
		t.Fatalf("three samples looped to seven: %v", y)
	}
}
