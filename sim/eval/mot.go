// Package eval scores a tracker against ground truth with the CLEAR-MOT
// metrics (MOTA, MOTP, switches, fragmentations, mostly tracked/lost) and the
// identity metrics (IDF1, IDP, IDR), following the definitions of
// py-motmetrics so that numbers are comparable with published results.
package eval

import (
	"maps"
	"math"
	"slices"

	"github.com/avfusion/avfusion/fusion/assoc"
)

// Object is one ground-truth object or tracker hypothesis in one frame.
type Object struct {
	ID int
	// X, Y is the ground-plane position (m) for distance matching.
	X, Y float64
	// Box is left, top, width, height (px) for IoU matching.
	Box [4]float64
	// Kind, when set, is what the object is ("pedestrian, moving, 30-60
	// m" or any label): Metrics counts misses of ground truth and false
	// positives by it.
	Kind string
}

// Distance tells how far a hypothesis is from a ground-truth object and
// whether the pair may be matched at all.
type Distance func(gt, hyp *Object) (d float64, ok bool)

// GroundDistance matches objects closer than maxM metres on the ground
// plane; the distance is in metres.
func GroundDistance(maxM float64) Distance {
	return func(g, h *Object) (float64, bool) {
		d := math.Hypot(g.X-h.X, g.Y-h.Y)
		return d, d <= maxM
	}
}

// IoUDistance matches boxes whose intersection over union is at least
// minIoU; the distance is 1-IoU.
func IoUDistance(minIoU float64) Distance {
	return func(g, h *Object) (float64, bool) {
		d := 1 - IoU(g.Box, h.Box)
		return d, d <= 1-minIoU
	}
}

// IoU returns the intersection over union of two (left, top, width,
// height) boxes.
func IoU(a, b [4]float64) float64 {
	iw := math.Min(a[0]+a[2], b[0]+b[2]) - math.Max(a[0], b[0])
	ih := math.Min(a[1]+a[3], b[1]+b[3]) - math.Max(a[1], b[1])
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	return inter / (a[2]*a[3] + b[2]*b[3] - inter)
}

// Accumulator collects per-frame matches. Frames must be given in order.
type Accumulator struct {
	dist Distance

	frames      int
	gtTotal     int
	matches     int
	misses      int
	falsePos    int
	switches    int
	distSum     float64
	current     map[int]int // gt id → hyp id of its latest match
	matchedPrev map[int]bool
	gtFrames    map[int]int        // frames each gt id is present
	gtMatched   map[int]int        // frames each gt id is matched
	hypFrames   map[int]int        // frames each hyp id is present
	pairValid   map[[2]int]int     // frames each (gt, hyp) pair was within the threshold
	frag        map[int]*fragState // per gt id, for counting fragmentations as frames come
	missesBy    map[string]int     // by Object.Kind, when set
	falsePosBy  map[string]int
	solver      assoc.Solver
	cost        []float64
	rowToCol    []int
}

// NewAccumulator returns an empty accumulator matching with dist.
func NewAccumulator(dist Distance) *Accumulator {
	return &Accumulator{
		dist:        dist,
		current:     map[int]int{},
		matchedPrev: map[int]bool{},
		gtFrames:    map[int]int{},
		gtMatched:   map[int]int{},
		hypFrames:   map[int]int{},
		pairValid:   map[[2]int]int{},
		frag:        map[int]*fragState{},
		missesBy:    map[string]int{},
		falsePosBy:  map[string]int{},
	}
}

