package audio

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestReceiveDelaysAndDoppler: a 1 kHz tone 34.3 m away arrives 100 ms
// later at a tenth of its 1 m level; coming at 20 m/s its pitch rises by
// c/(c-v).
func TestReceiveDelaysAndDoppler(t *testing.T) {
	tone := make([]float64, 3*SampleRate)
	for i := range tone {
		tone[i] = math.Sin(2 * math.Pi * 1000 * float64(i) / SampleRate)
	}
	still := Source{Signal: tone, Position: func(float64) (float64, float64) { return 34.3, 0 }, Level: 1}
	got := make([]float64, SampleRate)
	Receive(got, 1, func(float64) (float64, float64, float64) { return 0, 0, 0 }, []Source{still})
	// At t = 1 s the sound left at 0.9 s.
	for i := range 50 {
		want := math.Sin(2*math.Pi*1000*(1+float64(i)/SampleRate-0.1)) / 34.3
		if math.Abs(got[i]-want) > 1e-3 {
			t.Fatalf("sample %d: %g, want %g", i, got[i], want)
		}
	}
	coming := Source{Signal: tone, Position: func(t float64) (float64, float64) { return 60 - 20*t, 0 }, Level: 1}
	clear(got)
	Receive(got, 1, func(float64) (float64, float64, float64) { return 0, 0, 0 }, []Source{coming})
	// Count zero crossings over 0.5 s: 1000 Hz × 343/323.
	crossings := 0
	for i := 1; i < SampleRate/2; i++ {
		if (got[i-1] < 0) != (got[i] < 0) {
			crossings++
		}
	}
	if f := float64(crossings); math.Abs(f-1000*343/323) > 8 {
		t.Fatalf("approaching tone at %.0f Hz, want %.0f", f, 1000*343.0/323)
	}
}

func TestSynthesisIsSeededAndBounded(t *testing.T) {
	gen := func(seed uint64) []float64 {
		rnd := rand.New(rand.NewPCG(seed, 0))
		x := make([]float64, SampleRate)
		RandomSiren(rnd).Generate(x, 0)
		y := make([]float64, SampleRate)
		for k := range NumNoiseKinds {
			Noise(y, NoiseKind(k), rnd)
			for i := range x {
				x[i] += 0.1 * y[i]
			}
		}
		Reverb(x, 0.6, 0.3, rnd)
		return x
	}
	a, b := gen(3), gen(3)
	for i := range a {
		if a[i] != b[i] || math.IsNaN(a[i]) || math.Abs(a[i]) > 100 {
			t.Fatalf("sample %d: %g vs %g", i, a[i], b[i])
		}
	}
	if RMS(a) == 0 {
		t.Fatal("silence")
	}
}
