package fusion

import (
	"math"
	"time"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// miss counts the scan as a miss of track i, which took no detection,
// unless the sensor could not have seen it: outside its coverage, blind
// to it (a radar that removes static returns), hidden behind a nearer
// object, or, for the camera, seen on its line of sight but misranged or
// taken by a neighbour.
func (t *Tracker) miss(sc *scan, i int, dets []perception.Detection) {
	tr := &t.tracks[i]
	g := &t.geom[i]
	if !g.inside || t.staticBlind(sc.cov, sc.pose, t.at(i)) {
		return
	}
	// Behind a nearer object the sensor is expected to miss more.
	pd := sc.cov.PDetect * (1 - sc.cov.OcclusionBlockage*t.hiddenFraction(i))
	if pd < sc.cov.PDetect/2 {
		return
	}
	// A box on the track's line of sight is most likely the track's
	// object, misranged (a camera ranges by the size of the class it
	// guesses) or taken by a neighbour: the camera saw it. For a
	// confirmed track the box must be one no track took; a tentative
	// radar track has not yet won its boxes from its neighbours.
	if sc.sensor == perception.Camera && t.boxOnSight(sc.pose, dets, i, tr.Status == Confirmed || tr.bornBy != perception.Radar) {
		return
	}
	tr.record(sc.sensor, false, t.params.confirmWindow())
	tr.Misses[sc.sensor]++
	tr.setExistence(sc.sensor, tr.Existence*(1-pd)/(tr.Existence*(1-pd)+1-tr.Existence))
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

// look computes every track's geometry as seen by the scan's sensor.
func (t *Tracker) look(sc *scan) {
	s, pose, mount, cov := sc.sensor, sc.pose, sc.mount, sc.cov
	t.geom = grow(t.geom, len(t.tracks))
	t.sight.forScan()
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
		r := max(math.Hypot(dx, dy), 0.1)
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
	v := &t.sight
	if !v.hidersBuilt {
		v.hiders.reset()
		for j := range t.tracks {
			if t.tracks[j].Status == Confirmed {
				v.hiders.add(j, t.geom[j].az, t.geom[j].halfAng)
			}
		}
		v.hiders.sort()
		v.hidersBuilt = true
	}
	hidden := 0.0
	v.found = v.hiders.meeting(v.found[:0], lo, hi)
	for _, j := range v.found {
		n := &t.geom[j]
		// A nearer object hides a farther one that may be no taller.
		if int(j) == i || n.rng >= g.rng || n.topHi < g.topLo {
			continue
		}
		hidden += max(0, min(hi, n.az+n.halfAng)-max(lo, n.az-n.halfAng))
	}
	return min(1, hidden/(2*g.halfAng))
}

// sightScratch indexes bearings for the visibility rules, each index
// built on its first use in a scan: the confirmed tracks that may hide
// others (hiders), a camera scan's boxes as points of bearing (all, and
// those no track took) for a missed track's line of sight, and the
// tracks' lines of sight for the boxes that would start tracks.
type sightScratch struct {
	hiders, boxes, unclaimed, sights     arcIndex
	hidersBuilt, boxesBuilt, sightsBuilt bool
	// widestBox is the largest bearing variance among the scan's boxes.
	widestBox float64
	found     []int32
	tracks    []int32 // besideAnotherBox's tracks whose sight a box meets
}

// forScan forgets the indexes of the previous scan.
func (v *sightScratch) forScan() {
	v.hidersBuilt, v.boxesBuilt, v.sightsBuilt = false, false, false
}

// boxOnSight reports whether a camera detection (one no track took, when
// unclaimed) lies on the line of sight of track i (see onSight).
func (t *Tracker) boxOnSight(pose kalman.SensorPose, dets []perception.Detection, i int, unclaimed bool) bool {
	v := &t.sight
	t.indexBoxes(dets)
	index := &v.boxes
	if unclaimed {
		index = &v.unclaimed
	}
	bearing, width := t.sightWidth(pose, i, v.widestBox)
	v.found = index.meetingAround(v.found[:0], bearing, width)
	for _, j := range v.found {
		if t.onSight(pose, &dets[j], i) {
			return true
		}
	}
	return false
}

// indexBoxes indexes a camera scan's boxes by bearing (all, and those
// no track took), once a scan.
func (t *Tracker) indexBoxes(dets []perception.Detection) {
	v := &t.sight
	if v.boxesBuilt {
		return
	}
	v.boxes.reset()
	v.unclaimed.reset()
	v.widestBox = boxBearingVar(dets)
	for j := range dets {
		v.boxes.add(j, kalman.WrapAngle(dets[j].Z[perception.CameraBearing]), 0)
	}
	for _, j := range t.match.unclaimed {
		v.unclaimed.add(int(j), kalman.WrapAngle(dets[j].Z[perception.CameraBearing]), 0)
	}
	v.boxes.sort()
	v.unclaimed.sort()
	v.boxesBuilt = true
}

// bearingTaken reports whether a camera detection lies on the line of
// sight of one of the first n tracks (see onSight). The first call of a
// scan indexes those tracks' lines of sight: they must not move until
// the scan's last call.
func (t *Tracker) bearingTaken(pose kalman.SensorPose, dets []perception.Detection, j, n int) bool {
	v := &t.sight
	t.indexSights(pose, dets, n)
	v.found = v.sights.meetingAround(v.found[:0], kalman.WrapAngle(dets[j].Z[perception.CameraBearing]), 0)
	for _, i := range v.found {
		if t.onSight(pose, &dets[j], int(i)) {
			return true
		}
	}
	return false
}

// indexSights indexes the lines of sight of the first n tracks, once a
// scan.
func (t *Tracker) indexSights(pose kalman.SensorPose, dets []perception.Detection, n int) {
	v := &t.sight
	if v.sightsBuilt {
		return
	}
	v.sights.reset()
	widest := boxBearingVar(dets)
	for i := range t.tracks[:n] {
		bearing, width := t.sightWidth(pose, i, widest)
		v.sights.add(i, bearing, width)
	}
	v.sights.sort()
	v.sightsBuilt = true
}

// besideAnotherBox reports whether camera box j lies on the line of
// sight of one of the first n tracks beside another box there that the
// track explains better (the box it took, or one nearer its bearing)
// and whose image j's does not overlap: two objects side by side, which
// a clustered radar merges into one cluster and so one track while the
// camera sees both. The box then starts a track of its own, which the
// split of merged clusters (splitMerged) gives its returns once it is
// confirmed.
func (t *Tracker) besideAnotherBox(pose kalman.SensorPose, stamp sensors.Time, dets []perception.Detection, j, n int) (track int, ok bool) {
	v := &t.sight
	t.indexSights(pose, dets, n)
	t.indexBoxes(dets)
	bj := kalman.WrapAngle(dets[j].Z[perception.CameraBearing])
	track = -1
	v.tracks = v.sights.meetingAround(v.tracks[:0], bj, 0)
	for _, i := range v.tracks {
		if !t.onSight(pose, &dets[j], int(i)) {
			continue
		}
		if !t.explainsBetter(pose, stamp, dets, j, int(i), bj) {
			return -1, false // the track may be j's object
		}
		if track < 0 {
			track = int(i)
		}
	}
	return track, track >= 0
}

// explainsBetter reports whether track i, on whose line of sight box j
// (bearing bj) lies, has there another box beside j's image that it
// explains better: the box it took, or one nearer its bearing.
func (t *Tracker) explainsBetter(pose kalman.SensorPose, stamp sensors.Time, dets []perception.Detection, j, i int, bj float64) bool {
	v := &t.sight
	bearing, width := t.sightWidth(pose, i, v.widestBox)
	gapJ := math.Abs(kalman.WrapAngle(bj - bearing))
	took := t.match.rowToCol[i]
	if took == j {
		return false
	}
	if last := t.tracks[i].LastHit[perception.Radar]; last == 0 || stamp.Sub(last) > mergedRecently {
		return false // not a track the radar holds, so not one it merged
	}
	v.found = v.boxes.meetingAround(v.found[:0], bearing, width)
	for _, k := range v.found {
		if int(k) == j || !apartAcross(&dets[j].Box, &dets[k].Box) || !t.onSight(pose, &dets[k], i) {
			continue
		}
		if took == int(k) || math.Abs(kalman.WrapAngle(dets[k].Z[perception.CameraBearing]-bearing)) < gapJ {
			return true
		}
	}
	return false
}

// mergedRecently is how lately the radar must have hit a track for
// besideAnotherBox to take it for a merge of two objects.
const mergedRecently = time.Second

// apartAcross reports whether two image boxes (left, top, width,
// height) share no column; a detection without a box (width 0) is
// apart from none.
func apartAcross(a, b *[4]float64) bool {
	return a[2] > 0 && b[2] > 0 && (a[0]+a[2] <= b[0] || b[0]+b[2] <= a[0])
}

// sightWidth is the bearing of track i from the camera at pose, wrapped,
// and the widest bearing error at which onSight may take a box whose
// bearing variance is at most boxVar for it (slightly more).
func (t *Tracker) sightWidth(pose kalman.SensorPose, i int, boxVar float64) (bearing, width float64) {
	ls := t.lineOfSight(pose, i, boxVar)
	w := ls.width
	if !(w >= 0) {
		w = math.Inf(1) // a covariance gone bad: onSight tests the range alone
	}
	return kalman.WrapAngle(ls.bearing), w*(1+1e-9) + 1e-12
}

// boxBearingVar is the largest bearing variance among camera detections.
func boxBearingVar(dets []perception.Detection) float64 {
	v := 0.0
	for j := range dets {
		v = max(v, dets[j].R[0][0])
	}
	return v
}

// onSight reports whether a camera detection lies on the line of sight of
// track i, within the gate of its bearing widened by half the track's
// width, at a range the camera cannot tell from the track's: a camera
// ranges far worse than it bears, so such a box is most likely that
// object. A box clearly beyond or before the track is another one.
func (t *Tracker) onSight(pose kalman.SensorPose, d *perception.Detection, i int) bool {
	b, bVar := d.Z[perception.CameraBearing], d.R[0][0]
	rng, rangeVar := d.Z[perception.CameraRange], d.R[1][1]
	ls := t.lineOfSight(pose, i, bVar)
	if math.Abs(kalman.WrapAngle(b-ls.bearing)) > ls.width {
		return false
	}
	dr := rng - math.Sqrt(ls.r2)
	return dr*dr <= t.gate[1]*(rangeVar+t.rangeSpread(i, &ls))
}

// rangeSpread is how far, as a variance, track i's object may reach
// along its line of sight ls: the track's range variance and half its
// length squared.
func (t *Tracker) rangeSpread(i int, ls *sightLine) float64 {
	return alongSight(t.at(i), ls.dx, ls.dy)/ls.r2 + ls.size[0]*ls.size[0]/4
}

// sightLine is track i as the camera sees it (see lineOfSight).
type sightLine struct {
	dx, dy, r2 float64    // from the camera, r² floored at 1 cm²
	bearing    float64    // from the camera's axis, unwrapped
	size       [3]float64 // of its most likely class
	// width is the widest bearing error at which a box lies on its line
	// of sight: half its width over the range, plus the gate over the
	// box's and the track's bearing variances.
	width float64
}

// lineOfSight is track i's line of sight from the camera at pose, for a
// box of bearing variance boxVar.
func (t *Tracker) lineOfSight(pose kalman.SensorPose, i int, boxVar float64) sightLine {
	f := t.at(i)
	dx, dy := f.X[kalman.PX]-pose.X, f.X[kalman.PY]-pose.Y
	r2 := max(dx*dx+dy*dy, 1e-2)
	c, _ := t.tracks[i].steering.Argmax()
	size := perception.TypicalSize(c)
	return sightLine{
		dx: dx, dy: dy, r2: r2, size: size,
		bearing: math.Atan2(dy, dx) - pose.Yaw,
		width:   size[1]/2/math.Sqrt(r2) + math.Sqrt(t.gate[1]*(boxVar+acrossSight(f, dx, dy)/(r2*r2))),
	}
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
