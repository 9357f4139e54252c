package mic

import "math"

// resampleTaps is the half-length of the windowed-sinc kernel, in input
// samples at the cut-off: 16 keeps the pass band flat to within 0.1 dB up
// to 90 % of the new Nyquist frequency.
const resampleTaps = 16

// Resample converts x from rate from to rate to with a Blackman-windowed
// sinc interpolator whose cut-off follows the lower of the two Nyquist
// frequencies (so downsampling does not alias).
func Resample(x []float64, from, to int) []float64 {
	if from == to {
		return append([]float64(nil), x...)
	}
	ratio := float64(from) / float64(to)
	cut := math.Min(1, 1/ratio) // cut-off relative to the input Nyquist
	half := float64(resampleTaps) / cut
	n := int(math.Floor(float64(len(x)) / ratio))
	out := make([]float64, n)
	for i := range out {
		t := float64(i) * ratio
		lo, hi := int(math.Ceil(t-half)), int(math.Floor(t+half))
		sum := 0.0
		for k := max(lo, 0); k <= hi && k < len(x); k++ {
			d := t - float64(k)
			w := 0.42 + 0.5*math.Cos(math.Pi*d/half) + 0.08*math.Cos(2*math.Pi*d/half)
			sum += x[k] * cut * sinc(cut*d) * w
		}
		out[i] = sum
	}
	return out
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}
