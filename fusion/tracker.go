package fusion

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion/assoc"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
	"gonum.org/v1/gonum/stat/distuv"
)

// Tracker owns the tracks. It processes one scan (all detections of one
// sensor at one capture instant) at a time, in stamp order: predict →
// associate → update → manage → spawn. It is not safe for concurrent use;
// the Engine is its single owner.
type Tracker struct {
	params Params
	rig    calib.Rig
	gate   [kalman.MaxDim + 1]float64 // squared Mahalanobis gate per measurement dimension
	tracks []Track
	nextID uint32
	ego    egoHistory

	solver   assoc.Sparse
	edges    []assoc.Edge
	grid     detectionGrid
	near     []int32
	byX      []int32 // track indices sorted by x, for the duplicate sweep
	dead     []bool
	rowToCol []int
	detUsed  []bool
	detGated []bool // detection fell in some track's gate
	// unclaimed lists the detections no track took, for the camera-miss
	// rule (usually a handful, so it stays cheap in a crowd).
	unclaimed []int32
	// pdaDone marks the tracks whose state the JPDA pass has updated;
	// the rest is its scratch: innovations and weights of one track, and
	// the pair likelihoods summed per track and per return.
	pdaDone              []bool
	pdaYs                [][kalman.MaxDim]float64
	pdaBetas             []float64
	pdaRowSum, pdaColSum []float64
	// pairCost is the cost of each track's assigned pair; detRival and
	// trackRival the cheapest pair each detection and each track was not
	// assigned (+Inf if none). See rivals.
	pairCost   []float64
	detRival   []float64
	trackRival []float64
	innov      kalman.Innovation
	geom       []viewGeometry
	// deleted collects the ids of confirmed tracks deleted since the last
	// drain, for consumers that must retract what they published.
	deleted []uint32
	// heard holds the recent sounds no track explains (see hear).
	heard []AcousticHypothesis
	// past holds, for a scan older than a track, the track's state at
	// the scan's stamp, and lag how much older (s; 0 for a newer scan).
	past []kalman.Filter
	lag  []float64
	// immClass says which classes' tracks use the IMM; imm tunes it.
	immClass [perception.NumClasses]bool
	imm      kalman.IMMParams
	// lastScan is the stamp of each sensor's latest scan.
	lastScan [perception.NumSensors]sensors.Time
	// lost holds recently deleted confirmed tracks, oldest first, whose
	// ids a returning object may take back (see reidentify).
	lost []lostTrack
}

// lostTrack is a deleted confirmed track remembered for re-identification.
type lostTrack struct {
	id     uint32
	filter kalman.Filter
	stamp  sensors.Time // the filter's time
	class  perception.Class
	lost   sensors.Time
}

// maxLost bounds the remembered lost tracks.
const maxLost = 64

// reidentify gives a newly confirmed track the id of a recently lost one
// when the lost track, predicted to now, is within the gate of it (2-D
// position, both covariances) and of a compatible class; the nearest
// wins.
func (t *Tracker) reidentify(tr *Track, now sensors.Time) {
	window := t.params.ReidentifyWindow
	best, bestD2 := -1, t.gate[2]
	cls, _ := tr.steering.Argmax()
	for i := range t.lost {
		l := &t.lost[i]
		if now.Sub(l.lost) > window || now < l.stamp {
			continue
		}
		if l.class != cls && l.class != perception.Unknown && cls != perception.Unknown {
			continue
		}
		f := l.filter
		_ = f.Predict(now.Sub(l.stamp).Seconds(), t.params.AccelStdMps2)
		dx, dy := tr.Filter.X[kalman.PX]-f.X[kalman.PX], tr.Filter.X[kalman.PY]-f.X[kalman.PY]
		a := tr.Filter.P[kalman.PX][kalman.PX] + f.P[kalman.PX][kalman.PX]
		b := tr.Filter.P[kalman.PX][kalman.PY] + f.P[kalman.PX][kalman.PY]
		c := tr.Filter.P[kalman.PY][kalman.PY] + f.P[kalman.PY][kalman.PY]
		det := a*c - b*b
		if det <= 0 {
			continue
		}
		if d2 := (c*dx*dx - 2*b*dx*dy + a*dy*dy) / det; d2 <= bestD2 {
			best, bestD2 = i, d2
		}
	}
	if best < 0 {
		return
	}
	tr.ID = t.lost[best].id
	t.lost = append(t.lost[:best], t.lost[best+1:]...)
}

// NewTracker returns a tracker with validated params.
func NewTracker(p Params, rig calib.Rig) (*Tracker, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	t := &Tracker{
		params: p,
		rig:    rig,
		tracks: make([]Track, 0, p.MaxTracks),
		nextID: 1,
	}
	t.imm = p.kalmanIMM()
	for c := range t.immClass {
		t.immClass[c] = p.Motion.For(perception.Class(c)) == "imm"
	}
	for d := 1; d <= kalman.MaxDim; d++ {
		t.gate[d] = distuv.ChiSquared{K: float64(d)}.Quantile(p.GateProbability)
	}
	return t, nil
}

