package acoustic

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"

	"github.com/avfusion/avfusion/calib"
)

// The band GCC-PHAT listens in: below it road and wind noise dominate
// (and, whitened, would blur the correlation peak towards zero lag); above
// it a siren or horn has little energy and small arrays alias.
const (
	doaLowHz  = 250
	doaHighHz = 5000
)

// minTDOAStdSamples floors the time-difference uncertainty: a tenth of a
// sample is about what parabolic peak interpolation resolves.
const minTDOAStdSamples = 0.1

// DOA estimates the direction a sound comes from with GCC-PHAT: for every
// microphone pair, the phase-transform-weighted cross-correlation of
// their frames in the 250 Hz – 5 kHz band, summed over the frames of a
// window, peaks at their time difference of arrival; the differences of all pairs give the direction
// by least squares in the array's plane. It allocates nothing per frame;
// it is not safe for concurrent use.
type DOA struct {
	mics   [][3]float64
	c      float64
	pairs  []micPair
	fft    *fourier.FFT
	n      int // FFT length: twice the frame, for linear correlation
	buf    []float64
	specs  [][]complex128
	cross  []complex128
	corr   []float64
	taus   []float64 // per pair, s
	frames int
	// Collinear arrays (a pair, or a line) only measure the angle to
	// their axis: the bearing is mirrored about it.
	collinear bool
	axis      [2]float64
}

type micPair struct {
	i, j   int
	dx, dy float64   // p_j - p_i in the plane, m
	maxLag int       // samples
	sum    []float64 // the correlation summed over frames, lags -maxLag-1..maxLag+1
}

// Direction is one bearing estimate.
type Direction struct {
	// Bearing is the direction of the source in the array's frame
	// (REP-103: from x towards y), rad.
	Bearing float64
	// Variance of Bearing, rad².
	Variance float64
	// Ambiguous is set for a collinear array, which cannot tell the
	// bearing from its mirror image about the array's axis (front/back
	// for a left-right pair); Bearing is then the one in front.
	Ambiguous bool
}

// NewDOA prepares GCC-PHAT for an array (at least two microphones).
func NewDOA(array calib.MicArray) (*DOA, error) {
	if err := array.Validate(); err != nil {
		return nil, err
	}
	if len(array.Microphones) < 2 {
		return nil, errors.New("acoustic: one microphone gives no direction")
	}
	d := &DOA{mics: array.Microphones, c: array.SpeedOfSoundMps, n: 2 * FrameSize}
	d.fft = fourier.NewFFT(d.n)
	d.buf = make([]float64, d.n)
	d.cross = make([]complex128, d.n/2+1)
	d.corr = make([]float64, d.n)
	for range d.mics {
		d.specs = append(d.specs, make([]complex128, d.n/2+1))
	}
	for _, p := range array.Pairs() {
		mi, mj := d.mics[p.I], d.mics[p.J]
		lag := int(math.Ceil(p.MaxDelayS*SampleRate)) + 1
		d.pairs = append(d.pairs, micPair{i: p.I, j: p.J, dx: mj[0] - mi[0], dy: mj[1] - mi[1], maxLag: lag, sum: make([]float64, 2*lag+3)})
	}
	d.taus = make([]float64, len(d.pairs))
	first := d.pairs[0]
	l := math.Hypot(first.dx, first.dy)
	d.axis = [2]float64{first.dx / l, first.dy / l}
	d.collinear = true
	for _, p := range d.pairs {
		if math.Abs(p.dx*d.axis[1]-p.dy*d.axis[0]) > 0.001 {
			d.collinear = false
		}
	}
	return d, nil
}

// Add accumulates one frame: FrameSize samples of every channel, in the
// array's channel order.
func (d *DOA) Add(channels [][]float64) {
	for ch := range d.mics {
		clear(d.buf[FrameSize:])
		copy(d.buf, channels[ch][:FrameSize])
		d.fft.Coefficients(d.specs[ch], d.buf)
	}
	for pi := range d.pairs {
		p := &d.pairs[pi]
		a, b := d.specs[p.i], d.specs[p.j]
		lo, hi := doaLowHz*d.n/SampleRate, doaHighHz*d.n/SampleRate
		for k := range d.cross {
			if k < lo || k > hi {
				d.cross[k] = 0
				continue
			}
			g := a[k] * complex(real(b[k]), -imag(b[k]))
			if m := math.Hypot(real(g), imag(g)); m > 1e-12 {
				g /= complex(m, 0)
			} else {
				g = 0
			}
			d.cross[k] = g
		}
		d.fft.Sequence(d.corr, d.cross)
		for l := -p.maxLag - 1; l <= p.maxLag+1; l++ {
			p.sum[l+p.maxLag+1] += d.corr[(l+d.n)%d.n]
		}
	}
	d.frames++
}

