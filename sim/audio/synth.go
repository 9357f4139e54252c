// Package audio synthesises the sounds of a road scene: sirens (wail,
// yelp, hi-lo), horns, engine and road noise, wind and speech-like babble,
// and renders moving sources onto a microphone array with the right
// propagation delays, Doppler and distance attenuation. The acoustic
// classifier is trained on it and the simulator's microphone array hears
// it. Everything is driven by a caller's *rand.Rand, so a seed fixes it.
package audio

import (
	"math"
	"math/rand/v2"
)

// SampleRate is the rate, Hz, everything here is synthesised at.
const SampleRate = 16000

// SirenKind is a siren's pattern.
type SirenKind int

// The siren patterns emergency vehicles use.
const (
	Wail SirenKind = iota // slow rise and fall, a few seconds a cycle
	Yelp                  // the same sweep, several times a second
	HiLo                  // two alternating tones (European two-tone)
)

// Siren describes one siren's sound.
type Siren struct {
	Kind          SirenKind
	LowHz, HighHz float64   // sweep range, or the two tones of HiLo
	PeriodS       float64   // one full cycle
	Harmonics     []float64 // amplitude of the fundamental and each overtone
	PhaseS        float64   // where in its cycle it starts
}

// RandomSiren draws a siren within the range real ones span.
func RandomSiren(rnd *rand.Rand) Siren {
	s := Siren{Kind: SirenKind(rnd.IntN(3)), PhaseS: rnd.Float64() * 10}
	switch s.Kind {
	case Wail:
		s.LowHz, s.HighHz, s.PeriodS = 450+300*rnd.Float64(), 1200+600*rnd.Float64(), 2+4*rnd.Float64()
	case Yelp:
		s.LowHz, s.HighHz, s.PeriodS = 500+300*rnd.Float64(), 1200+600*rnd.Float64(), 0.12+0.25*rnd.Float64()
	case HiLo:
		s.LowHz = 400 + 250*rnd.Float64()
		s.HighHz, s.PeriodS = s.LowHz*(1.25+0.3*rnd.Float64()), 0.8+1.4*rnd.Float64()
	}
	s.Harmonics = randomHarmonics(rnd, 1+rnd.IntN(6))
	return s
}

// randomHarmonics returns n decaying overtone amplitudes: anything from a
// near sine to a buzzy square-ish wave.
func randomHarmonics(rnd *rand.Rand, n int) []float64 {
	h := make([]float64, n)
	decay := 0.3 + 0.6*rnd.Float64()
	for i := range h {
		h[i] = math.Pow(decay, float64(i)) * (0.6 + 0.4*rnd.Float64())
	}
	return h
}

// frequency is the siren's instantaneous frequency at t seconds.
func (s Siren) frequency(t float64) float64 {
	ph := math.Mod((t+s.PhaseS)/s.PeriodS, 1)
	switch s.Kind {
	case Wail: // rise over 60 % of the cycle, fall over the rest
		if ph < 0.6 {
			return s.LowHz + (s.HighHz-s.LowHz)*math.Sin(ph/0.6*math.Pi/2)
		}
		return s.HighHz - (s.HighHz-s.LowHz)*(ph-0.6)/0.4
	case Yelp:
		return s.LowHz + (s.HighHz-s.LowHz)*0.5*(1-math.Cos(2*math.Pi*ph))
	}
	if ph < 0.5 {
		return s.HighHz
	}
	return s.LowHz
}

// Generate writes the siren into dst (sample i at t0 + i/SampleRate).
func (s Siren) Generate(dst []float64, t0 float64) {
	phase := 0.0
	for i := range dst {
		f := s.frequency(t0 + float64(i)/SampleRate)
		phase += 2 * math.Pi * f / SampleRate
		dst[i] = harmonicSum(s.Harmonics, phase, f)
	}
}