// Update adds one frame.
func (a *Accumulator) Update(gt, hyp []Object) {
	a.frames++
	no, nh := len(gt), len(hyp)
	a.gtTotal += no
	a.cost = slices.Grow(a.cost[:0], no*nh)[:no*nh]
	for i := range gt {
		a.gtFrames[gt[i].ID]++
		for j := range hyp {
			d, ok := a.dist(&gt[i], &hyp[j])
			if !ok {
				d = assoc.Infeasible
			} else {
				a.pairValid[[2]int{gt[i].ID, hyp[j].ID}]++
			}
			a.cost[i*nh+j] = d
		}
	}
	for j := range hyp {
		a.hypFrames[hyp[j].ID]++
	}
	gtHyp := make([]int, no)
	hypUsed := make([]bool, nh)
	for i := range gtHyp {
		gtHyp[i] = -1
	}
	// Keep last frame's matches that are still valid.
	for i := range gt {
		h, ok := a.current[gt[i].ID]
		if !ok || !a.matchedPrev[gt[i].ID] {
			continue
		}
		for j := range hyp {
			if hyp[j].ID == h && !hypUsed[j] && !math.IsInf(a.cost[i*nh+j], 1) {
				gtHyp[i], hypUsed[j] = j, true
				break
			}
		}
	}
	// Solve the rest optimally.
	var rows, cols []int
	for i := range gt {
		if gtHyp[i] < 0 {
			rows = append(rows, i)
		}
	}
	for j := range hyp {
		if !hypUsed[j] {
			cols = append(cols, j)
		}
	}
	sub := make([]float64, len(rows)*len(cols))
	for r, i := range rows {
		for c, j := range cols {
			sub[r*len(cols)+c] = a.cost[i*nh+j]
		}
	}
	a.rowToCol = slices.Grow(a.rowToCol[:0], len(rows))[:len(rows)]
	a.solver.Assign(a.rowToCol, sub, len(rows), len(cols))
	for r, c := range a.rowToCol {
		if c < 0 {
			continue
		}
		i, j := rows[r], cols[c]
		gtHyp[i], hypUsed[j] = j, true
		if prev, ok := a.current[gt[i].ID]; ok && prev != hyp[j].ID {
			a.switches++
		}
	}
	a.book(gt, hyp, gtHyp, hypUsed)
}

// book counts one frame's matches (gtHyp: each ground-truth object's
// hypothesis, -1 for none), misses and false positives.
func (a *Accumulator) book(gt, hyp []Object, gtHyp []int, hypUsed []bool) {
	nh := len(hyp)
	matchedNow := map[int]bool{}
	for i := range gt {
		id := gt[i].ID
		j := gtHyp[i]
		if j < 0 {
			a.misses++
			if gt[i].Kind != "" {
				a.missesBy[gt[i].Kind]++
			}
			a.fragState(id).observe(false)
			continue
		}
		a.matches++
		a.distSum += a.cost[i*nh+j]
		a.current[id] = hyp[j].ID
		a.gtMatched[id]++
		matchedNow[id] = true
		a.fragState(id).observe(true)
	}
	for j := range hyp {
		if !hypUsed[j] {
			a.falsePos++
			if hyp[j].Kind != "" {
				a.falsePosBy[hyp[j].Kind]++
			}
		}
	}
	a.matchedPrev = matchedNow
}

// Metrics are the CLEAR-MOT and identity metrics of an accumulator.
type Metrics struct {
	IDF1              float64 `json:"idf1"`
	IDP               float64 `json:"idp"`
	IDR               float64 `json:"idr"`
	Recall            float64 `json:"recall"`
	Precision         float64 `json:"precision"`
	MOTA              float64 `json:"mota"`
	MOTP              float64 `json:"motp"`
	Switches          int     `json:"num_switches"`
	FalsePositives    int     `json:"num_false_positives"`
	Misses            int     `json:"num_misses"`
	Fragmentations    int     `json:"num_fragmentations"`
	MostlyTracked     int     `json:"mostly_tracked"`
	PartiallyTracked  int     `json:"partially_tracked"`
	MostlyLost        int     `json:"mostly_lost"`
	UniqueObjects     int     `json:"num_unique_objects"`
	GroundTruthFrames int     `json:"-"`
	// MissesByKind and FalsePositivesByKind break Misses and
	// FalsePositives down by Object.Kind (absent when no object had one).
	MissesByKind         map[string]int `json:"misses_by_kind,omitempty"`
	FalsePositivesByKind map[string]int `json:"false_positives_by_kind,omitempty"`
}

