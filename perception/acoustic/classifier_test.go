package acoustic

import (
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/perception/nn"
	"github.com/avfusion/avfusion/sim/audio"
)

// TestShippedClassifierOnHeldOutSounds scores the shipped network on
// synthetic windows it never saw (a seed the training does not use):
// sirens, horns and backgrounds are told apart.
func TestShippedClassifierOnHeldOutSounds(t *testing.T) {
	c, err := DefaultClassifier()
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(424242, 1))
	const perClass = 100
	var right [NumClasses]int
	w := make([]float64, WindowSamples)
	p := make([]float64, NumClasses)
	for i := range perClass * NumClasses {
		class := i % NumClasses
		audio.Clip(w, class, rnd)
		if nn.Argmax(c.Classify(p, w)) == class {
			right[class]++
		}
	}
	for k, name := range ClassNames {
		recall := float64(right[k]) / perClass
		t.Logf("%s: recall %.2f", name, recall)
		if recall < 0.8 {
			t.Errorf("%s: recall %.2f on held-out synthetic windows", name, recall)
		}
	}
	if a := testing.AllocsPerRun(20, func() { c.Classify(p, w) }); a != 0 {
		t.Errorf("Classify allocates %v times per window", a)
	}
}

// TestHissIsBackground: white noise and the synthetic set's hiss, a
// microphone's own noise at any level, are background — the simulator's
// microphones add white noise, and a network that heard it as a siren
// would hear phantom sirens in every simulated scene.
func TestHissIsBackground(t *testing.T) {
	c, err := DefaultClassifier()
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(5, 5))
	w := make([]float64, WindowSamples)
	p := make([]float64, NumClasses)
	for _, level := range []float64{0.001, 0.1} {
		for _, white := range []bool{true, false} {
			if white {
				for i := range w {
					w[i] = rnd.NormFloat64()
				}
			} else {
				audio.Noise(w, audio.Hiss, rnd) // unit RMS
			}
			for i := range w {
				w[i] *= level
			}
			if got := nn.Argmax(c.Classify(p, w)); got != Background {
				t.Errorf("noise at %g, white %v: %s (%.2f)", level, white, ClassNames[got], p)
			}
		}
	}
}