// harmonicSum adds the overtones of a tone at phase, dropping those above
// the Nyquist frequency. sin((k+1)x) comes from the two before it
// (2·cos x·sin kx − sin (k−1)x), so one sine and one cosine serve every
// overtone.
func harmonicSum(h []float64, phase, f float64) float64 {
	s1, c := math.Sincos(phase)
	prev, cur := 0.0, s1
	v := 0.0
	for k, a := range h {
		if f*float64(k+1) >= SampleRate/2 {
			break
		}
		v += a * cur
		prev, cur = cur, 2*c*cur-prev
	}
	return v
}

// Horn describes a vehicle horn: one or two steady, buzzy tones.
type Horn struct {
	TonesHz   []float64
	Harmonics []float64
	// OnS and OffS pattern the honks: on for OnS, off for OffS.
	OnS, OffS float64
}

// RandomHorn draws a car or truck horn, honking once or in a pattern.
func RandomHorn(rnd *rand.Rand) Horn {
	h := Horn{Harmonics: randomHarmonics(rnd, 4+rnd.IntN(6)), OnS: 0.25 + 1.5*rnd.Float64(), OffS: 0.1 + 0.6*rnd.Float64()}
	base := 300 + 250*rnd.Float64()
	if rnd.IntN(4) == 0 {
		base = 180 + 150*rnd.Float64() // truck air horn
	}
	h.TonesHz = []float64{base}
	if rnd.IntN(3) > 0 {
		h.TonesHz = append(h.TonesHz, base*(1.18+0.15*rnd.Float64()))
	}
	return h
}

// Generate writes the horn into dst starting at t0, with soft attacks.
func (h Horn) Generate(dst []float64, t0 float64) {
	cycle := h.OnS + h.OffS
	for i := range dst {
		t := t0 + float64(i)/SampleRate
		in := math.Mod(t, cycle)
		if in > h.OnS {
			dst[i] = 0
			continue
		}
		env := math.Min(1, math.Min(in, h.OnS-in)/0.02)
		v := 0.0
		for _, f := range h.TonesHz {
			v += harmonicSum(h.Harmonics, 2*math.Pi*f*t, f)
		}
		dst[i] = env * v
	}
}

// NoiseKind is a kind of background sound.
type NoiseKind int

// The backgrounds of a road scene.
const (
	Engine NoiseKind = iota // idling or revving: low harmonics, throbbing
	Road                    // tyres on asphalt: broadband, falling with frequency
	Wind                    // gusts of low-frequency noise
	Babble                  // several talkers: pitched, formant-shaped, syllabic
	Beeper                  // a reversing alarm or crossing signal: short beeps
	Hiss                    // a microphone's own noise, a fan: broadband, white to pink
)

// NumNoiseKinds is the number of background kinds.
const NumNoiseKinds = 6

// Noise writes a background of the given kind into dst.
func Noise(dst []float64, kind NoiseKind, rnd *rand.Rand) {
	switch kind {
	case Engine:
		f0 := 25 + 100*rnd.Float64()
		h := randomHarmonics(rnd, 12)
		throb := 2 + 10*rnd.Float64()
		phase := 0.0
		for i := range dst {
			t := float64(i) / SampleRate
			f := f0 * (1 + 0.05*math.Sin(2*math.Pi*0.3*t))
			phase += 2 * math.Pi * f / SampleRate
			dst[i] = harmonicSum(h, phase, f)*(0.7+0.3*math.Sin(2*math.Pi*throb*t)) + 0.3*rnd.NormFloat64()
		}
		lowpass(dst, 0.2)
	case Road:
		brown := 0.0
		for i := range dst {
			brown = 0.98*brown + 0.2*rnd.NormFloat64()
			dst[i] = brown + 0.15*rnd.NormFloat64()
		}
	case Wind:
		gust, level := 0.0, 0.0
		for i := range dst {
			if i%800 == 0 {
				gust = rnd.Float64()
			}
			level = 0.9995*level + 0.0005*gust
			dst[i] = level * rnd.NormFloat64()
		}
		lowpass(dst, 0.05)
		lowpass(dst, 0.05)
	case Babble:
		clear(dst)
		voice := make([]float64, len(dst))
		for range 2 + rnd.IntN(5) {
			speech(voice, rnd)
			for i := range dst {
				dst[i] += voice[i]
			}
		}
	case Beeper:
		f := 800 + 2000*rnd.Float64()
		on, off := 0.05+0.4*rnd.Float64(), 0.05+0.6*rnd.Float64()
		for i := range dst {
			t := float64(i) / SampleRate
			if math.Mod(t, on+off) < on {
				dst[i] = math.Sin(2 * math.Pi * f * t)
			} else {
				dst[i] = 0
			}
		}
	case Hiss:
		tilt, low := rnd.Float64(), 0.0 // 0 white, 1 mostly low-passed
		for i := range dst {
			w := rnd.NormFloat64()
			low = 0.9*low + 0.1*w
			dst[i] = (1-tilt)*w + tilt*3*low
		}
	}
	normalise(dst)
}