// Metrics computes the metrics of everything accumulated so far.
func (a *Accumulator) Metrics() Metrics {
	m := Metrics{
		Switches:          a.switches,
		FalsePositives:    a.falsePos,
		Misses:            a.misses,
		UniqueObjects:     len(a.gtFrames),
		GroundTruthFrames: a.gtTotal,
	}
	if len(a.missesBy) > 0 {
		m.MissesByKind = maps.Clone(a.missesBy)
	}
	if len(a.falsePosBy) > 0 {
		m.FalsePositivesByKind = maps.Clone(a.falsePosBy)
	}
	m.Recall = ratio(a.matches, a.gtTotal)
	m.Precision = ratio(a.matches, a.matches+a.falsePos)
	if a.gtTotal > 0 {
		m.MOTA = 1 - float64(a.misses+a.falsePos+a.switches)/float64(a.gtTotal)
	}
	if a.matches > 0 {
		m.MOTP = a.distSum / float64(a.matches)
	} else {
		m.MOTP = math.NaN()
	}
	for id, n := range a.gtFrames {
		r := float64(a.gtMatched[id]) / float64(n)
		switch {
		case r >= 0.8:
			m.MostlyTracked++
		case r >= 0.2:
			m.PartiallyTracked++
		default:
			m.MostlyLost++
		}
		m.Fragmentations += a.fragState(id).count
	}
	idtp, idfp, idfn := a.identity()
	m.IDP = ratio(idtp, idtp+idfp)
	m.IDR = ratio(idtp, idtp+idfn)
	m.IDF1 = ratio(2*idtp, 2*idtp+idfp+idfn)
	return m
}

// fragState counts one object's fragmentations online: a match after a
// run of misses that itself followed a match is one fragmentation (the
// 0→1 transitions of the miss indicator between the first and the last
// match, as py-motmetrics counts them), in constant memory.
type fragState struct {
	matched bool // the latest frame was a match
	gap     bool // misses since a match
	count   int
}

func (f *fragState) observe(matched bool) {
	switch {
	case matched && f.gap:
		f.count++
		f.gap = false
	case !matched && f.matched:
		f.gap = true
	}
	f.matched = matched
}

func (a *Accumulator) fragState(id int) *fragState {
	f := a.frag[id]
	if f == nil {
		f = &fragState{}
		a.frag[id] = f
	}
	return f
}

// identity solves the global one-to-one assignment of ground-truth to
// hypothesis identities that minimises identity false positives plus false
// negatives (Ristani et al. 2016), with a dummy partner for each id.
func (a *Accumulator) identity() (tp, fp, fn int) {
	gts := sortedKeys(a.gtFrames)
	hyps := sortedKeys(a.hypFrames)
	no, nh := len(gts), len(hyps)
	n := no + nh
	if n == 0 {
		return 0, 0, 0
	}
	fpm := make([]float64, n*n)
	fnm := make([]float64, n*n)
	cost := make([]float64, n*n)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			k := r*n + c
			switch {
			case r < no && c < nh: // real pair
				valid := float64(a.pairValid[[2]int{gts[r], hyps[c]}])
				fnm[k] = float64(a.gtFrames[gts[r]]) - valid
				fpm[k] = float64(a.hypFrames[hyps[c]]) - valid
			case r < no: // gt with its dummy hypothesis only
				if c-nh != r {
					cost[k] = assoc.Infeasible
					continue
				}
				fnm[k] = float64(a.gtFrames[gts[r]])
			case c < nh: // hypothesis with its dummy gt only
				if r-no != c {
					cost[k] = assoc.Infeasible
					continue
				}
				fpm[k] = float64(a.hypFrames[hyps[c]])
			}
			cost[k] = fpm[k] + fnm[k]
		}
	}
	rowToCol := make([]int, n)
	a.solver.Assign(rowToCol, cost, n, n)
	fpSum, fnSum := 0.0, 0.0
	for r, c := range rowToCol {
		fpSum += fpm[r*n+c]
		fnSum += fnm[r*n+c]
	}
	fp, fn = int(fpSum), int(fnSum)
	return a.gtTotal - fn, fp, fn
}

func sortedKeys(m map[int]int) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
