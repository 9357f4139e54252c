package fusion

import (
	"math"
	"slices"

	"github.com/avfusion/avfusion/fusion/assoc"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// pdaScratch is the JPDA pass's: which tracks it updated (done), the
// innovations and weights of one track, and the pair likelihoods summed
// per track and per return.
type pdaScratch struct {
	done           []bool
	ys             [][kalman.MaxDim]float64
	betas          []float64
	rowSum, colSum []float64
}

// jpda updates every constant-velocity track of a radar scan by joint
// probabilistic data association instead of its single assigned return:
// each gated return weighs by its association probability, shared out
// among the tracks that gate it (Fitzgerald's cheap JPDA, the scan's
// returns spread over the static world's band of measurement space as
// the clutter density).
// Track management still follows the optimal assignment. IMM tracks and
// late scans keep the assigned return.
func (t *Tracker) jpda(sc *scan, dets []perception.Detection) {
	if len(t.match.edges) == 0 {
		return
	}
	clutter := staticClutterDensity(sc.cov, dets, len(dets))
	norm := returnLikelihoodNorm(sc.cov)
	// Likelihood of each pair (the cost is −2 ln of it, up to norm), and
	// the sums per track and per return.
	slices.SortFunc(t.match.edges, func(a, b assoc.Edge) int { return a.Row - b.Row })
	t.pda.rowSum = grow(t.pda.rowSum, len(t.tracks))
	t.pda.colSum = grow(t.pda.colSum, len(dets))
	rowSum, colSum := t.pda.rowSum, t.pda.colSum
	clear(rowSum)
	clear(colSum)
	for k := range t.match.edges {
		e := &t.match.edges[k]
		e.Cost = norm * math.Exp(-e.Cost/2)
		rowSum[e.Row] += e.Cost
		colSum[e.Col] += e.Cost
	}
	for a := 0; a < len(t.match.edges); {
		i := t.match.edges[a].Row
		b := a
		for b < len(t.match.edges) && t.match.edges[b].Row == i {
			b++
		}
		tr := &t.tracks[i]
		if tr.turning || t.pred.lag[i] > 0 {
			a = b
			continue
		}
		t.pda.ys, t.pda.betas = t.pda.ys[:0], t.pda.betas[:0]
		proj := t.match.projection(sc, i, &tr.Filter)
		for _, e := range t.match.edges[a:b] {
			m := measurement(&dets[e.Col])
			if t.failed(proj.Innovate(&t.innov, &sc.model, &m)) {
				continue
			}
			t.pda.ys = append(t.pda.ys, t.innov.Y)
			t.pda.betas = append(t.pda.betas, e.Cost/(rowSum[i]+colSum[e.Col]-e.Cost+clutter))
		}
		if len(t.pda.ys) > 0 {
			tr.Filter.UpdatePDA(&t.innov, t.pda.ys, t.pda.betas)
			t.pda.done[i] = true
		}
		a = b
	}
}
