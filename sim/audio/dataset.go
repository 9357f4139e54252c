package audio

import (
	"math"
	"math/rand/v2"
)

// The classes of a training clip, in the classifier's order
// (acoustic.ClassNames).
const (
	ClipSiren = iota
	ClipHorn
	ClipBackground
	NumClipClasses
)

// Clip fills dst with one labelled training clip: for a siren or a horn,
// the sound from a source passing at a random speed (up to 25 m/s, so
// with Doppler) and distance, echoed, over one to three backgrounds
// (engine, road, wind, babble, beeps) at a signal-to-noise ratio between
// -5 and 20 dB; for background, the backgrounds alone. The level is
// random too: nothing may depend on it.
func Clip(dst []float64, class int, rnd *rand.Rand) {
	n := len(dst)
	clear(dst)
	bg := make([]float64, n)
	layer := make([]float64, n)
	for k := range 1 + rnd.IntN(3) {
		Noise(layer, NoiseKind(rnd.IntN(NumNoiseKinds)), rnd)
		w := 1.0
		if k > 0 {
			w = 0.2 + 0.8*rnd.Float64()
		}
		for i := range bg {
			bg[i] += w * layer[i]
		}
	}
	if class != ClipBackground {
		Foreground(layer, class, rnd)
		snr := -5 + 25*rnd.Float64()
		gain := math.Pow(10, snr/20)
		for i := range dst {
			dst[i] = gain*layer[i] + bg[i]
		}
	} else {
		copy(dst, bg)
	}
	level := math.Pow(10, -2+2*rnd.Float64())
	for i := range dst {
		dst[i] *= level
	}
}

// Foreground fills dst with a siren or a horn (ClipSiren, ClipHorn) as a
// microphone hears it pass at a random speed (up to 25 m/s) and distance
// (3 to 50 m), echoed, at unit RMS: Clip's sound before its background.
func Foreground(dst []float64, class int, rnd *rand.Rand) {
	n := len(dst)
	src := make([]float64, n+2*SampleRate)
	switch class {
	case ClipSiren:
		RandomSiren(rnd).Generate(src, rnd.Float64()*10)
	case ClipHorn:
		RandomHorn(rnd).Generate(src, 0)
		// Start the honk somewhere in the first half of the clip.
		shift := rnd.IntN(n / 2)
		copy(src[shift:], src[:len(src)-shift])
		clear(src[:shift])
	}
	speed := 25 * rnd.Float64()
	offset := 3 + 47*rnd.Float64()
	pass := (rnd.Float64()*2 - 1) * 2 // when it passes closest, s
	s := Source{Signal: src, T0: -1, Level: 1, Position: func(t float64) (float64, float64) { return speed * (t - pass), offset }}
	clear(dst)
	Receive(dst, 0, func(float64) (float64, float64, float64) { return 0, 0, 1 }, []Source{s})
	Reverb(dst, 0.2+1.3*rnd.Float64(), 0.5*rnd.Float64(), rnd)
	normalise(dst)
}
