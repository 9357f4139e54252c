// Package radar turns radar point clouds into object-level detections: it
// clusters the points with DBSCAN in position and Doppler, reports each
// cluster as range, azimuth and range rate with a covariance, and marks
// clusters too small to tell from static clutter (a few points whose
// Doppler matches the sensor's own motion) as support only: they may
// update a known track, never start one.
package radar

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// Point is one radar return in the sensor frame with ROS axes (x along
// boresight, y left, z up).
type Point struct {
	X, Y, Z float64 // m
	Doppler float64 // m/s, radial, positive receding
	SNR     float64 // dB
}

// Range returns the point's distance from the sensor.
func (p *Point) Range() float64 { return math.Sqrt(p.X*p.X + p.Y*p.Y + p.Z*p.Z) }

// Azimuth returns the point's bearing, counter-clockwise from boresight.
func (p *Point) Azimuth() float64 { return math.Atan2(p.Y, p.X) }

// Elevation returns the point's angle above the sensor's horizontal plane.
func (p *Point) Elevation() float64 { return math.Atan2(p.Z, math.Hypot(p.X, p.Y)) }

// FromTIFrame appends a TI mmWave frame's points to dst, turned from TI's
// axes (x right, y along boresight) to ROS axes, with SNR in dB.
func FromTIFrame(dst []Point, f *mmwave.Frame) []Point {
	for i := range f.Points {
		p := &f.Points[i]
		dst = append(dst, Point{
			X: float64(p.Y), Y: -float64(p.X), Z: float64(p.Z),
			Doppler: float64(p.Doppler), SNR: float64(p.SNR) / 10,
		})
	}
	return dst
}

// Params tunes clustering. Units are in the names.
type Params struct {
	// EpsM is the DBSCAN neighbourhood radius in the ground plane along the
	// line of sight; across it the radius grows with the azimuth noise.
	EpsM float64 `yaml:"eps_m"`
	// DopplerWeightMPerMps turns a Doppler difference into distance, so
	// adjacent objects moving differently stay apart.
	DopplerWeightMPerMps float64 `yaml:"doppler_weight_m_per_mps"`
	// MinPointsMoving and MinPointsStatic are the points a cluster needs
	// to start a track; a static cluster with fewer points (isolated
	// static clutter looks the same) is reported as support only.
	MinPointsMoving int `yaml:"min_points_moving"`
	MinPointsStatic int `yaml:"min_points_static"`
	// StaticToleranceMps is how close to the ego-motion Doppler a point
	// must be to count as static.
	StaticToleranceMps float64 `yaml:"static_tolerance_mps"`
	// MinSNRDB drops weaker points; 0 keeps every one (a TI radar reports
	// only returns above its CFAR threshold, and other drivers put RCS in
	// dBsm, often below 0, where the SNR would be).
	MinSNRDB float64 `yaml:"min_snr_db"`
	// MaxVelocityMps is the radar's unambiguous velocity when its Doppler
	// wraps around (a TI configuration's, from its chirps): Dopplers are
	// then compared with the static world's and each other and averaged
	// modulo twice it. 0: unambiguous.
	MaxVelocityMps float64 `yaml:"max_velocity_mps"`
	// RangeStdM, AzimuthStdDeg and DopplerStdMps are the accuracy of one
	// detection's centroid when a cluster has a single point; they also
	// floor the covariance of larger clusters.
	RangeStdM     float64 `yaml:"range_std_m"`
	AzimuthStdDeg float64 `yaml:"azimuth_std_deg"`
	DopplerStdMps float64 `yaml:"doppler_std_mps"`
}

// DefaultParams suits a TI IWR6843 at road-user scale.
func DefaultParams() Params {
	return Params{
		EpsM: 3.5, DopplerWeightMPerMps: 1.5,
		MinPointsMoving: 1, MinPointsStatic: 3, StaticToleranceMps: 0.3, MinSNRDB: 0,
		RangeStdM: 0.3, AzimuthStdDeg: 1.5, DopplerStdMps: 0.15,
	}
}

