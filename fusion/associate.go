package fusion

import (
	"math"

	"github.com/avfusion/avfusion/fusion/assoc"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// matching is the associate stage's scratch and result: which detection
// each track took, and what the update, miss and spawn stages need to
// know of the pairs it did not choose.
type matching struct {
	solver   assoc.Sparse
	edges    []assoc.Edge
	grid     spatialGrid
	near     []int32
	rowToCol []int  // the detection each track took, or -1
	detUsed  []bool // a track took the detection
	detGated []bool // the detection fell in some track's gate
	// unclaimed lists the detections no track took, for the camera-miss
	// rule (usually a handful, so it stays cheap in a crowd).
	unclaimed []int32
	// pairCost is the cost of each track's assigned pair; detRival and
	// trackRival the cheapest pair each detection and each track was not
	// assigned (+Inf if none). See rivals.
	pairCost   []float64
	detRival   []float64
	trackRival []float64
	// proj is each track's filter projected through the scan's sensor
	// model, where projected says so: worked out once a scan for every
	// candidate pair and the update (the filters do not move in between).
	proj      []kalman.Projection
	projected []bool
	// bounds holds what gateEdges' first tests need of each detection,
	// side by side: a crowd's tracks test many detections they do not
	// gate with.
	bounds []gateBounds
}

// gateBounds is one detection's range and bearing (the components a
// kalman.RangeGate bounds) with their variances, its gate, whether its
// range variance is rescaled by the track's range (a camera box's:
// cameraRangeScale) and whether it is support only.
type gateBounds struct {
	rng, rngVar, bearing, bearingVar, gate float64
	rescaled, supportOnly                  bool
}

// projection returns filter f of track i projected through the scan's
// model, working it out the first time in the scan.
func (m *matching) projection(sc *scan, i int, f *kalman.Filter) *kalman.Projection {
	if !m.projected[i] {
		f.Project(&m.proj[i], &sc.model)
		m.projected[i] = true
	}
	return &m.proj[i]
}

// associate assigns the scan's detections to the tracks. A pair's cost is
// its negative log-likelihood, up to a constant; pairs outside the gate
// are infeasible. Only pairs that a coarse spatial grid (indexed over
// dets by Process) puts near each other are tested at all. Which detections the tracks took is known
// before any track is updated.
func (t *Tracker) associate(sc *scan, dets []perception.Detection) {
	m := &t.match
	nd := len(dets)
	m.detGated = grow(m.detGated, nd)
	for j := range m.detGated {
		m.detGated[j] = false
	}
	m.rowToCol = grow(m.rowToCol, len(t.tracks))
	m.proj, m.projected = grow(m.proj, len(t.tracks)), grow(m.projected, len(t.tracks))
	clear(m.projected)
	t.gateEdges(sc, dets)
	m.solver.Assign(m.rowToCol, m.edges, len(t.tracks), nd)
	t.rivals(nd)
	t.pda.done = grow(t.pda.done, len(t.tracks))
	clear(t.pda.done)
	if sc.sensor == perception.Radar && t.useJPDA {
		t.jpda(sc, dets)
	}
	m.detUsed = grow(m.detUsed, nd)
	for _, j := range m.rowToCol[:len(t.tracks)] {
		if j >= 0 {
			m.detUsed[j] = true
		}
	}
	m.unclaimed = m.unclaimed[:0]
	if sc.sensor == perception.Camera { // for the camera-miss rule
		for j := range nd {
			if !m.detUsed[j] {
				m.unclaimed = append(m.unclaimed, int32(j))
			}
		}
	}
}

// gateEdges lists the feasible pairs: each detection near a track inside
// its gate and of a compatible class, costed by likelihood and class
// affinity. It marks the detections that fell in some gate.
func (t *Tracker) gateEdges(sc *scan, dets []perception.Detection) {
	m := &t.match
	supportCost := supportOnlyCost(sc.cov, dets)
	m.edges = m.edges[:0]
	m.bounds = grow(m.bounds, len(dets))
	k, b := sc.model.RangeBearing()
	for j := range dets {
		d := &dets[j]
		m.bounds[j] = gateBounds{rng: d.Z[k], rngVar: d.R[k][k], bearing: d.Z[b], bearingVar: d.R[b][b],
			gate: t.gate[d.Dim] * (1 + 1e-9), rescaled: d.Sensor == perception.Camera, supportOnly: d.SupportOnly}
	}
	for i := range t.tracks {
		f := t.at(i)
		posVar := f.P[kalman.PX][kalman.PX] + f.P[kalman.PY][kalman.PY]
		if !(posVar >= 0 && posVar < math.Inf(1)) {
			t.failed(kalman.ErrNotPositive) // no gate to search
			continue
		}
		reach := 3 * math.Sqrt(posVar)
		m.near = m.grid.within(m.near[:0], f.X[kalman.PX], f.X[kalman.PY], reach)
		rg := f.RangeGate(&sc.model)
		confirmed := t.tracks[i].Status == Confirmed
		for _, j := range m.near {
			c := &m.bounds[j]
			if c.supportOnly && !confirmed {
				continue // clutter would keep a doubtful track alive
			}
			d := &dets[j]
			s := 1.0
			if c.rescaled {
				s = cameraRangeScale(d, f, sc.pose)
			}
			if rg.Bound(c.rng, s*s*c.rngVar) > c.gate || rg.BearingBound(c.bearing, c.bearingVar) > c.gate {
				continue // outside the gate by its range or its bearing alone
			}
			z := measurementScaled(d, s)
			if !t.failed(m.projection(sc, i, f).Innovate(&t.innov, &sc.model, &z)) && t.innov.D2 <= t.gate[z.Dim] {
				if dets[j].SupportOnly && t.innov.D2+t.innov.LogDetS() > supportCost {
					continue
				}
				m.detGated[j] = true
				aff := classAffinity(&t.tracks[i].steering, &dets[j].Class)
				if aff < t.params.ClassGate {
					continue
				}
				m.edges = append(m.edges, assoc.Edge{Row: i, Col: int(j), Cost: t.innov.D2 + t.innov.LogDetS() - 2*t.params.ClassWeight*math.Log(aff)})
			}
		}
	}
}

// supportOnlyCost is the highest d² + ln|S| at which a support-only
// return may update a track: it must be clearly likelier the track's than
// clutter, pd·N(ν; S) e³ times the density of such returns (−Inf when the
// scan has none).
func supportOnlyCost(cov Coverage, dets []perception.Detection) float64 {
	if n := countSupportOnly(dets); n > 0 {
		return 2*math.Log(returnLikelihoodNorm(cov)/staticClutterDensity(cov, dets, n)) - rivalMargin
	}
	return math.Inf(-1)
}

// classAffinity is how much more likely a detection's class belief makes
// it to come from the track than from an object of any class: K·Σ p_t·p_d,
// 1 when either belief is uniform.
func classAffinity(track, det *perception.ClassProbs) float64 {
	s := 0.0
	for c := range track {
		s += track[c] * det[c]
	}
	return s * float64(perception.NumClasses)
}

// rivalMargin is how much costlier (in −2 log-likelihood) than the chosen
// pair the best alternative of a camera box or a track must be for the
// pair to count as unambiguous: e³, twenty times less likely.
const rivalMargin = 6.0

// rivals fills pairCost, detRival and trackRival after an assignment.
func (t *Tracker) rivals(nd int) {
	t.match.pairCost = grow(t.match.pairCost, len(t.tracks))
	t.match.detRival = grow(t.match.detRival, nd)
	t.match.trackRival = grow(t.match.trackRival, len(t.tracks))
	for i := range t.match.trackRival {
		t.match.pairCost[i], t.match.trackRival[i] = math.Inf(1), math.Inf(1)
	}
	for j := range t.match.detRival {
		t.match.detRival[j] = math.Inf(1)
	}
	for _, e := range t.match.edges {
		if t.match.rowToCol[e.Row] == e.Col {
			t.match.pairCost[e.Row] = e.Cost
			continue
		}
		t.match.trackRival[e.Row] = min(t.match.trackRival[e.Row], e.Cost)
		t.match.detRival[e.Col] = min(t.match.detRival[e.Col], e.Cost)
	}
}

// staticClutterDensity is the density in radar measurement space of n of
// a scan's returns taken as clutter from the static world: spread over
// range and azimuth, but in range rate only over the measurement noise
// around the static world's rate, a band √(2π)·σ wide.
func staticClutterDensity(cov Coverage, dets []perception.Detection, n int) float64 {
	volume := cov.MaxRangeM * cov.FOVDeg * math.Pi / 180 * math.Sqrt(2*math.Pi*dets[0].R[2][2])
	return float64(n) / volume
}

// returnLikelihoodNorm is pd·(2π)^(−3/2): a radar return's likelihood
// under a track, detection probability included, is this times
// exp(−(d² + ln|S|)/2).
func returnLikelihoodNorm(cov Coverage) float64 {
	return math.Pow(2*math.Pi, -1.5) * cov.PDetect
}

// countSupportOnly returns how many detections are support only.
func countSupportOnly(dets []perception.Detection) int {
	n := 0
	for j := range dets {
		if dets[j].SupportOnly {
			n++
		}
	}
	return n
}
