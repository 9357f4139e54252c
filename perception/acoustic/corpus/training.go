package corpus

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/sensors/mic"
	"github.com/avfusion/avfusion/sim/audio"
)

// MixesPerClass is how many augmented siren and horn windows `train
// audio --real` has TrainingWindows make of each from the training
// split's few real ones, and again from synthesised ones.
const MixesPerClass = 1500

// TrainingWindows cuts every recording of the training split into
// labelled windows as `audio classify` hears them (WindowSamples half a
// second apart), a short recording repeated end to end to fill one
// (classify loops it with crossfades, acoustic.Loop: the shipped networks
// were trained before it did), then adds
// mixes augmented sirens and horns each: a real one's window, sped up
// or slowed by up to 5 % (so its pitch too), shifted in time, echoed
// half the time; and mixes synthesised ones (sim/audio's
// Foreground: passing, with Doppler and echo). Each is mixed into a real
// background window of the training split at −5 to 20 dB, band-limited
// to 4 kHz as a cheap recording is one time in three, at a random level.
// The same seed gives the same windows.
func TrainingWindows(dir string, seed uint64, mixes int) ([][]float64, []int, error) {
	recs, err := List(dir)
	if err != nil {
		return nil, nil, err
	}
	var out [][]float64
	var labels []int
	var background [][]float64
	var sounds [acoustic.NumClasses][][]float64 // whole recordings of siren and horn
	for _, r := range recs {
		if r.Split != Train {
			continue
		}
		x, err := Load(dir, r)
		if err != nil {
			return nil, nil, err
		}
		for _, w := range windows(x, repeat) {
			out = append(out, w)
			labels = append(labels, r.Class)
			if r.Class == acoustic.Background {
				background = append(background, w)
			}
		}
		sounds[r.Class] = append(sounds[r.Class], x)
	}
	if len(background) == 0 || len(sounds[acoustic.Siren]) == 0 || len(sounds[acoustic.Horn]) == 0 {
		return nil, nil, errors.New("corpus: the training split needs sirens, horns and background (make sounds)")
	}
	rnd := rand.New(rand.NewPCG(seed, 0x6d6978))
	for i := range 4 * mixes {
		class := []int{acoustic.Siren, acoustic.Horn}[i%2]
		w := make([]float64, acoustic.WindowSamples)
		if i < 2*mixes {
			augment(w, sounds[class][rnd.IntN(len(sounds[class]))], rnd)
		} else {
			audio.Foreground(w, class, rnd)
		}
		out = append(out, mixInto(w, background[rnd.IntN(len(background))], rnd))
		labels = append(labels, class)
	}
	return out, labels, nil
}

// augment fills the window w with the recorded sound src, sped up or
// slowed, shifted and perhaps echoed (see TrainingWindows).
func augment(w, src []float64, rnd *rand.Rand) {
	n := len(w)
	// Speed: resampled from a rate up to 5 % off, played at the true one.
	rate := acoustic.SampleRate + 100*(rnd.IntN(17)-8)
	x := mic.Resample(src, acoustic.SampleRate, rate)
	start := 0
	if len(x) > n {
		start = rnd.IntN(len(x) - n + 1)
	}
	shift := rnd.IntN(len(x)) // a short sound repeated, starting anywhere in it
	for i := range w {
		if len(x) >= n {
			w[i] = x[start+i]
		} else {
			w[i] = x[(shift+i)%len(x)]
		}
	}
	if rnd.IntN(2) == 0 {
		audio.Reverb(w, 0.2+rnd.Float64(), 0.5*rnd.Float64(), rnd)
	}
}

// mixInto lays the sound in w over the background window bg at a random
// signal-to-noise ratio, band-limits the mix one time in three and sets
// a random level; it returns w.
func mixInto(w, bg []float64, rnd *rand.Rand) []float64 {
	snr := -5 + 25*rnd.Float64()
	gain := math.Pow(10, snr/20) * audio.RMS(bg) / math.Max(audio.RMS(w), 1e-12)
	for i := range w {
		w[i] = gain*w[i] + bg[i]
	}
	if rnd.IntN(3) == 0 {
		cheap := mic.Resample(mic.Resample(w, acoustic.SampleRate, 8000), 8000, acoustic.SampleRate)
		clear(w)
		copy(w, cheap)
	}
	level := math.Pow(10, -2+2*rnd.Float64()) / math.Max(audio.RMS(w), 1e-12) * 0.1
	for i := range w {
		w[i] *= level
	}
	return w
}

// repeat returns n samples of x repeated end to end.
func repeat(x []float64, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = x[i%len(x)]
	}
	return w
}
