package mic

import "math"

// resampleTaps is the half-length of the windowed-sinc kernel, in input
// samples at the cut-off: 16 keeps the pass band flat to within 0.1 dB up
// to 90 % of the new Nyquist frequency.
const resampleTaps = 16

// Resample converts x from rate from to rate to with a Blackman-windowed
// sinc interpolator whose cut-off follows the lower of the two Nyquist
// frequencies (so downsampling does not alias). Output sample i sits at
// input position i·from/to; its fractional part takes one of to/gcd
// values, so the kernel is tabulated once per phase.
func Resample(x []float64, from, to int) []float64 {
	if from == to {
		return append([]float64(nil), x...)
	}
	g := gcd(from, to)
	up, down := to/g, from/g // output i sits at input (i·down)/up
	cut := math.Min(1, float64(up)/float64(down))
	half := float64(resampleTaps) / cut
	reach := int(math.Ceil(half))
	kernel := func(d float64) float64 {
		if math.Abs(d) > half {
			return 0
		}
		w := 0.42 + 0.5*math.Cos(math.Pi*d/half) + 0.08*math.Cos(2*math.Pi*d/half)
		return cut * sinc(cut*d) * w
	}
	// table[p][j] weighs input k0-reach+1+j for phase p (position k0+p/up).
	width := 2 * reach
	table := make([]float64, up*width)
	for p := range up {
		frac := float64(p) / float64(up)
		for j := range width {
			table[p*width+j] = kernel(frac - float64(j-reach+1))
		}
	}
	n := len(x) * up / down
	out := make([]float64, n)
	for i := range out {
		pos := i * down
		k0, p := pos/up, pos%up
		row := table[p*width : (p+1)*width]
		first := k0 - reach + 1
		sum := 0.0
		for j, w := range row {
			if k := first + j; k >= 0 && k < len(x) {
				sum += x[k] * w
			}
		}
		out[i] = sum
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}
