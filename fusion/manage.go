package fusion

import (
	"cmp"
	"math"
	"slices"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// trackAtX is a track's index and x, for sorting tracks along x.
type trackAtX struct {
	x float64
	i int32
}

// dedupScratch is the duplicate sweep's: track indices sorted by x, each
// track's place in that order, the tracks' positions in a grid, and which
// tracks it deletes.
type dedupScratch struct {
	byX  []trackAtX
	rank []int32
	grid spatialGrid
	near []int32
	dead []bool
}

// manage confirms and deletes tracks, compacting the pool in place;
// after a radar scan (radarScan) it looks up in the static map which
// tracks lie on structure.
func (t *Tracker) manage(now sensors.Time, radarScan bool) {
	p := &t.params
	// Tracks are moved only to close the gaps the dead leave: a track
	// is a kilobyte, and most live on.
	n := 0
	for i := range t.tracks {
		tr := &t.tracks[i]
		// A radar blind to static objects cannot be the only judge of
		// the tracks it starts: an object crossing its line of sight
		// vanishes from it, and the camera must be able to confirm it.
		anySensor := p.Radar.StaticBlindMps > 0
		tr.onStructure = p.StaticMap && t.onStructure(tr, now, radarScan)
		if tr.Status == Tentative && tr.passedMofN(p.ConfirmHits, anySensor) && tr.Existence >= p.ExistenceConfirm &&
			!tr.onStructure && !t.pieceOfConfirmed(i, now) {
			tr.Status = Confirmed
			if p.ReidentifyWindow > 0 {
				t.reidentify(tr, now)
			}
		}
		dead := tr.Existence < p.ExistenceDelete || now.Sub(tr.LastSeen()) > p.MaxCoast
		if tr.Status == Tentative {
			// A tentative track that failed its M-of-N window is dropped.
			dead = dead || tr.failedMofN(p.ConfirmHits, p.confirmWindow(), anySensor)
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
		if n != i {
			t.tracks[n] = *tr
		}
		n++
	}
	t.tracks = t.tracks[:n]
}

// pieceOfConfirmed reports whether tentative track i, of a clustered
// radar with Params.PiecesTentative, lies inside the footprint of a
// confirmed track that moves as it does: a piece of that object the
// clusterer cut off, such as the far half of a truck first taken for a
// car, which confirmed as an object of its own takes the pieces the
// object's track needs and starves it. The footprint is widened across
// by twice the confirmed track's heading error over the distance along
// it (young tracks know their heading poorly), and the two must move
// towards the ego vehicle at rates within pieceSpeedGapMps.
func (t *Tracker) pieceOfConfirmed(i int, now sensors.Time) bool {
	if !t.params.Radar.Fragments || !t.params.PiecesTentative {
		return false
	}
	f := &t.tracks[i].Filter
	ego := t.ego.at(now)
	ux, uy := f.X[kalman.PX]-ego.X, f.X[kalman.PY]-ego.Y
	r := math.Hypot(ux, uy)
	if r < 1 {
		return false
	}
	ux, uy = ux/r, uy/r
	for j := range t.tracks {
		o := &t.tracks[j]
		if o.Status != Confirmed || !faster(&o.Filter, gatherMinSpeedMps) {
			continue
		}
		fp := o.extent(&o.Filter)
		g := &o.Filter
		dx, dy := f.X[kalman.PX]-g.X[kalman.PX], f.X[kalman.PY]-g.X[kalman.PY]
		along, across := dx*fp.hx+dy*fp.hy, -dx*fp.hy+dy*fp.hx
		nx, ny := -fp.hy, fp.hx
		sideVar := nx*nx*g.P[kalman.VX][kalman.VX] + 2*nx*ny*g.P[kalman.VX][kalman.VY] + ny*ny*g.P[kalman.VY][kalman.VY]
		headingErr := math.Sqrt(sideVar) / math.Hypot(g.X[kalman.VX], g.X[kalman.VY])
		rateGap := (f.X[kalman.VX]-g.X[kalman.VX])*ux + (f.X[kalman.VY]-g.X[kalman.VY])*uy
		if math.Abs(along) <= fp.along && math.Abs(across) <= fp.across+2*headingErr*math.Abs(along) && math.Abs(rateGap) <= pieceSpeedGapMps {
			return true
		}
	}
	return false
}

// pieceSpeedGapMps is how much faster or slower than a confirmed track,
// towards the ego vehicle, a tentative track inside its footprint may move and
// still be taken for a piece of it.
const pieceSpeedGapMps = 1

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
		if t.failed(f.Predict(now.Sub(l.stamp).Seconds(), t.params.AccelStdMps2)) {
			continue
		}
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

// dropDuplicates deletes the younger of two tracks that describe one
// object: classes that agree, velocities within 2 m/s, and centres within three quarters of the
// longer typical length along the older track's heading and within half
// the wider typical width plus 0.5 m across it. Fragments of one long
// object (a truck's front and rear returns) otherwise become two tracks.
func (t *Tracker) dropDuplicates() {
	n := len(t.tracks)
	d := &t.dedup
	d.byX, d.rank, d.dead = grow(d.byX, n), grow(d.rank, n), grow(d.dead, n)
	tracks := t.tracks
	for i := range d.byX {
		d.byX[i] = trackAtX{x: tracks[i].Filter.X[kalman.PX], i: int32(i)}
		d.dead[i] = false
	}
	slices.SortFunc(d.byX, func(a, b trackAtX) int { return cmp.Compare(a.x, b.x) })
	for a, k := range d.byX {
		d.rank[k.i] = int32(a)
	}
	d.grid.indexPoints(n, func(i int) (x, y float64) { return tracks[i].Filter.X[kalman.PX], tracks[i].Filter.X[kalman.PY] })
	// Each pair once, in x order: no two parts of one object are further
	// apart than three quarters of the longest typical length.
	maxReach := 0.75 * perception.TypicalSize(perception.Truck)[0]
	for a := 0; a < n; a++ {
		i := d.byX[a].i
		if d.dead[i] {
			continue
		}
		ta := &t.tracks[i]
		d.near = d.grid.within(d.near[:0], ta.Filter.X[kalman.PX], ta.Filter.X[kalman.PY], maxReach)
		// Those after it in x order, within reach along x, in that order
		// (by insertion: a track has few neighbours).
		kept := d.near[:0]
		for _, j := range d.near {
			if d.rank[j] <= int32(a) || tracks[j].Filter.X[kalman.PX]-ta.Filter.X[kalman.PX] > maxReach {
				continue
			}
			kept = append(kept, j)
			for p := len(kept) - 1; p > 0 && d.rank[kept[p]] < d.rank[kept[p-1]]; p-- {
				kept[p], kept[p-1] = kept[p-1], kept[p]
			}
		}
		d.near = kept
		for _, j := range d.near {
			if d.dead[i] {
				break
			}
			tb := &t.tracks[j]
			if d.dead[j] {
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
			d.dead[victim] = true
		}
	}
	kept := 0
	for i := range t.tracks {
		switch {
		case !d.dead[i]:
			if kept != i {
				t.tracks[kept] = t.tracks[i]
			}
			kept++
		case t.tracks[i].Status == Confirmed:
			t.deleted = append(t.deleted, t.tracks[i].ID)
		}
	}
	t.tracks = t.tracks[:kept]
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
	along, across := 0.75*max(sa[0], sb[0]), max(sa[1], sb[1])/2+0.5
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