// Estimate returns the direction from the frames added since the last
// call, and clears them. It reports false without frames or when the
// time differences fit no plane wave (no single source dominates).
func (d *DOA) Estimate() (Direction, bool) {
	if d.frames == 0 {
		return Direction{}, false
	}
	defer d.reset()
	// Least squares for the direction u: (p_j - p_i)·u = c·τ_ij.
	var ata [2][2]float64
	var atb [2]float64
	for pi := range d.pairs {
		p := &d.pairs[pi]
		tau := peakLag(p.sum, p.maxLag) / SampleRate
		d.taus[pi] = tau
		ata[0][0] += p.dx * p.dx
		ata[0][1] += p.dx * p.dy
		ata[1][1] += p.dy * p.dy
		atb[0] += p.dx * d.c * tau
		atb[1] += p.dy * d.c * tau
	}
	if d.collinear {
		return d.alongAxis(d.taus)
	}
	det := ata[0][0]*ata[1][1] - ata[0][1]*ata[0][1]
	if det <= 0 {
		return Direction{}, false
	}
	inv := [2][2]float64{{ata[1][1] / det, -ata[0][1] / det}, {-ata[0][1] / det, ata[0][0] / det}}
	ux := inv[0][0]*atb[0] + inv[0][1]*atb[1]
	uy := inv[1][0]*atb[0] + inv[1][1]*atb[1]
	norm := math.Hypot(ux, uy)
	if norm < 0.3 || norm > 1.7 {
		return Direction{}, false // not a plane wave from one source
	}
	// The time-difference noise from the residuals, floored.
	ss, m := 0.0, 0
	for pi := range d.pairs {
		p := &d.pairs[pi]
		r := (p.dx*ux+p.dy*uy)/d.c - d.taus[pi]
		ss += r * r
		m++
	}
	floor := minTDOAStdSamples / SampleRate
	s2 := math.Max(ss/float64(max(m-2, 1)), floor*floor) * d.c * d.c
	cxx, cxy, cyy := s2*inv[0][0], s2*inv[0][1], s2*inv[1][1]
	n4 := norm * norm * norm * norm
	v := (uy*uy*cxx - 2*ux*uy*cxy + ux*ux*cyy) / n4
	return Direction{Bearing: math.Atan2(uy, ux), Variance: v}, true
}

// alongAxis handles collinear arrays: the mean angle to the axis, and the
// bearing on the front side of it.
func (d *DOA) alongAxis(taus []float64) (Direction, bool) {
	// Each pair's projection of u on the axis: c·τ / spacing along it.
	sum, w := 0.0, 0.0
	for pi, p := range d.pairs {
		along := p.dx*d.axis[0] + p.dy*d.axis[1]
		sum += d.c * taus[pi] * along
		w += along * along
	}
	cosA := math.Max(-1, math.Min(1, sum/w))
	phi := math.Acos(cosA)
	axisAngle := math.Atan2(d.axis[1], d.axis[0])
	b1, b2 := wrapAngle(axisAngle+phi), wrapAngle(axisAngle-phi)
	bearing := b1
	if math.Cos(b2) > math.Cos(b1) {
		bearing = b2
	}
	sigmaCos := d.c * minTDOAStdSamples / SampleRate / math.Sqrt(w)
	sinA := math.Max(math.Sqrt(1-cosA*cosA), 0.05)
	sd := sigmaCos / sinA
	return Direction{Bearing: bearing, Variance: sd * sd, Ambiguous: true}, true
}

func (d *DOA) reset() {
	for pi := range d.pairs {
		clear(d.pairs[pi].sum)
	}
	d.frames = 0
}

// peakLag finds the lag (samples, within ±maxLag) of the correlation's
// peak, refined by a parabola through its neighbours.
func peakLag(sum []float64, maxLag int) float64 {
	best := maxLag + 1
	for k := 1; k < len(sum)-1; k++ {
		if sum[k] > sum[best] {
			best = k
		}
	}
	l, c, r := sum[best-1], sum[best], sum[best+1]
	off := 0.0
	if den := l - 2*c + r; den < 0 {
		off = 0.5 * (l - r) / den
	}
	return float64(best-maxLag-1) + off
}

func wrapAngle(a float64) float64 { return math.Remainder(a, 2*math.Pi) }
