// Package acoustic turns a microphone array's sound into acoustic
// detections: log-mel features, a small neural network telling sirens and
// horns from background, and the direction of arrival from GCC-PHAT time
// differences between microphones.
package acoustic

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Analysis parameters. Sound is analysed at 16 kHz in frames of 64 ms
// every 32 ms; the classifier looks at windows of WindowFrames frames
// (about one second).
const (
	SampleRate   = 16000
	FrameSize    = 1024
	Hop          = 512
	Mels         = 40
	melLowHz     = 80
	melHighHz    = 7600
	WindowFrames = 31
)

// Features computes log-mel energies of frames. It allocates nothing per
// frame; it is not safe for concurrent use.
type Features struct {
	fft     *fourier.FFT
	window  []float64
	buf     []float64
	coeffs  []complex128
	filters []melFilter
}

// melFilter is one triangular mel band over FFT bins [lo, lo+len(w)).
type melFilter struct {
	lo int
	w  []float64
}

// NewFeatures prepares the FFT, the Hann window and the mel bank.
func NewFeatures() *Features {
	f := &Features{fft: fourier.NewFFT(FrameSize), window: make([]float64, FrameSize), buf: make([]float64, FrameSize), coeffs: make([]complex128, FrameSize/2+1)}
	for i := range f.window {
		f.window[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/FrameSize)
	}
	mel := func(hz float64) float64 { return 2595 * math.Log10(1+hz/700) }
	hz := func(m float64) float64 { return 700 * (math.Pow(10, m/2595) - 1) }
	lo, hi := mel(melLowHz), mel(melHighHz)
	edges := make([]float64, Mels+2)
	for i := range edges {
		edges[i] = hz(lo+(hi-lo)*float64(i)/float64(Mels+1)) * FrameSize / SampleRate // in bins
	}
	for m := range Mels {
		a, c, b := edges[m], edges[m+1], edges[m+2]
		first := int(math.Ceil(a))
		var w []float64
		for k := first; float64(k) <= b; k++ {
			x := float64(k)
			v := (x - a) / (c - a)
			if x > c {
				v = (b - x) / (b - c)
			}
			w = append(w, math.Max(v, 0))
		}
		if len(w) == 0 { // narrower than a bin: take the nearest
			first, w = int(math.Round(c)), []float64{1}
		}
		f.filters = append(f.filters, melFilter{lo: first, w: w})
	}
	return f
}

// LogMel writes the log10 mel energies of one frame (FrameSize samples)
// to dst (Mels values) and returns it.
func (f *Features) LogMel(dst, frame []float64) []float64 {
	for i, v := range frame[:FrameSize] {
		f.buf[i] = v * f.window[i]
	}
	f.fft.Coefficients(f.coeffs, f.buf)
	for m, flt := range f.filters {
		e := 1e-10
		for j, w := range flt.w {
			c := f.coeffs[flt.lo+j]
			e += w * (real(c)*real(c) + imag(c)*imag(c))
		}
		dst[m] = math.Log10(e)
	}
	return dst
}

// DescriptorSize is the length of a window descriptor.
const DescriptorSize = 2*Mels + 6

// describe summarises a window of log-mel frames for the classifier,
// independent of the sound's level: each band's mean (relative to the
// window's median level) and its variation over time, then the tonal
// peak's behaviour — how far the loudest band stands above the median,
// its mean position, spread and frame-to-frame movement (a siren sweeps,
// a horn holds, speech jumps), how often it stands out, and the spectral
// flux. levels and sortBuf are scratch, grown as needed.
func describe(dst []float64, frames [][]float64, levels, sortBuf *[]float64) []float64 {
	n := float64(len(frames))
	// The window's median level: the reference that removes loudness.
	all := (*levels)[:0]
	for _, fr := range frames {
		var m float64
		m, *sortBuf = median(fr, *sortBuf)
		all = append(all, m)
	}
	*levels = all
	ref, _ := median(all, *sortBuf)
	for m := range Mels {
		mean, sq := 0.0, 0.0
		for _, fr := range frames {
			mean += fr[m]
			sq += fr[m] * fr[m]
		}
		mean /= n
		dst[m] = mean - ref
		dst[Mels+m] = math.Sqrt(math.Max(sq/n-mean*mean, 0))
	}
	var prom, pos, pos2, move, tonal, flux float64
	prev := -1
	for i, fr := range frames {
		peak, at := fr[4], 4
		for m := 4; m < Mels; m++ { // above ~250 Hz: the engine's rumble is not a tone to follow
			if fr[m] > peak {
				peak, at = fr[m], m
			}
		}
		p := peak - all[i]
		prom += p
		pos += float64(at)
		pos2 += float64(at * at)
		if p > 1.5 {
			tonal++
		}
		if prev >= 0 {
			move += math.Abs(float64(at - prev))
			d := 0.0
			for m := range Mels {
				d += math.Abs(fr[m] - frames[i-1][m])
			}
			flux += d / Mels
		}
		prev = at
	}
	pos /= n
	k := 2 * Mels
	dst[k] = prom / n
	dst[k+1] = pos
	dst[k+2] = math.Sqrt(math.Max(pos2/n-pos*pos, 0))
	dst[k+3] = move / math.Max(n-1, 1)
	dst[k+4] = tonal / n
	dst[k+5] = flux / math.Max(n-1, 1)
	return dst
}

// PatchSize is the length of a window's log-mel patch: Mels rows (bands)
// of WindowFrames values (frames).
const PatchSize = Mels * WindowFrames

// patch writes a window's log-mel frames to dst as the convolutional
// classifier sees them, one band a row, less the patch's median so that
// loudness does not count. sortBuf is scratch, grown as needed.
func patch(dst []float64, frames [][]float64, sortBuf *[]float64) []float64 {
	for t, fr := range frames {
		for m, v := range fr {
			dst[m*WindowFrames+t] = v
		}
	}
	var ref float64
	ref, *sortBuf = median(dst, *sortBuf)
	for i := range dst {
		dst[i] -= ref
	}
	return dst
}

// median returns the median of x, sorting a copy in buf (returned for
// reuse); x itself is not reordered.
func median(x, buf []float64) (float64, []float64) {
	buf = append(buf[:0], x...)
	slices.Sort(buf)
	return buf[len(buf)/2], buf
}
