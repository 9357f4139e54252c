package fusion

import (
	"math"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// fragmentScratch is the gather stage's scratch: the scan's detections
// with each gathering track's return replaced by the merged one, and who
// took or claimed each return.
type fragmentScratch struct {
	dets   []perception.Detection
	taker  []int32 // the track that took the return, when one did
	claims []int8  // how many confirmed tracks' extents hold it (at most 2)
	owner  []int32 // the last of them
}

// gatherFragments lets each confirmed track of a fragmenting radar (a
// clustered point cloud) take the scan's returns that lie inside its
// object's footprint and move with it, when no other confirmed track
// took or claims them: track-guided clustering. The clusterer splits an
// object whose few returns lie further apart than its neighbourhood (a
// truck's front and rear), and a track updated by the piece nearest its
// prediction keeps to that piece, metres off the object's centre — or
// the object becomes two tracks, front and rear; a track placed at the
// centre may have no piece inside its gate. A return a tentative track
// took is taken from it (that track misses): it is more likely a piece
// of the confirmed object than a new one. The pieces are merged into the
// track's return, or into the first of them when the gate gave it none
// (mergeFragments). It returns the detections the later stages use:
// dets itself when nothing was gathered, else the scratch copy holding
// the merged returns.
func (t *Tracker) gatherFragments(sc *scan, dets []perception.Detection) []perception.Detection {
	m, g := &t.match, &t.frag
	nd := len(dets)
	g.taker = grow(g.taker, nd)
	g.claims = grow(g.claims, nd)
	g.owner = grow(g.owner, nd)
	clear(g.claims)
	for i, j := range m.rowToCol[:len(t.tracks)] {
		if j >= 0 {
			g.taker[j] = int32(i)
		}
	}
	claimed := false
	for i := range t.tracks {
		if t.tracks[i].Status != Confirmed || t.pda.done[i] {
			continue
		}
		f := t.at(i)
		if !faster(f, gatherMinSpeedMps) {
			continue
		}
		j := m.rowToCol[i]
		ext := t.tracks[i].extent(f)
		m.near = m.grid.within(m.near[:0], f.X[kalman.PX], f.X[kalman.PY], ext.along)
		for _, k := range m.near {
			d := &dets[k]
			if int(k) == j || d.SupportOnly || (m.detUsed[k] && t.tracks[g.taker[k]].Status == Confirmed) {
				continue
			}
			p := m.grid.piece(k, d)
			if ext.surelyOutside(f, &p) || !inReach(ext.shares(sc, f, &p)) {
				continue
			}
			g.claims[k] = min(g.claims[k]+1, 2)
			g.owner[k] = int32(i)
			claimed = true
		}
	}
	if !claimed {
		return dets
	}
	g.dets = append(g.dets[:0], dets...)
	for k := range nd {
		if g.claims[k] != 1 {
			continue
		}
		if m.detUsed[k] {
			m.rowToCol[g.taker[k]] = -1 // the tentative track misses
		}
		m.detUsed[k] = true // and the piece starts no track
		i := g.owner[k]
		if j := m.rowToCol[i]; j >= 0 {
			mergeFragments(&g.dets[j], &dets[k], &sc.model)
		} else {
			m.rowToCol[i] = k
		}
	}
	return g.dets
}

// gatherMinSpeedMps is the speed from which a track gathers pieces:
// faster than a walker or a jogger. Slower objects are walkers, parked
// vehicles or vehicles in a queue, whose returns lie among other objects'
// (a walker's among the walkers beside it): gathering for them, the
// tracks of the stress scenario's crowded pavements took their
// neighbours' first returns and kept new tracks from starting.
const gatherMinSpeedMps = 3

// faster reports whether the filter's speed is above v.
func faster(f *kalman.Filter, v float64) bool {
	vx, vy := f.X[kalman.VX], f.X[kalman.VY]
	return vx*vx+vy*vy > v*v
}

// footprint is where the pieces of a moving track's object may lie:
// along its heading (hx, hy) within three quarters of its length (the
// track may sit on a piece, up to half a length off the object's centre,
// as dropDuplicates also allows), across it within half its width.
type footprint struct {
	along, across, hx, hy float64
}

// extent returns the footprint of a track that moves, of the largest
// class it plausibly is (probability at least plausibleClass): a truck's
// track is often taken for a car at first, and a car-sized footprint
// would leave the truck's far pieces out.
func (tr *Track) extent(f *kalman.Filter) footprint {
	speed := math.Hypot(f.X[kalman.VX], f.X[kalman.VY])
	fp := footprint{hx: f.X[kalman.VX] / speed, hy: f.X[kalman.VY] / speed}
	for c := range tr.steering {
		if tr.steering[c] >= plausibleClass {
			size := perception.TypicalSize(perception.Class(c))
			fp.along, fp.across = max(fp.along, 0.75*size[0]), max(fp.across, size[1]/2)
		}
	}
	return fp
}

// plausibleClass is the class probability from which a track's footprint
// counts that class's size.
const plausibleClass = 0.15

// piece is a radar return, or a cluster of them, considered as part of
// a track's object: its position in odom, the unit vector from the
// sensor towards it, the variances of its position error along and
// across that line, and its range rate with its variance.
type piece struct {
	x, y, ux, uy, rangeVar, tangVar, rate, rateVar float64
}

// piece is the scan's detection k, d, as a piece, placed where the grid
// placed it.
func (g *spatialGrid) piece(k int32, d *perception.Detection) piece {
	rng := d.Z[perception.RadarRange]
	return piece{x: g.x[k], y: g.y[k], ux: g.ux[k], uy: g.uy[k], rangeVar: d.R[0][0], tangVar: rng * rng * d.R[1][1],
		rate: d.Z[perception.RadarRangeRate], rateVar: d.R[2][2]}
}

// shares returns how far piece p lies from the footprint's centre, on
// filter f's position, along and across its heading, and how far its
// range rate is from the track's (modulo the radar's unambiguous span),
// each as a share of how far the track reaches: the footprint widened by
// twice the piece's position error in each direction, and three standard
// deviations (the piece's noise and the track's velocity uncertainty
// along the line of sight) plus 0.3 m/s. A piece is within reach when all
// three are (inReach): a rider the car passes is not a piece of it.
func (fp footprint) shares(sc *scan, f *kalman.Filter, p *piece) (along, across, rate float64) {
	const slackMps = 0.3
	al, side, alVar, sideVar := fp.offset(f, p)
	reachAlong := fp.along + 2*math.Sqrt(alVar)
	reachAcross := fp.across + 2*math.Sqrt(sideVar)
	ux, uy := p.ux, p.uy
	trackRate := ux*(f.X[kalman.VX]-sc.pose.VX) + uy*(f.X[kalman.VY]-sc.pose.VY)
	trackRateVar := ux*ux*f.P[kalman.VX][kalman.VX] + 2*ux*uy*f.P[kalman.VX][kalman.VY] + uy*uy*f.P[kalman.VY][kalman.VY]
	gap := sc.model.Residual(perception.RadarRangeRate, p.rate-trackRate)
	return al / reachAlong, side / reachAcross, gap / (3*math.Sqrt(p.rateVar+trackRateVar) + slackMps)
}

// surelyOutside reports, without the square roots shares takes, that
// piece p lies further along or across the heading from filter f's
// position than the footprint widened by twice its position error, by
// more than rounding: shares would put it out of reach.
func (fp footprint) surelyOutside(f *kalman.Filter, p *piece) bool {
	al, side, alVar, sideVar := fp.offset(f, p)
	beyond := func(off, reach, errVar float64) bool {
		e := math.Abs(off) - reach
		return e > 0 && e*e > 4*errVar*(1+1e-6)
	}
	return beyond(al, fp.along, alVar) || beyond(side, fp.across, sideVar)
}

// offset returns how far piece p lies from filter f's position along and
// across the footprint's heading, and the variances of its position
// error in those directions (from its errors along and across its line
// of sight).
func (fp footprint) offset(f *kalman.Filter, p *piece) (along, across, alongVar, acrossVar float64) {
	dx, dy := p.x-f.X[kalman.PX], p.y-f.X[kalman.PY]
	c, s := p.ux*fp.hx+p.uy*fp.hy, p.uy*fp.hx-p.ux*fp.hy
	return dx*fp.hx + dy*fp.hy, -dx*fp.hy + dy*fp.hx, c*c*p.rangeVar + s*s*p.tangVar, s*s*p.rangeVar + c*c*p.tangVar
}

// inReach reports whether a piece whose shares are along, across and
// rate is within a track's reach.
func inReach(along, across, rate float64) bool {
	return math.Abs(along) <= 1 && math.Abs(across) <= 1 && math.Abs(rate) <= 1
}

// mergeFragments folds return d into return a as if the clusterer had
// put all their returns in one cluster: the centroid of both, weighted by
// their returns (range rates compared as the radar's model does,
// modulo its unambiguous span), their returns added up and, for the head's extent evidence,
// the spread of the union (each piece's own plus its offset from the
// joint centroid; in Doppler, its own plus its offset from the joint
// range rate). The covariance stays a's: the union's centroid is
// nearer the object's centre than a piece's, not further (the spread of
// a truck's pieces, taken as the union's covariance the way the
// clusterer takes a cluster's, weakens the radar so much that the
// camera's range, which assumes a class's depth, pulls a truck's track
// two metres off).
func mergeFragments(a, d *perception.Detection, model *kalman.Model) {
	wa, wd := float64(max(a.Returns, 1)), float64(max(d.Returns, 1))
	w := wa + wd
	ra, aa := a.Z[perception.RadarRange], a.Z[perception.RadarAzimuth]
	rd, ad := d.Z[perception.RadarRange], d.Z[perception.RadarAzimuth]
	x := (wa*ra*math.Cos(aa) + wd*rd*math.Cos(ad)) / w
	y := (wa*ra*math.Sin(aa) + wd*rd*math.Sin(ad)) / w
	rng, az := math.Hypot(x, y), math.Atan2(y, x)
	gap := model.Residual(perception.RadarRangeRate, d.Z[perception.RadarRangeRate]-a.Z[perception.RadarRangeRate])
	// Each piece's offset from the joint centroid, along and across the
	// joint line of sight.
	alA, siA := ra*math.Cos(aa-az)-rng, ra*math.Sin(aa-az)
	alD, siD := rd*math.Cos(ad-az)-rng, rd*math.Sin(ad-az)
	spread := func(sa, sd, oa, od float64) float64 {
		return math.Sqrt((wa*(sa*sa+oa*oa) + wd*(sd*sd+od*od)) / w)
	}
	a.Z[perception.RadarRange], a.Z[perception.RadarAzimuth] = rng, az
	a.Z[perception.RadarRangeRate] += wd / w * gap
	a.Spread[0] = spread(a.Spread[0], d.Spread[0], alA, alD)
	a.Spread[1] = spread(a.Spread[1], d.Spread[1], siA, siD)
	a.Spread[2] = spread(a.Spread[2], d.Spread[2], -wd/w*gap, wa/w*gap)
	a.Returns = int(w)
	a.Score = max(a.Score, d.Score)
}
