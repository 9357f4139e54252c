package calib

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Sample is one measurement of a signal both sensors see, such as the
// range to a common target: a stamp in seconds on the sensor's clock and a
// value.
type Sample struct {
	T, V float64
}

// TimeOffsetResult is what TimeOffset found.
type TimeOffsetResult struct {
	// OffsetS is how late b's stamps are: b's stamp = a's stamp +
	// OffsetS for the same instant. Subtract it from b's stamps.
	OffsetS float64
	// Correlation is the normalised cross-correlation of the two motions
	// at that offset, in [-1, 1]; near 1 is a clear match.
	Correlation float64
	// OverlapS is how long the two signals overlap once aligned.
	OverlapS float64
}

// TimeOffset estimates the time offset between two sensors from a motion
// both observe (for example the range of one target seen by the radar and
// the camera): it resamples both on a common grid and finds the lag, up
// to ±maxLagS, that maximises their normalised (Pearson) correlation —
// which a constant bias or a scale difference between the sensors does
// not change — refined between grid steps by a parabola through the peak.
func TimeOffset(a, b []Sample, maxLagS float64) (TimeOffsetResult, error) {
	if len(a) < 8 || len(b) < 8 {
		return TimeOffsetResult{}, fmt.Errorf("calib: time offset: need at least 8 samples of each signal, got %d and %d", len(a), len(b))
	}
	if !(maxLagS > 0) {
		return TimeOffsetResult{}, fmt.Errorf("calib: time offset: the largest offset searched must be positive, got %g s", maxLagS)
	}
	a, b = sortedSamples(a), sortedSamples(b)
	step := min(medianStep(a), medianStep(b)) / 2
	if !(step > 0) {
		return TimeOffsetResult{}, errors.New("calib: time offset: the samples have no time spread")
	}
	maxLag := int(math.Ceil(maxLagS / step))
	// a on a grid over its span; b on the same grid, shifted by every
	// candidate lag.
	start, end := a[0].T, a[len(a)-1].T
	n := int((end - start) / step)
	if n < 16 {
		return TimeOffsetResult{}, errors.New("calib: time offset: the signals are too short")
	}
	da := onGrid(a, start, step, n)
	best, bestLag, scores := -2.0, 0, make([]float64, 2*maxLag+1)
	for lag := -maxLag; lag <= maxLag; lag++ {
		db := onGrid(b, start+float64(lag)*step, step, n)
		c, m := correlation(da, db)
		if m < n/2 {
			c = math.NaN() // too little overlap to trust
		}
		scores[lag+maxLag] = c
		if c > best {
			best, bestLag = c, lag
		}
	}
	if best < -1 {
		return TimeOffsetResult{}, fmt.Errorf("calib: time offset: the signals do not overlap within ±%g s", maxLagS)
	}
	offset := float64(bestLag) * step
	if i := bestLag + maxLag; i > 0 && i < len(scores)-1 && !math.IsNaN(scores[i-1]) && !math.IsNaN(scores[i+1]) {
		l, c, r := scores[i-1], scores[i], scores[i+1]
		if den := l - 2*c + r; den < 0 {
			offset += 0.5 * (l - r) / den * step
		}
	}
	overlap := math.Min(end, b[len(b)-1].T-offset) - math.Max(start, b[0].T-offset)
	return TimeOffsetResult{OffsetS: offset, Correlation: best, OverlapS: overlap}, nil
}

func sortedSamples(s []Sample) []Sample {
	s = slices.Clone(s)
	slices.SortFunc(s, func(x, y Sample) int { return cmp.Compare(x.T, y.T) })
	return s
}

func medianStep(s []Sample) float64 {
	d := make([]float64, 0, len(s)-1)
	for i := 1; i < len(s); i++ {
		d = append(d, s[i].T-s[i-1].T)
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// onGrid returns the linearly interpolated signal at start+i·step, NaN
// outside its span.
func onGrid(s []Sample, start, step float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		v, ok := interpolate(s, start+float64(i)*step)
		if !ok {
			v = math.NaN()
		}
		out[i] = v
	}
	return out
}

// interpolate returns the signal at t, false outside its span.
func interpolate(s []Sample, t float64) (float64, bool) {
	if t < s[0].T || t > s[len(s)-1].T {
		return 0, false
	}
	i, _ := slices.BinarySearchFunc(s, t, func(x Sample, t float64) int { return cmp.Compare(x.T, t) })
	if i == 0 {
		return s[0].V, true
	}
	p, q := s[i-1], s[min(i, len(s)-1)]
	if q.T == p.T {
		return q.V, true
	}
	return p.V + (q.V-p.V)*(t-p.T)/(q.T-p.T), true
}

// correlation is the Pearson correlation over the indices where both are
// defined, and how many there were.
func correlation(x, y []float64) (float64, int) {
	var n, sx, sy float64
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			n++
			sx += x[i]
			sy += y[i]
		}
	}
	if n < 3 {
		return math.NaN(), int(n)
	}
	mx, my := sx/n, sy/n
	var cov, vx, vy float64
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			dx, dy := x[i]-mx, y[i]-my
			cov += dx * dy
			vx += dx * dx
			vy += dy * dy
		}
	}
	if vx == 0 || vy == 0 {
		return math.NaN(), int(n)
	}
	return cov / math.Sqrt(vx*vy), int(n)
}
