package fusion

import (
	"cmp"
	"math"
	"slices"
)

// arcIndex finds which of a set of arcs of bearing — each a centre and a
// half-width, in radians — meet a query interval without testing every
// arc. The arcs are kept in tiers by half-width, each tier's widest at
// most twice the one before's, each tier sorted by centre: a query
// searches each tier's centres within the interval widened by that
// tier's widest arc, so it costs O(tiers · log n) plus the arcs it finds
// and at most as many again that lie beside them. Its slices are reused
// from scan to scan.
type arcIndex struct {
	tiers [arcTiers]arcTier
}

type arcTier struct {
	arcs   []arc
	widest float64
}

type arc struct {
	centre, half float64
	id           int32
}

// arcTiers is how many tiers of half-width an arcIndex keeps; the last
// holds every arc wider than the one before it allows.
const arcTiers = 10

// narrowestArc is the widest half-width of the first tier, rad (a car
// across at 400 m); each tier after it doubles it.
const narrowestArc = 1.0 / 512

// reset empties the index.
func (x *arcIndex) reset() {
	for k := range x.tiers {
		x.tiers[k].arcs, x.tiers[k].widest = x.tiers[k].arcs[:0], 0
	}
}

// add puts the arc centre ± half of id in the index; sort must follow
// before a query.
func (x *arcIndex) add(id int, centre, half float64) {
	k, bound := 0, narrowestArc
	for k < arcTiers-1 && !(half <= bound) {
		k, bound = k+1, 2*bound
	}
	t := &x.tiers[k]
	t.arcs = append(t.arcs, arc{centre: centre, half: half, id: int32(id)})
	t.widest = max(t.widest, half)
}

// sort orders each tier by centre.
func (x *arcIndex) sort() {
	for k := range x.tiers {
		slices.SortFunc(x.tiers[k].arcs, func(a, b arc) int { return cmp.Compare(a.centre, b.centre) })
	}
}

// meeting appends to dst the ids of the arcs whose closed interval meets
// [lo, hi], in increasing order of id.
func (x *arcIndex) meeting(dst []int32, lo, hi float64) []int32 {
	n := len(dst)
	for k := range x.tiers {
		t := &x.tiers[k]
		if len(t.arcs) == 0 {
			continue
		}
		from, _ := slices.BinarySearchFunc(t.arcs, lo-t.widest, func(a arc, c float64) int { return cmp.Compare(a.centre, c) })
		for _, a := range t.arcs[from:] {
			if a.centre > hi+t.widest {
				break
			}
			if a.centre-a.half <= hi && a.centre+a.half >= lo {
				dst = append(dst, a.id)
			}
		}
	}
	slices.Sort(dst[n:])
	return dst
}

// meetingAround is meeting for the interval centre ± half on the circle
// of bearings, whose arcs' centres lie in [−π, π]: the interval wrapped
// into that range, in up to three pieces. An id found in two pieces is
// listed twice.
func (x *arcIndex) meetingAround(dst []int32, centre, half float64) []int32 {
	if half >= math.Pi {
		return x.meeting(dst, math.Inf(-1), math.Inf(1))
	}
	widest := x.widest()
	for _, shift := range [...]float64{-2 * math.Pi, 0, 2 * math.Pi} {
		if lo, hi := centre-half+shift, centre+half+shift; hi >= -math.Pi-widest && lo <= math.Pi+widest {
			dst = x.meeting(dst, lo, hi)
		}
	}
	return dst
}

// widest is the largest half-width in the index.
func (x *arcIndex) widest() float64 {
	w := 0.0
	for k := range x.tiers {
		w = max(w, x.tiers[k].widest)
	}
	return w
}
