package acoustic

import (
	"math"
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

// constant is a dense classifier that answers the same logits for every
// window.
func constant(t *testing.T, logits [NumClasses]float64) *Classifier {
	t.Helper()
	ones := make([]float64, DescriptorSize)
	for i := range ones {
		ones[i] = 1
	}
	net := &nn.Net{Classes: ClassNames[:], Mean: make([]float64, DescriptorSize), Std: ones,
		Layers: []nn.Layer{{In: DescriptorSize, Out: NumClasses, W: make([]float64, DescriptorSize*NumClasses), B: logits[:]}}}
	c, err := NewClassifier(net)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCombineMultipliesBeliefs: combined networks answer the normalised
// product of their probabilities, and background where they disagree so
// completely that nothing is left of it.
func TestCombineMultipliesBeliefs(t *testing.T) {
	w := make([]float64, WindowSamples)
	p := make([]float64, NumClasses)
	for _, tc := range []struct {
		a, b [NumClasses]float64
		want [NumClasses]float64
	}{
		{a: [NumClasses]float64{1, 0, 0}, b: [NumClasses]float64{0, 0, 0}, want: [NumClasses]float64{0.5761, 0.2119, 0.2119}},
		{a: [NumClasses]float64{2, 0, 0}, b: [NumClasses]float64{0, 2, 0}, want: [NumClasses]float64{0.4683, 0.4683, 0.0634}},
		{a: [NumClasses]float64{2000, 0, 0}, b: [NumClasses]float64{0, 2000, 0}, want: [NumClasses]float64{0, 0, 1}},
	} {
		Combine(constant(t, tc.a), constant(t, tc.b)).Classify(p, w)
		for k := range p {
			if math.Abs(p[k]-tc.want[k]) > 1e-4 {
				t.Errorf("logits %v and %v: %.4f, want %.4f", tc.a, tc.b, p, tc.want)
				break
			}
		}
	}
}

// TestHearingWaitsForASirenToLast: a siren is heard only once the windows
// over SirenSeconds are all siren (two windows half a second apart, three
// a quarter apart, two of any hop longer), a horn at once; anything else
// breaks the run.
func TestHearingWaitsForASirenToLast(t *testing.T) {
	const s, h, b = Siren, Horn, Background
	for _, tc := range []struct {
		hop            float64
		classes, heard []int
	}{
		{0.5, []int{s, s, s, b, s}, []int{b, s, s, b, b}},
		{0.5, []int{s, h, s, b, s, s}, []int{b, h, b, b, b, s}},
		{0.25, []int{s, s, s, s}, []int{b, b, s, s}},
		{2, []int{s, s}, []int{b, s}},
	} {
		hearing := NewHearing(tc.hop, SirenSeconds)
		for i, c := range tc.classes {
			if got := hearing.Hear(c); got != tc.heard[i] {
				t.Errorf("hop %g, windows %v: window %d heard %s, want %s", tc.hop, tc.classes, i, ClassNames[got], ClassNames[tc.heard[i]])
			}
		}
	}
}