// speech writes one talker: a glottal pulse train at a wandering pitch
// through two moving formant resonances, in syllables.
func speech(dst []float64, rnd *rand.Rand) {
	f0 := 90 + 160*rnd.Float64()
	syllable := 3 + 3*rnd.Float64()
	var r1, r2 resonator
	phase := rnd.Float64()
	for i := range dst {
		t := float64(i) / SampleRate
		f := f0 * (1 + 0.1*math.Sin(2*math.Pi*0.7*t+phase*6))
		phase += f / SampleRate
		pulse := 0.0
		if phase >= 1 {
			phase--
			pulse = 1
		}
		if i%1600 == 0 { // a new vowel every 0.1 s
			r1.set(300+600*rnd.Float64(), 80)
			r2.set(900+1600*rnd.Float64(), 120)
		}
		env := math.Max(0, math.Sin(math.Pi*math.Mod(t*syllable, 1)))
		dst[i] = env * (r1.step(pulse) + 0.6*r2.step(pulse))
	}
}

// resonator is a two-pole band-pass filter.
type resonator struct{ a1, a2, y1, y2 float64 }

func (r *resonator) set(hz, bandwidth float64) {
	rad := math.Exp(-math.Pi * bandwidth / SampleRate)
	r.a1, r.a2 = 2*rad*math.Cos(2*math.Pi*hz/SampleRate), -rad*rad
}

func (r *resonator) step(x float64) float64 {
	y := x + r.a1*r.y1 + r.a2*r.y2
	r.y2, r.y1 = r.y1, y
	return y
}

// lowpass filters x in place with a one-pole low-pass of coefficient a.
func lowpass(x []float64, a float64) {
	y := 0.0
	for i, v := range x {
		y += a * (v - y)
		x[i] = y
	}
}

// normalise scales x to unit RMS (leaves silence alone).
func normalise(x []float64) {
	if r := RMS(x); r > 0 {
		for i := range x {
			x[i] /= r
		}
	}
}

// RMS is the root mean square of x.
func RMS(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(max(len(x), 1)))
}

// Reverb adds a street or room echo in place: a Schroeder reverberator
// (four parallel feedback combs of random length, then two all-passes)
// with the given decay time (RT60, s), mixed in at wet.
func Reverb(x []float64, rt60, wet float64, rnd *rand.Rand) {
	if rt60 <= 0 || wet <= 0 {
		return
	}
	wetSig := make([]float64, len(x))
	for range 4 {
		delay := 500 + rnd.IntN(1000) // 31 to 94 ms
		g := math.Pow(10, -3*float64(delay)/(rt60*SampleRate))
		buf := make([]float64, delay)
		for i, v := range x {
			j := i % delay
			out := buf[j]
			buf[j] = v + g*out
			wetSig[i] += out / 4
		}
	}
	for _, delay := range []int{347 + rnd.IntN(100), 113 + rnd.IntN(40)} {
		const g = 0.7
		buf := make([]float64, delay)
		for i, v := range wetSig {
			j := i % delay
			b := buf[j]
			y := -g*v + b
			buf[j] = v + g*y
			wetSig[i] = y
		}
	}
	for i := range x {
		x[i] += wet * wetSig[i]
	}
}