// PushEgo records an ego-motion sample.
func (t *Tracker) PushEgo(e Ego) { t.ego.push(e) }

// EgoAt returns the ego state at t.
func (t *Tracker) EgoAt(s sensors.Time) Ego { return t.ego.at(s) }

// Reset deletes every track (reporting the confirmed ones as deleted) and
// forgets the ego history.
func (t *Tracker) Reset() {
	for i := range t.tracks {
		if t.tracks[i].Status == Confirmed {
			t.deleted = append(t.deleted, t.tracks[i].ID)
		}
	}
	t.tracks = t.tracks[:0]
	t.ego = egoHistory{}
}

func (t *Tracker) model(s perception.Sensor, pose kalman.SensorPose) kalman.Model {
	if s == perception.Camera {
		return kalman.Model{Kind: kalman.Camera, Pose: pose}
	}
	return kalman.Model{Kind: kalman.Radar, Pose: pose}
}

func (t *Tracker) mount(s perception.Sensor) calib.Mount {
	switch s {
	case perception.Camera:
		return t.rig.Camera
	case perception.Mic:
		return t.rig.Mic
	}
	return t.rig.Radar
}

// Process fuses one scan of sensor s captured at stamp. dets may be empty:
// a scan that saw nothing still counts as a miss for every track it covers.
func (t *Tracker) Process(s perception.Sensor, stamp sensors.Time, dets []perception.Detection) {
	if s == perception.Mic {
		t.hear(stamp, dets)
		return
	}
	pose := t.ego.at(stamp).SensorPose(t.mount(s))
	model := t.model(s, pose)
	cov := t.params.Coverage(s)
	t.lastScan[s] = max(t.lastScan[s], stamp)

	// Every track's state at the scan's stamp: predicted in place when the
	// scan is newer than the track, retrodicted into t.past when it is
	// older (a scan that arrived after newer ones were fused).
	t.past = grow(t.past, len(t.tracks))
	t.lag = grow(t.lag, len(t.tracks))
	for i := range t.tracks {
		tr := &t.tracks[i]
		t.lag[i] = 0
		if stamp >= tr.Stamp {
			t.predict(tr, stamp.Sub(tr.Stamp).Seconds())
			tr.Stamp = stamp
			continue
		}
		t.lag[i] = tr.Stamp.Sub(stamp).Seconds()
		if err := tr.Filter.Retrodict(&t.past[i], t.lag[i], t.params.AccelStdMps2); err != nil {
			t.past[i] = tr.Filter // cannot happen for a positive lag
		}
	}

	t.look(s, pose, t.mount(s), cov)

	// Associate: cost is the negative log-likelihood of the pair, up to a
	// constant; pairs outside the gate are infeasible. Only pairs that a
	// coarse spatial grid puts near each other are tested at all.
	nd := len(dets)
	t.detGated = grow(t.detGated, nd)
	for j := range t.detGated {
		t.detGated[j] = false
	}
	t.rowToCol = grow(t.rowToCol, len(t.tracks))
	t.grid.index(s, pose, dets)
	// A support-only return must be clearly likelier the track's than
	// clutter: pd·N(ν; S) e³ times the density of such returns, that is
	// d² + ln|S| below supportCost.
	supportCost := math.Inf(-1)
	if n := countSupportOnly(dets); n > 0 {
		supportCost = 2*math.Log(returnLikelihoodNorm(cov)/staticClutterDensity(cov, dets, n)) - rivalMargin
	}
	t.edges = t.edges[:0]
	for i := range t.tracks {
		f := t.at(i)
		reach := 3*math.Sqrt(f.P[kalman.PX][kalman.PX]+f.P[kalman.PY][kalman.PY]) + t.grid.slack
		t.near = t.grid.within(t.near[:0], f.X[kalman.PX], f.X[kalman.PY], reach)
		for _, j := range t.near {
			if dets[j].SupportOnly && t.tracks[i].Status != Confirmed {
				continue // clutter would keep a doubtful track alive
			}
			m := measurement(&dets[j])
			if f.Innovate(&t.innov, &model, &m) && t.innov.D2 <= t.gate[m.Dim] {
				if dets[j].SupportOnly && t.innov.D2+t.innov.LogDetS > supportCost {
					continue
				}
				t.detGated[j] = true
				aff := classAffinity(&t.tracks[i].steering, &dets[j].Class)
				if aff < t.params.ClassGate {
					continue
				}
				t.edges = append(t.edges, assoc.Edge{Row: i, Col: int(j), Cost: t.innov.D2 + t.innov.LogDetS - 2*t.params.ClassWeight*math.Log(aff)})
			}
		}
	}
	t.solver.Assign(t.rowToCol, t.edges, len(t.tracks), nd)
	t.rivals(nd)
	t.pdaDone = grow(t.pdaDone, len(t.tracks))
	clear(t.pdaDone)
	if s == perception.Radar && t.params.Association == "jpda" {
		t.jpda(&model, cov, dets)
	}

	// Update and manage. Which detections the tracks took is known before
	// any track is updated.
	t.detUsed = grow(t.detUsed, nd)
	for _, j := range t.rowToCol[:len(t.tracks)] {
		if j >= 0 {
			t.detUsed[j] = true
		}
	}
	t.unclaimed = t.unclaimed[:0]
	if s == perception.Camera { // for the camera-miss rule below
		for j := range nd {
			if !t.detUsed[j] {
				t.unclaimed = append(t.unclaimed, int32(j))
			}
		}
	}
	for i := range t.tracks {
		tr := &t.tracks[i]
		j := t.rowToCol[i]
		if j >= 0 {
			m := measurement(&dets[j])
			// A camera box that could about as well belong to another
			// track (or a track that another box could about as well
			// belong to), or that lies further off the track than
			// rivalMargin in d², is doubtful for a track the radar places:
			// the camera's bearing is precise enough to drag the track onto
			// the wrong object (or onto one no track has yet), and its
			// range too vague to tell which object is which. It counts as
			// a hit and as class evidence for the head, but neither moves
			// the track nor steers its own class (a neighbour's class would
			// change which boxes the track takes and what may hide it).
			ambiguous := t.detRival[j] < t.pairCost[i]+rivalMargin || t.trackRival[i] < t.pairCost[i]+rivalMargin
			placedByRadar := s == perception.Camera && tr.Hits[perception.Radar] > 0
			steer := !placedByRadar || !ambiguous
			if !t.pdaDone[i] && steer && t.at(i).Innovate(&t.innov, &model, &m) {
				steer = !placedByRadar || t.innov.D2 <= rivalMargin
				if steer {
					if s == perception.Radar {
						tr.RateNIS += t.innov.Y[2] * t.innov.Y[2] / t.innov.S[2][2]
					}
					t.update(tr, i, &model, &m)
				}
			}
			tr.fuseClass(s, &dets[j].Class, steer)
			t.chooseMotion(tr)
			tr.LastHit[s] = max(tr.LastHit[s], stamp)
			tr.Hits[s]++
			tr.ScoreSum[s] += dets[j].Score
			tr.record(s, true, t.params.ConfirmWindow)
			pd, pf := cov.PDetect, cov.PFalse
			tr.setExistence(s, tr.Existence*pd/(tr.Existence*pd+(1-tr.Existence)*pf))
			continue
		}
		g := &t.geom[i]
		if !g.inside || t.staticBlind(cov, pose, t.at(i)) {
			continue // not this sensor's fault that it did not see the track
		}
		// Behind a nearer object the sensor is expected to miss more.
		pd := cov.PDetect * (1 - cov.OcclusionBlockage*t.hiddenFraction(i))
		if pd < cov.PDetect/2 {
			continue
		}
		// A box on the track's line of sight is most likely the track's
		// object, misranged (a camera ranges by the size of the class it
		// guesses) or taken by a neighbour: the camera saw it. For a
		// confirmed track the box must be one no track took; a tentative
		// radar track has not yet won its boxes from its neighbours.
		if s == perception.Camera && t.boxOnSight(pose, dets, i, tr.Status == Confirmed || tr.bornBy != perception.Radar) {
			continue
		}
		tr.record(s, false, t.params.ConfirmWindow)
		tr.Misses[s]++
		tr.setExistence(s, tr.Existence*(1-pd)/(tr.Existence*(1-pd)+1-tr.Existence))
	}
	t.spawn(s, stamp, pose, dets)
	t.manage(stamp)
	if t.params.Radar.Fragments {
		t.dropDuplicates()
	}
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
	t.pairCost = grow(t.pairCost, len(t.tracks))
	t.detRival = grow(t.detRival, nd)
	t.trackRival = grow(t.trackRival, len(t.tracks))
	for i := range t.trackRival {
		t.pairCost[i], t.trackRival[i] = math.Inf(1), math.Inf(1)
	}
	for j := range t.detRival {
		t.detRival[j] = math.Inf(1)
	}
	for _, e := range t.edges {
		if t.rowToCol[e.Row] == e.Col {
			t.pairCost[e.Row] = e.Cost
			continue
		}
		t.trackRival[e.Row] = min(t.trackRival[e.Row], e.Cost)
		t.detRival[e.Col] = min(t.detRival[e.Col], e.Cost)
	}
}

