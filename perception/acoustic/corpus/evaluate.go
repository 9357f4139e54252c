package corpus

import (
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/perception/nn"
)

// Confusion counts answers by truth: Confusion[true class][answer].
type Confusion [acoustic.NumClasses][acoustic.NumClasses]int

// Precision is the share of answers k that were right.
func (c *Confusion) Precision(k int) float64 {
	called := 0
	for j := range acoustic.NumClasses {
		called += c[j][k]
	}
	return ratio(c[k][k], called)
}

// Recall is the share of class k that was answered k.
func (c *Confusion) Recall(k int) float64 {
	truly := 0
	for j := range acoustic.NumClasses {
		truly += c[k][j]
	}
	return ratio(c[k][k], truly)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Report is how a classifier did on recordings, as `avfusion audio
// classify` hears them by default: every window of WindowSamples half a
// second apart over the whole recording (a shorter one looped to fill
// one, acoustic.Loop), each answered by the most probable class; a
// recording is a siren when a siren is heard in it (acoustic.Hearing:
// consecutive siren windows over SirenSeconds), else a horn when any
// window is, else background.
type Report struct {
	Recordings, Windows Confusion
	// Wrong lists the recordings answered wrongly, by name, with their
	// answer.
	Wrong map[string]string
}

// Evaluate classifies the recordings in dir with c. With a clip of more
// than 0 samples, each recording longer than it is heard only by its
// loudest clip samples (a short sound, repeated to fill a window as
// `audio classify` does): how the classifier does on sounds that short.
func Evaluate(c *acoustic.Classifier, dir string, recs []Recording, clip int) (Report, error) {
	rep := Report{Wrong: map[string]string{}}
	probs := make([]float64, acoustic.NumClasses)
	for _, r := range recs {
		x, err := Load(dir, r)
		if err != nil {
			return rep, err
		}
		if clip > 0 && len(x) > clip {
			x = loudest(x, clip)
		}
		heard := [acoustic.NumClasses]bool{}
		hearing := acoustic.NewHearing(acoustic.WindowHopS, acoustic.SirenSeconds)
		for _, w := range windows(x, acoustic.Loop) {
			got := nn.Argmax(c.Classify(probs, w))
			rep.Windows[r.Class][got]++
			heard[hearing.Hear(got)] = true
		}
		answer := acoustic.Background
		switch {
		case heard[acoustic.Siren]:
			answer = acoustic.Siren
		case heard[acoustic.Horn]:
			answer = acoustic.Horn
		}
		rep.Recordings[r.Class][answer]++
		if answer != r.Class {
			rep.Wrong[r.Name()] = acoustic.ClassNames[answer]
		}
	}
	return rep, nil
}

// windows cuts x as `audio classify` does: windows half a second apart,
// or, when x is shorter than one, the window fill makes of it
// (acoustic.Loop as classify fills one; the training split's windows
// repeat a short recording end to end, as the shipped networks were
// trained: see TrainingWindows).
func windows(x []float64, fill func(x []float64, n int) []float64) [][]float64 {
	const n = acoustic.WindowSamples
	if len(x) == 0 {
		return nil
	}
	if len(x) < n {
		return [][]float64{fill(x, n)}
	}
	var out [][]float64
	for start := 0; start+n <= len(x); start += int(acoustic.WindowHopS * acoustic.SampleRate) {
		out = append(out, x[start:start+n])
	}
	return out
}

// loudest is the n samples of x with the most energy, searched in steps
// of a tenth of n.
func loudest(x []float64, n int) []float64 {
	step := max(n/10, 1)
	best, at := -1.0, 0
	for s := 0; s+n <= len(x); s += step {
		e := 0.0
		for _, v := range x[s : s+n] {
			e += v * v
		}
		if e > best {
			best, at = e, s
		}
	}
	return x[at : at+n]
}
