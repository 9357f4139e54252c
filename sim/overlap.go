package sim

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// overlapStep is how often Overlaps samples the actors' footprints.
const overlapStep = 100 * time.Millisecond

// maxOverlapLines is how many overlapping pairs Overlaps names one by one.
const maxOverlapLines = 5

// Overlaps names the pairs of actors whose footprints overlap in the
// first duration of the scenario, sampled every overlapStep: objects that pass
// through each other, which no sensor can tell apart and which count
// against every tracker as a miss. A footprint is the class's typical
// length along the actor's heading (its velocity; a standing actor faces
// along x) by its width. The first maxOverlapLines pairs get a line each
// (when they first overlap and for how long), then one line says how
// many more there are; nil when no actors overlap.
func Overlaps(sc *Scenario, duration time.Duration) []string {
	w := NewWorld(sc, calib.DefaultRig(), 0)
	type pair struct{ a, b int }
	type span struct{ first, last time.Duration }
	seen := map[pair]span{}
	var order []pair
	boxes := make([]footprint, len(sc.Actors))
	byX := make([]int, 0, len(sc.Actors))
	for el := time.Duration(0); el <= duration; el += overlapStep {
		// Swept along x: only actors closer in x than their reaches
		// together can overlap.
		byX = byX[:0]
		widest := 0.0
		for i := range sc.Actors {
			if tr, ok := w.truthAt(&sc.Actors[i], sensors.Time(el)); ok {
				boxes[i] = footprintOf(&tr)
				byX = append(byX, i)
				widest = max(widest, boxes[i].reach())
			}
		}
		slices.SortFunc(byX, func(a, b int) int { return cmp.Compare(boxes[a].x, boxes[b].x) })
		for k, i := range byX {
			for _, j := range byX[k+1:] {
				if boxes[j].x-boxes[i].x >= boxes[i].reach()+widest {
					break
				}
				if !boxes[i].overlaps(&boxes[j]) {
					continue
				}
				p := pair{min(i, j), max(i, j)}
				s, ok := seen[p]
				if !ok {
					s.first = el
					order = append(order, p)
				}
				s.last = el
				seen[p] = s
			}
		}
	}
	// Named in the order they first overlap, then by the actors' order.
	slices.SortFunc(order, func(p, q pair) int {
		return cmp.Or(cmp.Compare(seen[p].first, seen[q].first), cmp.Compare(p.a, q.a), cmp.Compare(p.b, q.b))
	})
	var out []string
	for k, p := range order {
		if k == maxOverlapLines {
			out = append(out, fmt.Sprintf("actors: %d more pairs of actors overlap", len(order)-k))
			break
		}
		a, b, s := &sc.Actors[p.a], &sc.Actors[p.b], seen[p]
		lasting := min(s.last+overlapStep, duration) - s.first
		out = append(out, fmt.Sprintf("actors: %d (%s) and %d (%s) overlap from %.1f s for %.1f s: they pass through each other",
			a.ID, a.Class, b.ID, b.Class, s.first.Seconds(), lasting.Seconds()))
	}
	return out
}

// footprint is an actor's rectangle on the ground: its centre, the unit
// vector of its heading, and half its length and width.
type footprint struct {
	x, y, hx, hy, halfLen, halfWid float64
}

func footprintOf(tr *Truth) footprint {
	size := perception.TypicalSize(tr.Class)
	f := footprint{x: tr.X, y: tr.Y, hx: 1, halfLen: size[0] / 2, halfWid: size[1] / 2}
	if s := math.Hypot(tr.VX, tr.VY); s > 0.1 {
		f.hx, f.hy = tr.VX/s, tr.VY/s
	}
	return f
}

// overlaps reports whether two footprints share any area: no axis of
// either separates them.
func (f *footprint) overlaps(g *footprint) bool {
	dx, dy := g.x-f.x, g.y-f.y
	reach := f.reach() + g.reach()
	if dx*dx+dy*dy >= reach*reach {
		return false
	}
	for _, axis := range [4][2]float64{{f.hx, f.hy}, {-f.hy, f.hx}, {g.hx, g.hy}, {-g.hy, g.hx}} {
		if math.Abs(dx*axis[0]+dy*axis[1]) >= f.extent(axis)+g.extent(axis) {
			return false
		}
	}
	return true
}

// reach is how far from its centre the footprint extends: half its
// diagonal.
func (f *footprint) reach() float64 { return math.Hypot(f.halfLen, f.halfWid) }

// extent is half the footprint's width along a unit axis.
func (f *footprint) extent(axis [2]float64) float64 {
	along := math.Abs(f.hx*axis[0] + f.hy*axis[1])
	across := math.Abs(-f.hy*axis[0] + f.hx*axis[1])
	return f.halfLen*along + f.halfWid*across
}