// Validate reports the first unusable field by its YAML name.
func (p *Params) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"eps_m", p.EpsM}, {"static_tolerance_mps", p.StaticToleranceMps}, {"range_std_m", p.RangeStdM},
		{"azimuth_std_deg", p.AzimuthStdDeg}, {"doppler_std_mps", p.DopplerStdMps}} {
		if !(f.v > 0) {
			return fmt.Errorf("%s: must be positive, got %g", f.name, f.v)
		}
	}
	switch {
	case p.DopplerWeightMPerMps < 0:
		return fmt.Errorf("doppler_weight_m_per_mps: must not be negative, got %g", p.DopplerWeightMPerMps)
	case p.MinPointsMoving < 1:
		return fmt.Errorf("min_points_moving: must be at least 1, got %d", p.MinPointsMoving)
	case p.MinPointsStatic < 1:
		return fmt.Errorf("min_points_static: must be at least 1, got %d", p.MinPointsStatic)
	case !(p.MaxVelocityMps >= 0) || math.IsInf(p.MaxVelocityMps, 0):
		return fmt.Errorf("max_velocity_mps: must be 0 (unambiguous) or positive, got %g", p.MaxVelocityMps)
	}
	return nil
}

// Clusterer turns point clouds into detections. Its scratch space is
// reused, so steady-state calls that reuse their output allocate
// nothing. Not safe for concurrent use.
type Clusterer struct {
	p       Params
	label   []int32
	static  []bool
	az      []float64 // each point's azimuth
	queue   []int32
	members []int32
	// byCell lists the points by ring (ground range rng in steps of
	// EpsM) and within a ring by azimuth, so that a point's neighbours
	// are sought only among points in its own and the adjacent rings
	// within the widest bearing gap a neighbour can have: clustering
	// costs O(n log n) plus the pairs that are nearly neighbours, not
	// O(n²), in a dense cloud.
	byCell []int32
	ring   []float64
	rng    []float64
	// pos is each point's place in byCell; ringStart and ringEnd bound,
	// for each place, its ring's span of byCell.
	pos                []int32
	ringStart, ringEnd []int32
	azByCell           []float64 // azByCell[k] is the azimuth of point byCell[k]
	ringFirst          []int32   // sortByCell's count of points per ring
	found              []int32
	// memberRange and memberAz are a cluster's rng and az, for summarise.
	memberRange, memberAz []float64
	// StaticSupportOnly counts points in static clusters too small to
	// start a track.
	StaticSupportOnly uint64
}

// NewClusterer returns a clusterer with validated params.
func NewClusterer(p Params) (*Clusterer, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("radar: %w", err)
	}
	return &Clusterer{p: p}, nil
}

const (
	unvisited = -2
	noise     = -1
)