// jpda updates every constant-velocity track of a radar scan by joint
// probabilistic data association instead of its single assigned return:
// each gated return weighs by its association probability, shared out
// among the tracks that gate it (Fitzgerald's cheap JPDA, the scan's
// returns spread over the static world's band of measurement space as
// the clutter density).
// Track management still follows the optimal assignment. IMM tracks and
// late scans keep the assigned return.
func (t *Tracker) jpda(model *kalman.Model, cov Coverage, dets []perception.Detection) {
	if len(t.edges) == 0 {
		return
	}
	clutter := staticClutterDensity(cov, dets, len(dets))
	norm := returnLikelihoodNorm(cov)
	// Likelihood of each pair (the cost is −2 ln of it, up to norm), and
	// the sums per track and per return.
	slices.SortFunc(t.edges, func(a, b assoc.Edge) int { return a.Row - b.Row })
	t.pdaRowSum = grow(t.pdaRowSum, len(t.tracks))
	t.pdaColSum = grow(t.pdaColSum, len(dets))
	rowSum, colSum := t.pdaRowSum, t.pdaColSum
	clear(rowSum)
	clear(colSum)
	for k := range t.edges {
		e := &t.edges[k]
		e.Cost = norm * math.Exp(-e.Cost/2)
		rowSum[e.Row] += e.Cost
		colSum[e.Col] += e.Cost
	}
	for a := 0; a < len(t.edges); {
		i := t.edges[a].Row
		b := a
		for b < len(t.edges) && t.edges[b].Row == i {
			b++
		}
		tr := &t.tracks[i]
		if tr.turning || t.lag[i] > 0 {
			a = b
			continue
		}
		t.pdaYs, t.pdaBetas = t.pdaYs[:0], t.pdaBetas[:0]
		for _, e := range t.edges[a:b] {
			m := measurement(&dets[e.Col])
			if !tr.Filter.Innovate(&t.innov, model, &m) {
				continue
			}
			t.pdaYs = append(t.pdaYs, t.innov.Y)
			t.pdaBetas = append(t.pdaBetas, e.Cost/(rowSum[i]+colSum[e.Col]-e.Cost+clutter))
		}
		if len(t.pdaYs) > 0 {
			tr.Filter.UpdatePDA(&t.innov, t.pdaYs, t.pdaBetas)
			t.pdaDone[i] = true
		}
		a = b
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

// predict moves a track's state dt seconds ahead with its motion model.
func (t *Tracker) predict(tr *Track, dt float64) {
	tr.turning = t.predictState(&tr.Filter, &tr.imm, tr.turning, dt)
}

// predictState moves a track's filter dt seconds ahead: through its IMM
// imm (then combined into f) when turning, else by the EKF. It reports
// whether the IMM still drives the track; on a numeric failure of the IMM
// the EKF carries on.
func (t *Tracker) predictState(f *kalman.Filter, imm *kalman.IMM, turning bool, dt float64) bool {
	if turning && imm.Predict(&t.imm, dt) == nil {
		imm.Combined(f)
		return true
	}
	_ = f.Predict(dt, t.params.AccelStdMps2)
	return false
}

// update fuses measurement m, innovated in t.innov against track i's
// state at the scan's stamp, into the track: through its IMM or its EKF
// (for a late scan, their out-of-sequence updates).
func (t *Tracker) update(tr *Track, i int, model *kalman.Model, m *kalman.Measurement) {
	switch {
	case tr.turning:
		if tr.imm.UpdateLate(&t.imm, model, m, t.lag[i]) {
			tr.imm.Combined(&tr.Filter)
		}
	case t.lag[i] > 0:
		tr.Filter.UpdateLate(&t.innov, t.lag[i])
	default:
		tr.Filter.Update(&t.innov)
	}
}

// chooseMotion switches a track to the motion model of its most likely
// class. The IMM's turn state (speed and heading) only suits objects that
// move, in a known direction: it takes over above immOnMps once the
// velocity is known within settledMps and hands back below immOffMps.
func (t *Tracker) chooseMotion(tr *Track) {
	const immOnMps, immOffMps, settledMps = 2.0, 1.0, 1.0
	c, _ := tr.steering.Argmax()
	f := &tr.Filter
	speed := math.Hypot(f.X[kalman.VX], f.X[kalman.VY])
	// The heading must be known too: a far object's velocity across the
	// line of sight is mostly azimuth noise at first.
	settled := f.P[kalman.VX][kalman.VX]+f.P[kalman.VY][kalman.VY] < settledMps*settledMps
	want := t.immClass[c] && ((speed > immOnMps && settled) || (tr.turning && speed > immOffMps))
	switch {
	case want && !tr.turning:
		tr.imm = kalman.NewIMM(&tr.Filter, &t.imm)
		tr.turning = true
	case !want && tr.turning:
		tr.turning = false
	}
}

// at is track i's state at the stamp of the scan being processed.
func (t *Tracker) at(i int) *kalman.Filter {
	if i < len(t.lag) && t.lag[i] > 0 {
		return &t.past[i]
	}
	return &t.tracks[i].Filter
}

// staticBlind reports whether a sensor that removes static returns could
// not have seen the track: its ground speed along the line of sight is
// below the sensor's static-blind threshold.
func (t *Tracker) staticBlind(cov Coverage, pose kalman.SensorPose, f *kalman.Filter) bool {
	if cov.StaticBlindMps <= 0 {
		return false
	}
	dx, dy := f.X[kalman.PX]-pose.X, f.X[kalman.PY]-pose.Y
	r := math.Hypot(dx, dy)
	if r < 1e-3 {
		return false
	}
	radial := (dx*f.X[kalman.VX] + dy*f.X[kalman.VY]) / r
	return math.Abs(radial) < cov.StaticBlindMps
}

// viewGeometry is how a track appears from the sensor of the current scan.
type viewGeometry struct {
	rng, az float64 // m, rad
	azStd   float64 // standard deviation of az, rad
	halfAng float64 // half the angle its width subtends, rad
	// topLo and topHi bound the elevation of its top above the sensor's
	// horizon (rad) over the classes it plausibly has.
	topLo, topHi float64
	inside       bool // within the sensor's coverage
}

// look computes every track's geometry as seen by the scan's sensor s.
func (t *Tracker) look(s perception.Sensor, pose kalman.SensorPose, mount calib.Mount, cov Coverage) {
	t.geom = grow(t.geom, len(t.tracks))
	// A camera sees the ground only from some distance on: an object whose
	// near face is closer has its foot below the image and cannot be
	// ranged, so the camera is not expected to report it.
	minDepth := 0.0
	if lens := t.rig.Lens; s == perception.Camera && lens.Fy > 0 && float64(lens.Height) > lens.Cy+1 {
		minDepth = mount.Z * lens.Fy / (float64(lens.Height) - 1 - lens.Cy)
	}
	for i := range t.tracks {
		tr := &t.tracks[i]
		f := t.at(i)
		dx, dy := f.X[kalman.PX]-pose.X, f.X[kalman.PY]-pose.Y
		r := math.Max(math.Hypot(dx, dy), 0.1)
		az := kalman.WrapAngle(math.Atan2(dy, dx) - pose.Yaw)
		c, _ := tr.steering.Argmax()
		size := perception.TypicalSize(c)
		lo, hi := plausibleHeights(&tr.steering)
		// Variance across the line of sight, over r².
		azVar := acrossSight(f, dx, dy) / (r * r * r * r)
		t.geom[i] = viewGeometry{
			rng: r, az: az, azStd: math.Sqrt(max(azVar, 0)),
			halfAng: math.Atan2(size[1]/2, r),
			topLo:   math.Atan2(lo-mount.Z, r),
			topHi:   math.Atan2(hi-mount.Z, r),
			inside:  cov.Contains(az, r) && r*math.Cos(az)-size[0]/2 >= minDepth,
		}
	}
}

// plausibleHeights is the lowest and the highest typical height among the
// classes a belief gives at least 10 %: a track unsure whether it is a car
// or a truck may be hidden by a car in front.
func plausibleHeights(p *perception.ClassProbs) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for c, pc := range p {
		if pc >= 0.1 {
			h := perception.TypicalSize(perception.Class(c))[2]
			lo, hi = min(lo, h), max(hi, h)
		}
	}
	if lo > hi { // no class stands out: anything from a child to a truck
		lo, hi = perception.TypicalSize(perception.Pedestrian)[2], perception.TypicalSize(perception.Truck)[2]
	}
	return lo, hi
}

// hiddenFraction is the share of track i's angular width that nearer,
// taller-or-equal confirmed tracks may cover in the current scan's view.
// Where the track is is uncertain, so a nearer object anywhere within two
// standard deviations of its bearing may hide it: a radar track whose
// azimuth wanders must not be killed by camera misses while the camera
// sees only the object in front of it.
func (t *Tracker) hiddenFraction(i int) float64 {
	g := &t.geom[i]
	spread := g.halfAng + 2*g.azStd
	lo, hi := g.az-spread, g.az+spread
	hidden := 0.0
	for j := range t.tracks {
		n := &t.geom[j]
		// A nearer object hides a farther one that may be no taller.
		if j == i || t.tracks[j].Status != Confirmed || n.rng >= g.rng || n.topHi < g.topLo {
			continue
		}
		hidden += math.Max(0, math.Min(hi, n.az+n.halfAng)-math.Max(lo, n.az-n.halfAng))
	}
	return math.Min(1, hidden/(2*g.halfAng))
}

// manage confirms and deletes tracks, compacting the pool in place.
func (t *Tracker) manage(now sensors.Time) {
	p := &t.params
	keep := t.tracks[:0]
	for i := range t.tracks {
		tr := t.tracks[i]
		// A radar blind to static objects cannot be the only judge of
		// the tracks it starts: an object crossing its line of sight
		// vanishes from it, and the camera must be able to confirm it.
		anySensor := p.Radar.StaticBlindMps > 0
		if tr.Status == Tentative && tr.passedMofN(p.ConfirmHits, anySensor) && tr.Existence >= p.ExistenceConfirm {
			tr.Status = Confirmed
			if p.ReidentifyWindow > 0 {
				t.reidentify(&tr, now)
			}
		}
		dead := tr.Existence < p.ExistenceDelete || now.Sub(tr.LastSeen()) > p.MaxCoast
		if tr.Status == Tentative {
			// A tentative track that failed its M-of-N window is dropped.
			dead = dead || tr.failedMofN(p.ConfirmHits, p.ConfirmWindow, anySensor)
		}
		if dead {
			if tr.Status == Confirmed {
				t.deleted = append(t.deleted, tr.ID)
				if p.ReidentifyWindow > 0 {
					if len(t.lost) == maxLost {
						t.lost = append(t.lost[:0], t.lost[1:]...)
					}
					c, _ := tr.steering.Argmax()
					t.lost = append(t.lost, lostTrack{id: tr.ID, filter: tr.Filter, stamp: tr.Stamp, class: c, lost: now})
				}
			}
			continue
		}
		keep = append(keep, tr)
	}
	t.tracks = keep
}

// dropDuplicates deletes the younger of two tracks that describe one
// object: classes that agree, velocities within 2 m/s, and centres within three quarters of the
// longer typical length along the older track's heading and within half
// the wider typical width plus 0.5 m across it. Fragments of one long
// object (a truck's front and rear returns) otherwise become two tracks.
func (t *Tracker) dropDuplicates() {
	n := len(t.tracks)
	t.byX = grow(t.byX, n)
	t.dead = grow(t.dead, n)
	for i := range t.byX {
		t.byX[i] = int32(i)
		t.dead[i] = false
	}
	tracks := t.tracks
	slices.SortFunc(t.byX, func(a, b int32) int {
		return cmp.Compare(tracks[a].Filter.X[kalman.PX], tracks[b].Filter.X[kalman.PX])
	})
	// Sweep along x: no two parts of one object are further apart than
	// three quarters of the longest typical length.
	maxReach := 0.75 * perception.TypicalSize(perception.Truck)[0]
	for a := 0; a < n; a++ {
		i := t.byX[a]
		for b := a + 1; b < n && !t.dead[i]; b++ {
			j := t.byX[b]
			ta, tb := &t.tracks[i], &t.tracks[j]
			if tb.Filter.X[kalman.PX]-ta.Filter.X[kalman.PX] > maxReach {
				break
			}
			if t.dead[j] {
				continue
			}
			dvx, dvy := ta.Filter.X[kalman.VX]-tb.Filter.X[kalman.VX], ta.Filter.X[kalman.VY]-tb.Filter.X[kalman.VY]
			if dvx*dvx+dvy*dvy > 4 || !sameObject(ta, tb) {
				continue
			}
			// Keep the older track; ties go to the one with more hits.
			victim := j
			if tb.Born < ta.Born || (tb.Born == ta.Born && tb.Hits[0]+tb.Hits[1] > ta.Hits[0]+ta.Hits[1]) {
				victim = i
			}
			t.dead[victim] = true
		}
	}
	keep := t.tracks[:0]
	for i := range t.tracks {
		if !t.dead[i] {
			keep = append(keep, t.tracks[i])
		} else if t.tracks[i].Status == Confirmed {
			t.deleted = append(t.deleted, t.tracks[i].ID)
		}
	}
	t.tracks = keep
}

// sameObject reports whether two tracks' centres are close enough, given
// their typical sizes, to be parts of one object, and their classes agree
// (or one of them is still unsure).
func sameObject(a, b *Track) bool {
	ca, pa := a.steering.Argmax()
	cb, pb := b.steering.Argmax()
	if ca != cb && pa > 0.5 && pb > 0.5 {
		return false
	}
	sa, sb := perception.TypicalSize(ca), perception.TypicalSize(cb)
	along, across := 0.75*math.Max(sa[0], sb[0]), math.Max(sa[1], sb[1])/2+0.5
	dx, dy := a.Filter.X[kalman.PX]-b.Filter.X[kalman.PX], a.Filter.X[kalman.PY]-b.Filter.X[kalman.PY]
	if dx*dx+dy*dy > along*along {
		return false
	}
	hx, hy := a.Filter.X[kalman.VX], a.Filter.X[kalman.VY]
	speed := math.Hypot(hx, hy)
	if speed < 1 {
		return dx*dx+dy*dy < across*across
	}
	return math.Abs(dx*hx+dy*hy)/speed < along && math.Abs(dx*hy-dy*hx)/speed < across
}

// spawn starts a tentative track at every detection no track took,
// unless the detection is support only or the sensor fragments objects
// and a track's gate held it (then a second detection inside the gate is
// more likely a piece of that object than a new one).
func (t *Tracker) spawn(s perception.Sensor, stamp sensors.Time, pose kalman.SensorPose, dets []perception.Detection) {
	n := len(t.tracks)
	for j := range dets {
		if t.detUsed[j] || (t.detGated[j] && t.params.Coverage(s).Fragments) || dets[j].SupportOnly {
			t.detUsed[j] = false
			continue
		}
		if len(t.tracks) == cap(t.tracks) || (t.params.Coverage(s).Fragments && t.insideTrack(s, pose, &dets[j])) {
			continue
		}
		if s == perception.Camera && (t.radarCovers(stamp, &dets[j]) || t.bearingTaken(pose, &dets[j], n)) {
			continue
		}
		t.tracks = append(t.tracks, t.newTrack(s, stamp, pose, &dets[j]))
	}
}

// insideTrack reports whether a detection lies within the extent of a
// confirmed track, widened by three standard deviations of the
// detection's own position error: a piece of a known object, not a new one.
func (t *Tracker) insideTrack(s perception.Sensor, pose kalman.SensorPose, d *perception.Detection) bool {
	rng, az, rangeVar, azVar := polar(s, d)
	b := pose.Yaw + az
	x, y := pose.X+rng*math.Cos(b), pose.Y+rng*math.Sin(b)
	slack := 3 * math.Sqrt(rangeVar+rng*rng*azVar)
	for i := range t.tracks {
		tr := &t.tracks[i]
		if tr.Status != Confirmed {
			continue
		}
		c, _ := tr.steering.Argmax()
		reach := perception.TypicalSize(c)[0]/2 + slack
		f := t.at(i)
		dx, dy := f.X[kalman.PX]-x, f.X[kalman.PY]-y
		if dx*dx+dy*dy < reach*reach {
			return true
		}
	}
	return false
}

// radarCovers reports whether a live radar (one that scanned within the
// last radarLive) covers where a camera detection puts its object and
// would see it there: then the radar, which ranges far better, starts
// the track, and the camera only updates and classifies it. A radar that
// does not see static objects covers nothing for this purpose (the camera
// cannot tell whether the object moves).
func (t *Tracker) radarCovers(stamp sensors.Time, d *perception.Detection) bool {
	const radarLive = time.Second
	cov := &t.params.Radar
	if t.lastScan[perception.Radar] == 0 || stamp.Sub(t.lastScan[perception.Radar]) > radarLive || cov.StaticBlindMps > 0 {
		return false
	}
	camPose := t.ego.at(stamp).SensorPose(t.rig.Camera)
	rng, az, _, _ := polar(perception.Camera, d)
	b := camPose.Yaw + az
	x, y := camPose.X+rng*math.Cos(b), camPose.Y+rng*math.Sin(b)
	return cov.Sees(t.ego.at(stamp), t.rig.Radar, x, y)
}

// bearingTaken reports whether a camera detection lies on the line of
// sight of one of the first n tracks (see onSight).
func (t *Tracker) bearingTaken(pose kalman.SensorPose, d *perception.Detection, n int) bool {
	for i := range t.tracks[:n] {
		if t.onSight(pose, d, i) {
			return true
		}
	}
	return false
}

// boxOnSight reports whether a camera detection (one no track took, when
// unclaimed) lies on the line of sight of track i (see onSight).
func (t *Tracker) boxOnSight(pose kalman.SensorPose, dets []perception.Detection, i int, unclaimed bool) bool {
	if unclaimed {
		for _, j := range t.unclaimed {
			if t.onSight(pose, &dets[j], i) {
				return true
			}
		}
		return false
	}
	for j := range dets {
		if t.onSight(pose, &dets[j], i) {
			return true
		}
	}
	return false
}

// onSight reports whether a camera detection lies on the line of sight of
// track i, within the gate of its bearing widened by half the track's
// width, at a range the camera cannot tell from the track's: a camera
// ranges far worse than it bears, so such a box is most likely that
// object. A box clearly beyond or before the track is another one.
func (t *Tracker) onSight(pose kalman.SensorPose, d *perception.Detection, i int) bool {
	b, bVar := d.Z[perception.CameraBearing], d.R[0][0]
	rng, rangeVar := d.Z[perception.CameraRange], d.R[1][1]
	f := t.at(i)
	dx, dy := f.X[kalman.PX]-pose.X, f.X[kalman.PY]-pose.Y
	r2 := math.Max(dx*dx+dy*dy, 1e-2)
	r := math.Sqrt(r2)
	c, _ := t.tracks[i].steering.Argmax()
	size := perception.TypicalSize(c)
	y := math.Abs(kalman.WrapAngle(b - (math.Atan2(dy, dx) - pose.Yaw)))
	if y > size[1]/2/r+math.Sqrt(t.gate[1]*(bVar+acrossSight(f, dx, dy)/(r2*r2))) {
		return false
	}
	// Along the line of sight: the track's range variance and half its
	// length.
	along := alongSight(f, dx, dy)/r2 + size[0]*size[0]/4
	dr := rng - r
	return dr*dr <= t.gate[1]*(rangeVar+along)
}

// acrossSight is r²·σ², σ² being the variance of a filter's position
// across the line of sight (dx, dy) from a sensor, r its length: divided
// by r⁴ it is the variance of the bearing.
func acrossSight(f *kalman.Filter, dx, dy float64) float64 {
	return dy*dy*f.P[kalman.PX][kalman.PX] - 2*dx*dy*f.P[kalman.PX][kalman.PY] + dx*dx*f.P[kalman.PY][kalman.PY]
}

// alongSight is r²·σ², σ² being the variance of a filter's position along
// the line of sight (dx, dy) from a sensor, r its length.
func alongSight(f *kalman.Filter, dx, dy float64) float64 {
	return dx*dx*f.P[kalman.PX][kalman.PX] + 2*dx*dy*f.P[kalman.PX][kalman.PY] + dy*dy*f.P[kalman.PY][kalman.PY]
}

// polar returns a radar or camera detection's range, azimuth and their
// variances.
func polar(s perception.Sensor, d *perception.Detection) (rng, az, rangeVar, azVar float64) {
	if s == perception.Camera {
		return d.Z[perception.CameraRange], d.Z[perception.CameraBearing], d.R[1][1], d.R[0][0]
	}
	return d.Z[perception.RadarRange], d.Z[perception.RadarAzimuth], d.R[0][0], d.R[1][1]
}

func (t *Tracker) newTrack(s perception.Sensor, stamp sensors.Time, pose kalman.SensorPose, d *perception.Detection) Track {
	rng, az, rangeVar, azVar := polar(s, d)
	bearing := pose.Yaw + az
	sb, cb := math.Sincos(bearing)
	tr := Track{
		ID:        t.nextID,
		Status:    Tentative,
		Stamp:     stamp,
		Born:      stamp,
		bornBy:    s,
		Existence: t.params.InitialExistence,
		Class:     d.Class,
		steering:  d.Class,
	}
	t.nextID++
	tr.LastHit[s] = stamp
	tr.Hits[s] = 1
	tr.ScoreSum[s] = d.Score
	tr.record(s, true, t.params.ConfirmWindow)
	f := &tr.Filter
	f.X[kalman.PX] = pose.X + rng*cb
	f.X[kalman.PY] = pose.Y + rng*sb
	// Position covariance: radial variance along the line of sight,
	// tangential variance (r·σ_az)² across it.
	tangVar := rng * rng * azVar
	setRotated(&f.P, 0, cb, sb, rangeVar, tangVar)
	vs := t.params.SpawnSpeedStdMps * t.params.SpawnSpeedStdMps
	if s == perception.Radar {
		// The range rate measures the radial velocity relative to the sensor.
		radial := d.Z[perception.RadarRangeRate] + pose.VX*cb + pose.VY*sb
		f.X[kalman.VX] = radial * cb
		f.X[kalman.VY] = radial * sb
		setRotated(&f.P, 2, cb, sb, d.R[2][2], vs)
	} else {
		setRotated(&f.P, 2, cb, sb, vs, vs)
	}
	return tr
}

// setRotated writes into the 2×2 block at (k, k) of p the covariance whose
// principal variances are a along (c, s) and b across it.
func setRotated(p *[kalman.N][kalman.N]float64, k int, c, s, a, b float64) {
	p[k][k] = a*c*c + b*s*s
	p[k+1][k+1] = a*s*s + b*c*c
	p[k][k+1] = (a - b) * c * s
	p[k+1][k] = p[k][k+1]
}

func measurement(d *perception.Detection) kalman.Measurement {
	m := kalman.Measurement{Dim: d.Dim, Z: d.Z}
	for i := 0; i < d.Dim; i++ {
		for j := 0; j < d.Dim; j++ {
			m.R[i][j] = d.R[i][j]
		}
	}
	return m
}

// DrainDeleted appends to dst the ids of confirmed tracks deleted since the
// previous drain and forgets them.
func (t *Tracker) DrainDeleted(dst []uint32) []uint32 {
	dst = append(dst, t.deleted...)
	t.deleted = t.deleted[:0]
	return dst
}

// grow returns s resized to n, reusing its backing array when it is large
// enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, 2*n)
	}
	return s[:n]
}
