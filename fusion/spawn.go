package fusion

import (
	"math"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// spawn starts a tentative track at every detection no track took,
// unless the detection is support only or the sensor fragments objects
// and a track's gate held it (then a second detection inside the gate is
// more likely a piece of that object than a new one).
func (t *Tracker) spawn(sc *scan, dets []perception.Detection) {
	s, stamp, pose := sc.sensor, sc.stamp, sc.pose
	n := len(t.tracks)
	t.solid.built = false
	for j := range dets {
		if t.match.detUsed[j] || (t.match.detGated[j] && t.params.Coverage(s).Fragments) || dets[j].SupportOnly {
			t.match.detUsed[j] = false
			continue
		}
		if len(t.tracks) == cap(t.tracks) || (t.params.Coverage(s).Fragments && t.insideTrack(s, pose, &dets[j])) {
			continue
		}
		if s == perception.Camera && (t.radarCovers(stamp, &dets[j]) || t.bearingTaken(pose, dets, j, n)) {
			t.spawnBeside(sc, dets, j, n)
			continue
		}
		if s == perception.Radar && sc.model.RangeRateSpan > 0 {
			t.spawnAliases(sc, &dets[j])
			continue
		}
		t.tracks = append(t.tracks, t.newTrack(s, stamp, pose, &dets[j], dets[j].Z[perception.RadarRangeRate])) // (a camera's third component is unused)
	}
}

// spawnBeside starts a track at camera box j, which the radar would
// see or a track's line of sight holds, only when it lies beside another
// box of a track the clustered radar merged it into (besideAnotherBox,
// with Params.CameraBeside), at a range that says so (rangeBeside).
func (t *Tracker) spawnBeside(sc *scan, dets []perception.Detection, j, n int) {
	if !t.params.Radar.Fragments || !t.params.CameraBeside {
		return
	}
	i, ok := t.besideAnotherBox(sc.pose, sc.stamp, dets, j, n)
	if !ok {
		return
	}
	d := dets[j]
	t.rangeBeside(&d, sc.pose, i)
	t.tracks = append(t.tracks, t.newTrack(perception.Camera, sc.stamp, sc.pose, &d, 0))
}

// rangeBeside gives a camera box beside track i's object (see
// besideAnotherBox) a range that also says it is about as far away as
// that object, which the radar ranged: the box's own range (from its
// size, tens of percent off) and the track's (rangeSpread), weighed by
// their variances.
func (t *Tracker) rangeBeside(d *perception.Detection, pose kalman.SensorPose, i int) {
	ls := t.lineOfSight(pose, i, d.R[0][0])
	trackVar := t.rangeSpread(i, &ls)
	boxVar := d.R[1][1]
	w := boxVar / (boxVar + trackVar)
	d.Z[perception.CameraRange] += w * (math.Sqrt(ls.r2) - d.Z[perception.CameraRange])
	d.R[1][1] = boxVar * trackVar / (boxVar + trackVar)
}

// maxAliases is how many tracks an ambiguous radar reading may start,
// one per alias. A radar whose unambiguous span is narrow against
// max_speed_mps (a short-range chirp's ±4 m/s against 50 m/s: thirteen
// aliases) starts one track instead, whose radial velocity the positions
// of the next scans tell: each return would otherwise start a dozen
// tracks, and the cycle's cost with them.
const maxAliases = 3

// spawnAliases starts a tentative track for each alias of an ambiguous
// radar reading's range rate (the reading plus whole spans) that puts the
// object's radial ground speed within MaxSpeedMps: the radar cannot tell
// them apart, the next scans will (a wrong alias's track drifts off its
// object at a span's speed, misses and dies). With more than maxAliases
// aliases it starts one track that leaves the range rate unknown.
func (t *Tracker) spawnAliases(sc *scan, d *perception.Detection) {
	span := sc.model.RangeRateSpan
	own := ownRadialSpeed(sc.pose, d.Z[perception.RadarAzimuth])
	rr := d.Z[perception.RadarRangeRate]
	reach := math.Ceil((t.params.MaxSpeedMps + math.Abs(own) + math.Abs(rr)) / span)
	first, n := 0.0, 0
	for k := -reach; k <= reach; k++ {
		if alias := rr + k*span; math.Abs(alias+own) <= t.params.MaxSpeedMps {
			if n == 0 {
				first = alias
			}
			n++
		}
	}
	if n > maxAliases {
		t.tracks = append(t.tracks, t.newTrack(perception.Radar, sc.stamp, sc.pose, d, math.NaN()))
		return
	}
	for k := 0; k < n && len(t.tracks) < cap(t.tracks); k++ {
		t.tracks = append(t.tracks, t.newTrack(perception.Radar, sc.stamp, sc.pose, d, first+float64(k)*span))
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
	c := &t.solid
	if !c.built {
		t.indexConfirmed()
	}
	c.near = c.grid.within(c.near[:0], x, y, c.maxHalf+slack)
	for _, k := range c.near {
		reach := c.half[k] + slack
		dx, dy := c.grid.x[k]-x, c.grid.y[k]-y
		if dx*dx+dy*dy < reach*reach {
			return true
		}
	}
	return false
}

// confirmedIndex holds the confirmed tracks' positions in a grid, with
// each one's half-length (of its class's typical size), for insideTrack.
type confirmedIndex struct {
	built   bool
	order   []int32   // the confirmed tracks; the grid's point k is order[k]
	half    []float64 // point k's half-length
	maxHalf float64
	grid    spatialGrid
	near    []int32
}

// indexConfirmed fills t.solid from the confirmed tracks' positions.
func (t *Tracker) indexConfirmed() {
	c := &t.solid
	c.order, c.half, c.maxHalf = c.order[:0], c.half[:0], 0
	for i := range t.tracks {
		if t.tracks[i].Status == Confirmed {
			class, _ := t.tracks[i].steering.Argmax()
			half := perception.TypicalSize(class)[0] / 2
			c.order, c.half = append(c.order, int32(i)), append(c.half, half)
			c.maxHalf = max(c.maxHalf, half)
		}
	}
	c.grid.indexPoints(len(c.order), func(k int) (x, y float64) {
		f := t.at(int(c.order[k]))
		return f.X[kalman.PX], f.X[kalman.PY]
	})
	c.built = true
}

// radarCovers reports whether a live radar (live) covers where a camera
// detection puts its object and
// would see it there: then the radar, which ranges far better, starts
// the track, and the camera only updates and classifies it. A radar that
// does not see static objects covers nothing for this purpose (the camera
// cannot tell whether the object moves).
func (t *Tracker) radarCovers(stamp sensors.Time, d *perception.Detection) bool {
	cov := &t.params.Radar
	if !t.live(perception.Radar, stamp) || cov.StaticBlindMps > 0 {
		return false
	}
	camPose := t.ego.at(stamp).SensorPose(t.rig.Camera)
	rng, az, _, _ := polar(perception.Camera, d)
	b := camPose.Yaw + az
	x, y := camPose.X+rng*math.Cos(b), camPose.Y+rng*math.Sin(b)
	return cov.Sees(t.ego.at(stamp), t.rig.Radar, x, y)
}

// newTrack starts a tentative track at detection d of sensor s; a radar
// track moves radially at rangeRate (the reading's, or one of its
// aliases; NaN for unknown: then, like a camera's, its velocity is
// anyone's).
func (t *Tracker) newTrack(s perception.Sensor, stamp sensors.Time, pose kalman.SensorPose, d *perception.Detection, rangeRate float64) Track {
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
	tr.addExtent(d)
	tr.record(s, true, t.params.confirmWindow())
	f := &tr.Filter
	f.X[kalman.PX] = pose.X + rng*cb
	f.X[kalman.PY] = pose.Y + rng*sb
	// Position covariance: radial variance along the line of sight,
	// tangential variance (r·σ_az)² across it.
	tangVar := rng * rng * azVar
	setRotated(&f.P, 0, cb, sb, rangeVar, tangVar)
	vs := t.params.SpawnSpeedStdMps * t.params.SpawnSpeedStdMps
	if s == perception.Radar && !math.IsNaN(rangeRate) {
		// The range rate measures the radial velocity relative to the sensor.
		radial := rangeRate + pose.VX*cb + pose.VY*sb
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