// Detect appends to dst one radar detection per cluster of pts, and the
// clusters' returns to returns (each detection's Points is a piece of
// it), and returns both. vx, vy is the sensor's own velocity in its frame
// (m/s), used to tell static points by their Doppler. A detection's
// Points must stay as they are until it has been fused: pass nil returns
// (fresh memory) when the detections are handed on, and reuse returns
// only when they are fused before the next call.
func (c *Clusterer) Detect(dst []perception.Detection, returns []perception.RadarReturn, stamp sensors.Time, pts []Point, vx, vy float64) ([]perception.Detection, []perception.RadarReturn) {
	n := len(pts)
	c.label = grow(c.label, n)
	c.static = grow(c.static, n)
	c.az = grow(c.az, n)
	for i := range pts {
		c.label[i] = unvisited
		p := &pts[i]
		az := p.Azimuth()
		c.az[i] = az
		sin, cos := math.Sincos(az) // the same bits as Sin and Cos, at less cost
		expected := -(vx*cos + vy*sin)
		c.static[i] = math.Abs(c.p.dopplerGap(p.Doppler, expected)) < c.p.StaticToleranceMps
		if c.p.MinSNRDB != 0 && p.SNR < c.p.MinSNRDB {
			c.label[i] = noise
		}
	}
	// Neighbourhoods are ellipses in polar coordinates: EpsM along the line
	// of sight, and across it the larger of EpsM and what 2.5 standard
	// deviations of azimuth noise spread a point by at that range.
	azStd := c.p.AzimuthStdDeg * math.Pi / 180
	c.indexByCell(pts)
	near := func(i, j int) bool {
		a, b := &pts[i], &pts[j]
		ra, rb := c.rng[i], c.rng[j]
		dr := (ra - rb) / c.p.EpsM
		dd := c.p.dopplerGap(a.Doppler, b.Doppler) * c.p.DopplerWeightMPerMps / c.p.EpsM
		if dr*dr+dd*dd > 1 {
			return false // too far in range and Doppler alone: no angle needed
		}
		r := max(ra, rb)
		across := c.p.AcrossM(r)
		// The difference of the bearings decides, but within rounding of
		// the boundary the angle between the two points does (as it
		// always did: the clusters stay the same to the bit).
		gap := angularGap(c.az[i], c.az[j]) * r / across
		switch sum := dr*dr + dd*dd + gap*gap; {
		case sum > 1+1e-9:
			return false
		case sum < 1-1e-9:
			return true
		}
		dt := math.Abs(math.Atan2(a.X*b.Y-a.Y*b.X, a.X*b.X+a.Y*b.Y)) * r / across
		return dr*dr+dt*dt+dd*dd <= 1
	}
	// Room for every point, so that the detections' Points share one array.
	returns = slices.Grow(returns, n)
	var cluster int32
	for i := range pts {
		if c.label[i] != unvisited {
			continue
		}
		// Grow the cluster reachable from i (every point counts as a core
		// point: radar clouds are sparse).
		c.members = append(c.members[:0], int32(i))
		c.label[i] = cluster
		c.queue = append(c.queue[:0], int32(i))
		for len(c.queue) > 0 {
			q := int(c.queue[len(c.queue)-1])
			c.queue = c.queue[:len(c.queue)-1]
			for _, j := range c.neighbours(q, azStd, near) {
				c.label[j] = cluster
				c.queue = append(c.queue, j)
				c.members = append(c.members, j)
			}
		}
		staticCount := 0
		for _, m := range c.members {
			if c.static[m] {
				staticCount++
			}
		}
		isStatic := 2*staticCount > len(c.members)
		if !isStatic && len(c.members) < c.p.MinPointsMoving {
			for _, m := range c.members {
				c.label[m] = noise
			}
			continue
		}
		first := len(returns)
		c.memberRange, c.memberAz = c.memberRange[:0], c.memberAz[:0]
		for _, m := range c.members {
			p := &pts[m]
			returns = append(returns, perception.RadarReturn{X: p.X, Y: p.Y, Doppler: p.Doppler, SNR: p.SNR})
			c.memberRange, c.memberAz = append(c.memberRange, c.rng[m]), append(c.memberAz, c.az[m])
		}
		d := c.p.summarise(stamp, returns[first:len(returns):len(returns)], c.memberRange, c.memberAz)
		if isStatic && len(c.members) < c.p.MinPointsStatic {
			c.StaticSupportOnly += uint64(len(c.members))
			d.SupportOnly = true
		}
		dst = append(dst, d)
		cluster++
	}
	return dst, returns
}

// AcrossM is how far apart across the line of sight two points at range
// r (m) may lie and still be neighbours: eps_m, or what 2.5 standard
// deviations of azimuth noise spread a point by at that range when more.
func (p *Params) AcrossM(r float64) float64 {
	return max(p.EpsM, 2.5*(p.AzimuthStdDeg*math.Pi/180)*r)
}

// dopplerGap is a − b, wrapped into ± the unambiguous velocity when the
// Doppler wraps.
func (p *Params) dopplerGap(a, b float64) float64 {
	if p.MaxVelocityMps > 0 {
		return math.Remainder(a-b, 2*p.MaxVelocityMps)
	}
	return a - b
}

// angularGap is the angle between two bearings, in [0, π].
func angularGap(a, b float64) float64 {
	d := math.Abs(a - b)
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d
}

