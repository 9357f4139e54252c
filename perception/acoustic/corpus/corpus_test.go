package corpus

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"

	"github.com/avfusion/avfusion/perception/acoustic"
)

// installed is the corpus make sounds unpacked, and its recordings.
func installed(t *testing.T) (string, []Recording) {
	t.Helper()
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	recs, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, recs
}

// TestEveryRecordingLoadsAndGroupsStayInOneSplit reads the whole corpus
// (make sounds) and checks the split: no group in two splits, every
// split holding every class (the external check has one siren).
func TestEveryRecordingLoadsAndGroupsStayInOneSplit(t *testing.T) {
	dir, recs := installed(t)
	split := map[string]Split{}
	var count, seconds [NumSplits][acoustic.NumClasses]float64
	for _, r := range recs {
		if s, ok := split[r.Group]; ok && s != r.Split {
			t.Errorf("group %q is in both splits", r.Group)
		}
		split[r.Group] = r.Split
		x, err := Load(dir, r)
		if err != nil {
			t.Error(err)
			continue
		}
		count[r.Split][r.Class]++
		seconds[r.Split][r.Class] += float64(len(x)) / acoustic.SampleRate
	}
	for s := range NumSplits {
		least := 2.0
		if s == External {
			least = 1
		}
		for c, name := range acoustic.ClassNames {
			t.Logf("%s %s: %.0f recordings, %.0f s", s, name, count[s][c], seconds[s][c])
			if count[s][c] < least {
				t.Errorf("%s split: %.0f %s recordings", s, count[s][c], name)
			}
		}
	}
}

// TestConfusionPrecisionAndRecall: precision is read down a column,
// recall along a row; an empty one is 0.
func TestConfusionPrecisionAndRecall(t *testing.T) {
	c := Confusion{{2, 0, 0}, {3, 1, 0}, {94, 50, 13}}
	if p, r := c.Precision(0), c.Recall(0); math.Abs(p-2.0/99) > 1e-12 || r != 1 {
		t.Fatalf("siren precision %g recall %g", p, r)
	}
	if p, r := c.Precision(2), c.Recall(2); p != 1 || math.Abs(r-13.0/157) > 1e-12 {
		t.Fatalf("background precision %g recall %g", p, r)
	}
	var empty Confusion
	if empty.Precision(1) != 0 || empty.Recall(1) != 0 {
		t.Fatal("an empty class is not 0")
	}
}

// TestTrainingWindowsAugmentRealSirensAndHorns: every window of the
// training split plus 2·mixes sirens and horns mixed into real
// background (real ones augmented, synthesised ones), none from
// another split's recordings, at least a third of the mixes band-limited
// to 4 kHz (more: some recordings are sampled at 8 kHz already) but not
// most, and the same seed giving the same mix.
func TestTrainingWindowsAugmentRealSirensAndHorns(t *testing.T) {
	dir, recs := installed(t)
	recorded := 0
	for _, r := range recs {
		if r.Split == Train {
			x, err := Load(dir, r)
			if err != nil {
				t.Fatal(err)
			}
			recorded += len(windows(x, repeat))
		}
	}
	const mixes = 150 // of MixesPerClass: the race detector makes each slow
	x, labels, err := TrainingWindows(dir, 1, mixes)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != recorded+4*mixes || len(labels) != len(x) {
		t.Fatalf("%d windows, %d labels; want %d recorded and %d mixes", len(x), len(labels), recorded, 4*mixes)
	}
	var byClass [acoustic.NumClasses]int
	cheap := 0
	for i, w := range x[recorded:] {
		byClass[labels[recorded+i]]++
		if len(w) != acoustic.WindowSamples {
			t.Fatalf("mix %d: %d samples", i, len(w))
		}
		if highShare(w) < 1e-3 {
			cheap++
		}
	}
	if byClass[acoustic.Siren] != 2*mixes || byClass[acoustic.Horn] != 2*mixes {
		t.Fatalf("mixes by class %v", byClass)
	}
	if c := float64(cheap) / float64(4*mixes); c < 0.3 || c > 0.6 {
		t.Errorf("%.2f of the mixes band-limited to 4 kHz; want at least a third, and not most", c)
	}
	a, b := make([]float64, acoustic.WindowSamples), make([]float64, acoustic.WindowSamples)
	for _, w := range [][]float64{a, b} {
		rnd := rand.New(rand.NewPCG(7, 7))
		augment(w, x[0], rnd)
		mixInto(w, x[1], rnd)
	}
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave two different mixes")
	}
}

// highShare is the share of w's energy above 4.2 kHz.
func highShare(w []float64) float64 {
	c := fourier.NewFFT(len(w)).Coefficients(nil, w)
	var high, all float64
	for k, v := range c {
		e := real(v)*real(v) + imag(v)*imag(v)
		all += e
		if float64(k)*acoustic.SampleRate/float64(len(w)) > 4200 {
			high += e
		}
	}
	return high / all
}

// TestLoudestFindsTheBurst: the loudest stretch of a quiet recording
// with one burst is the burst.
func TestLoudestFindsTheBurst(t *testing.T) {
	x := make([]float64, 10000)
	for i := 6000; i < 6300; i++ {
		x[i] = 1
	}
	got := loudest(x, 300)
	sum := 0.0
	for _, v := range got {
		sum += v
	}
	if len(got) != 300 || sum < 270 {
		t.Fatalf("%d samples holding %.0f of the burst's 300", len(got), sum)
	}
}
