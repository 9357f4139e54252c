package sim

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// tiCapture is TI's own capture of people at automated doors
// (testdata/README.md).
const tiCapture = "../testdata/ti-mmwave/xwr68xx_processed_stream_2019_12_04T21_44_51_663.dat"

// movingGroup is three or more moving returns of one frame of the capture
// less than a metre apart: their count, the median of their Doppler (the
// body's, as limbs move either way about it) and its standard deviation.
type movingGroup struct {
	n           int
	body, sigma float64
}

// TestLimbShareFitsTIsCapture: the spread of Doppler within a person's
// returns in TI's capture is what the walker's limb model (limbShare,
// 0.1 m/s of noise, the capture's Doppler steps) gives, quantile for
// quantile within 0.05 m/s, and far more than returns that all move
// with the body give.
func TestLimbShareFitsTIsCapture(t *testing.T) {
	data, err := os.ReadFile(tiCapture)
	if err != nil {
		t.Fatal(err)
	}
	groups, step := captureGroups(data)
	if len(groups) < 40 || !(step > 0.1 && step < 0.15) {
		t.Fatalf("%d groups of moving returns, Doppler step %g m/s: not the capture testdata/README.md describes", len(groups), step)
	}
	captured := make([]float64, len(groups))
	for i, g := range groups {
		captured[i] = g.sigma
	}
	model := func(share float64) []float64 {
		rnd := rand.New(rand.NewPCG(1, 2))
		var out []float64
		for range 200 {
			for _, g := range groups {
				d := make([]float64, g.n)
				for k := range d {
					u := 1.0
					if rnd.Float64() < share {
						u = 2 * rnd.Float64()
					}
					d[k] = step * math.Round((g.body*u+0.1*rnd.NormFloat64())/step)
				}
				out = append(out, stat.StdDev(d, nil))
			}
		}
		return out
	}
	withLimbs, without := model(limbShare(perception.Pedestrian)), model(0)
	for _, q := range []float64{0.5, 0.75, 0.9} {
		r, m := quantile(captured, q), quantile(withLimbs, q)
		t.Logf("quantile %.2f: capture %.3f m/s, model %.3f, without limbs %.3f", q, r, m, quantile(without, q))
		if math.Abs(r-m) > 0.05 {
			t.Errorf("quantile %.2f of the Doppler spread: capture %.3f m/s, limb model %.3f", q, r, m)
		}
	}
	if r, m := quantile(captured, 0.9), quantile(without, 0.9); r-m < 0.1 {
		t.Errorf("without limbs the model's spread reaches %.3f m/s at the 0.9 quantile, the capture's %.3f: limbs would not be needed", m, r)
	}
}

// captureGroups returns the capture's groups of moving returns and its
// Doppler step (the smallest Doppler magnitude reported).
func captureGroups(data []byte) ([]movingGroup, float64) {
	s := mmwave.NewScanner(mmwave.DefaultOpts())
	var f mmwave.Frame
	var groups []movingGroup
	step := math.Inf(1)
	for len(data) > 0 {
		data = data[s.Feed(data):]
		for s.Next(&f) {
			var pts [][3]float64
			for _, p := range f.Points {
				if d := math.Abs(float64(p.Doppler)); d > 0.05 {
					step = min(step, d)
					pts = append(pts, [3]float64{float64(p.X), float64(p.Y), float64(p.Doppler)})
				}
			}
			groups = appendGroups(groups, pts)
		}
	}
	return groups, step
}

// appendGroups links points less than a metre apart and appends each
// group of three or more.
func appendGroups(groups []movingGroup, pts [][3]float64) []movingGroup {
	label := make([]int, len(pts))
	for i := range label {
		label[i] = -1
	}
	for i := range pts {
		if label[i] >= 0 {
			continue
		}
		label[i] = i
		members := []int{i}
		for k := 0; k < len(members); k++ {
			q := pts[members[k]]
			for j := range pts {
				if label[j] < 0 && math.Hypot(pts[j][0]-q[0], pts[j][1]-q[1]) < 1 {
					label[j] = i
					members = append(members, j)
				}
			}
		}
		if len(members) < 3 {
			continue
		}
		d := make([]float64, len(members))
		for k, m := range members {
			d[k] = pts[m][2]
		}
		groups = append(groups, movingGroup{n: len(d), body: quantile(d, 0.5), sigma: stat.StdDev(d, nil)})
	}
	return groups
}

// quantile is the q-quantile of xs, interpolated between the order
// statistics as numpy does by default (the figures docs/simulation.md
// quotes; gonum's stat.Quantile interpolates the empirical CDF instead).
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(pos)
	if lo+1 >= len(s) {
		return s[lo]
	}
	return s[lo] + (pos-float64(lo))*(s[lo+1]-s[lo])
}