// indexByCell sorts the points by ring, then azimuth (see byCell), and
// notes where in that order each point and each ring lie.
func (c *Clusterer) indexByCell(pts []Point) {
	n := len(pts)
	c.byCell = grow(c.byCell, n)
	c.rng = grow(c.rng, n)
	c.ring = grow(c.ring, n)
	for i := range pts {
		c.byCell[i] = int32(i)
		c.rng[i] = math.Hypot(pts[i].X, pts[i].Y)
		c.ring[i] = math.Floor(c.rng[i] / c.p.EpsM)
	}
	c.sortByCell(n)
	c.pos = grow(c.pos, n)
	c.ringStart = grow(c.ringStart, n)
	c.ringEnd = grow(c.ringEnd, n)
	c.azByCell = grow(c.azByCell, n)
	for k := 0; k < n; {
		e := k + 1
		for e < n && c.ring[c.byCell[e]] == c.ring[c.byCell[k]] {
			e++
		}
		for m := k; m < e; m++ {
			c.pos[c.byCell[m]] = int32(m)
			c.azByCell[m] = c.az[c.byCell[m]]
			c.ringStart[m], c.ringEnd[m] = int32(k), int32(e)
		}
		k = e
	}
}

// sortByCell orders byCell by ring, then azimuth, then index. A frame's
// ranges span few rings, so the points are dealt into their rings by
// counting and only each ring is sorted by azimuth; where the rings
// outnumber the points (or a range is not finite), by comparison alone.
func (c *Clusterer) sortByCell(n int) {
	byAz := func(a, b int32) int {
		return cmp.Or(cmp.Compare(c.az[a], c.az[b]), cmp.Compare(a, b))
	}
	rings := 0.0
	for _, r := range c.ring[:n] {
		rings = max(rings, r+1)
	}
	if !(rings <= float64(4*n+64)) {
		slices.SortFunc(c.byCell, func(a, b int32) int {
			return cmp.Or(cmp.Compare(c.ring[a], c.ring[b]), byAz(a, b))
		})
		return
	}
	c.ringFirst = grow(c.ringFirst, int(rings)+1)
	clear(c.ringFirst)
	for _, r := range c.ring[:n] {
		c.ringFirst[int(r)+1]++
	}
	for r := 1; r < len(c.ringFirst); r++ {
		c.ringFirst[r] += c.ringFirst[r-1]
	}
	for i, r := range c.ring[:n] {
		c.byCell[c.ringFirst[int(r)]] = int32(i)
		c.ringFirst[int(r)]++
	}
	// Each ring's end is now where the next one starts.
	start := int32(0)
	for _, end := range c.ringFirst[:len(c.ringFirst)-1] {
		slices.SortFunc(c.byCell[start:end], byAz)
		start = end
	}
}

// neighbours returns the unvisited points near point q, in index order.
// Two near points are within EpsM of each other in range and, seen from
// the sensor, at most max(EpsM/r, 2.5σ_az) apart in bearing, r the
// farther one's range: only points of the rings and bearings that allows
// are tested (with a margin for rounding; across ±π, whole rings).
func (c *Clusterer) neighbours(q int, azStd float64, near func(i, j int) bool) []int32 {
	reach := c.p.EpsM*(1+1e-9) + 1e-12
	first, last := math.Floor((c.rng[q]-reach)/c.p.EpsM), math.Floor((c.rng[q]+reach)/c.p.EpsM)
	spread := max(c.p.EpsM/c.rng[q], 2.5*azStd)*(1+1e-9) + 1e-12
	lo, hi := c.az[q]-spread, c.az[q]+spread
	if lo < -math.Pi || hi > math.Pi {
		lo, hi = math.Inf(-1), math.Inf(1)
	}
	c.found = c.found[:0]
	k := c.pos[q]
	s, e := c.ringStart[k], c.ringEnd[k]
	c.scanRing(q, s, e, lo, hi, near)
	for s > 0 && c.ring[c.byCell[s-1]] >= first {
		prev := c.ringStart[s-1]
		c.scanRing(q, prev, s, lo, hi, near)
		s = prev
	}
	for int(e) < len(c.byCell) && c.ring[c.byCell[e]] <= last {
		next := c.ringEnd[e]
		c.scanRing(q, e, next, lo, hi, near)
		e = next
	}
	slices.Sort(c.found)
	return c.found
}

// scanRing adds to found the unvisited points near q among byCell[s:e],
// one ring, whose azimuth lies in [lo, hi].
func (c *Clusterer) scanRing(q int, s, e int32, lo, hi float64, near func(i, j int) bool) {
	k, end := s, e
	for k < e { // the first at or past lo
		m := k + (e-k)/2
		if c.azByCell[m] < lo {
			k = m + 1
		} else {
			e = m
		}
	}
	for ; k < end; k++ {
		if c.azByCell[k] > hi {
			return
		}
		j := c.byCell[k]
		if c.label[j] == unvisited && near(q, int(j)) {
			c.found = append(c.found, j)
		}
	}
}

// Summarise reports returns, the returns of one object, as one detection
// at stamp: the centroid's range, azimuth and mean Doppler (modulo the
// unambiguous velocity), with the centroid's uncertainty, and the
// returns' extent. The detection keeps returns (Detection.Points).
func (p *Params) Summarise(stamp sensors.Time, returns []perception.RadarReturn) perception.Detection {
	return p.summarise(stamp, returns, nil, nil)
}

// summarise is Summarise given each return's ground range and azimuth
// (math.Hypot and math.Atan2 of its position), or nil to work them out.
func (p *Params) summarise(stamp sensors.Time, returns []perception.RadarReturn, ranges, azimuths []float64) perception.Detection {
	var sx, sy, sd, snr float64
	for i := range returns {
		r := &returns[i]
		sx += r.X
		sy += r.Y
		sd += r.Doppler
		snr = max(snr, r.SNR)
	}
	k := float64(len(returns))
	x, y, dop := sx/k, sy/k, sd/k
	if p.MaxVelocityMps > 0 {
		// Each Doppler taken as its gap from the first one's, so returns
		// either side of the wrap average to the wrap, not to zero.
		ref, sum := returns[0].Doppler, 0.0
		for i := range returns {
			sum += p.dopplerGap(returns[i].Doppler, ref)
		}
		dop = p.dopplerGap(ref+sum/k, 0)
	}
	rng, az := math.Hypot(x, y), math.Atan2(y, x)
	// Spread of the returns about the centroid, along and across the line
	// of sight, and of their Doppler.
	var vr, vt, vd float64
	for i := range returns {
		r := &returns[i]
		var dr, dt float64
		if ranges != nil {
			dr, dt = ranges[i]-rng, (azimuths[i]-az)*rng
		} else {
			dr, dt = math.Hypot(r.X, r.Y)-rng, (math.Atan2(r.Y, r.X)-az)*rng
		}
		vr += dr * dr
		vt += dt * dt
		g := p.dopplerGap(r.Doppler, dop)
		vd += g * g
	}
	azStd := p.AzimuthStdDeg * math.Pi / 180
	d := perception.Detection{Stamp: stamp, Sensor: perception.Radar, Dim: 3, Class: perception.Uniform(), Score: ScoreFromSNR(snr)}
	d.Z = [perception.MaxMeasDim]float64{rng, az, dop}
	// A few returns say little about where on the object they came from:
	// the centroid's offset from the object's centre is at least that of
	// returns spread over a metre and a half (σ² = 1.5²/12 ≈ 0.19 m²).
	const extentVar = 0.19
	d.R[0][0] = p.RangeStdM*p.RangeStdM + max(vr/k, extentVar)
	d.R[1][1] = azStd*azStd + max(vt/k, extentVar)/max(rng*rng, 1)
	d.R[2][2] = p.DopplerStdMps*p.DopplerStdMps + vd/k
	d.Returns = len(returns)
	d.Spread[0] = math.Sqrt(max(vr/k-p.RangeStdM*p.RangeStdM, 0))
	d.Spread[1] = math.Sqrt(max(vt/k-azStd*azStd*rng*rng, 0))
	d.Spread[2] = math.Sqrt(max(vd/k-p.DopplerStdMps*p.DopplerStdMps, 0))
	d.Points = returns
	return d
}

// ScoreFromSNR is a radar detection's score from its strongest return's
// SNR in dB: 0 at 0 dB or below, 1 from 30 dB.
func ScoreFromSNR(snrDB float64) float64 { return min(1, max(snrDB, 0)/30) }

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, 2*n)
	}
	return s[:n]
}
