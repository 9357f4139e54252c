package fusion

import (
	"math"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// splitScratch is the split stage's scratch.
type splitScratch struct {
	dets   []perception.Detection
	base   []int32   // where detection k's returns start in owner and cost
	owner  []int32   // the track that claims each return best, or -1
	cost   []float64 // its claimCost
	first  []int32   // the first track claiming a return of detection k, or -1
	shared []bool    // whether another track claims one too
	// at is each return as a piece (placeReturns).
	at      []piece
	returns []perception.RadarReturn
	// splittable holds the scan's detections the split considers (see
	// splitMerged), in the match grid's tiers.
	splittable spatialGrid
}

// splitMerged gives each confirmed track of a clustered radar, before the
// assignment, the returns inside its object's footprint that move with
// it: a cluster whose returns two or more tracks claim is split, one
// detection per track with the returns it explains best (a return no
// track claims goes with the claimant that comes nearest explaining it).
// The clusterer merges neighbours whose returns lie within its
// neighbourhood — cars side by side on adjacent lanes, walkers crossing
// together — into one detection at the centroid between them, which
// pulls one track off its object while the other misses. It returns the
// detections the later stages use: dets itself when nothing was split,
// else the scratch copy (whose split detections' Points are valid until
// the next radar scan).
func (t *Tracker) splitMerged(sc *scan, dets []perception.Detection) []perception.Detection {
	m, s := &t.match, &t.split
	nd := len(dets)
	s.base = grow(s.base, nd+1)
	n := int32(0)
	for k := range dets {
		s.base[k] = n
		n += int32(len(dets[k].Points))
	}
	s.base[nd] = n
	if n == 0 {
		return dets
	}
	s.owner, s.cost = grow(s.owner, int(n)), grow(s.cost, int(n))
	for q := range s.owner {
		s.owner[q], s.cost[q] = -1, math.Inf(1)
	}
	s.first, s.shared = grow(s.first, nd), grow(s.shared, nd)
	for k := range nd {
		s.first[k], s.shared[k] = -1, false
	}
	// Only clusters of two returns or more within the range where a
	// return's place tells neighbours apart are split.
	maxRange := splitMaxBearingErrorM / (t.params.Clustering.AzimuthStdDeg * math.Pi / 180)
	if !s.splittable.subset(&m.grid, func(k int) bool {
		return !(len(dets[k].Points) < 2 || dets[k].Z[perception.RadarRange] > maxRange)
	}) {
		return dets
	}
	t.placeReturns(sc, dets)
	anyShared := false
	for i := range t.tracks {
		if t.tracks[i].Status != Confirmed {
			continue
		}
		f := t.at(i)
		fp := t.tracks[i].reach(f)
		m.near = s.splittable.within(m.near[:0], f.X[kalman.PX], f.X[kalman.PY], max(fp.along, fp.across))
		for _, k := range m.near {
			d := &dets[k]
			claimed := false
			for r := range d.Points {
				cost, inside := claimCost(sc, f, fp, &s.at[s.base[k]+int32(r)])
				if !inside {
					continue
				}
				claimed = true
				if at := s.base[k] + int32(r); cost < s.cost[at] {
					s.owner[at], s.cost[at] = int32(i), cost
				}
			}
			switch {
			case !claimed:
			case s.first[k] < 0:
				s.first[k] = int32(i)
			case s.first[k] != int32(i):
				s.shared[k], anyShared = true, true
			}
		}
	}
	if !anyShared {
		return dets
	}
	s.dets = append(s.dets[:0], dets...)
	s.returns = s.returns[:0]
	for k := range nd {
		if s.shared[k] {
			s.dets = t.splitOne(sc, s.dets, k, dets[k].Points, s.at[s.base[k]:s.base[k+1]], s.owner[s.base[k]:s.base[k+1]])
		}
	}
	m.grid.index(sc.sensor, sc.pose, s.dets)
	return s.dets
}

// splitMaxBearingErrorM is the bearing error of one return (one standard
// deviation across the line of sight) beyond which clusters are not
// split: 46 m for a radar with 1.5° of azimuth noise. Further out a
// return's place says little about which of two neighbours it came from;
// splitting there too cost the stress scenario's far traffic more than
// it gained (pooled MOTA through the TI path 0.743 against 0.753 when it
// was measured).
const splitMaxBearingErrorM = 1.2

// splitOne replaces detection k of dets by one detection per track among
// owners (the claimant of each of its returns pts, -1 for none), appending
// all but the first, and returns dets.
func (t *Tracker) splitOne(sc *scan, dets []perception.Detection, k int, pts []perception.RadarReturn, at []piece, owners []int32) []perception.Detection {
	s := &t.split
	for r, o := range owners {
		if o >= 0 {
			continue
		}
		best := math.Inf(1)
		for _, c := range owners {
			if c < 0 {
				continue
			}
			f := t.at(int(c))
			if cost, _ := claimCost(sc, f, t.tracks[c].reach(f), &at[r]); cost < best {
				best, owners[r] = cost, c
			}
		}
	}
	whole := dets[k]
	replaced := false
	for r, who := range owners {
		if who < 0 {
			continue // already in a group
		}
		first := len(s.returns)
		for q := r; q < len(owners); q++ {
			if owners[q] == who {
				s.returns = append(s.returns, pts[q])
				owners[q] = -1
			}
		}
		sub := t.params.Clustering.Summarise(whole.Stamp, s.returns[first:len(s.returns):len(s.returns)])
		sub.SupportOnly = whole.SupportOnly
		if !replaced {
			dets[k], replaced = sub, true
		} else {
			dets = append(dets, sub)
		}
	}
	return dets
}

// placeReturns fills the scratch's at with every return of dets as a
// piece, placed in odom.
func (t *Tracker) placeReturns(sc *scan, dets []perception.Detection) {
	s, cp := &t.split, &t.params.Clustering
	sinY, cosY := math.Sincos(sc.pose.Yaw)
	rangeVar := cp.RangeStdM * cp.RangeStdM
	azStd := cp.AzimuthStdDeg * math.Pi / 180
	s.at = s.at[:0]
	for k := range dets {
		for _, p := range dets[k].Points {
			rng := math.Hypot(p.X, p.Y)
			ux, uy := (cosY*p.X-sinY*p.Y)/rng, (sinY*p.X+cosY*p.Y)/rng
			s.at = append(s.at, piece{x: sc.pose.X + ux*rng, y: sc.pose.Y + uy*rng, ux: ux, uy: uy,
				rangeVar: rangeVar, tangVar: rng * rng * azStd * azStd, rate: p.Doppler, rateVar: cp.DopplerStdMps * cp.DopplerStdMps})
		}
	}
}

// claimCost is how well a track with filter f and footprint fp explains
// piece p: the sum of its squared shares of the track's reach
// (footprint.shares); inside says whether it is within that reach.
func claimCost(sc *scan, f *kalman.Filter, fp footprint, p *piece) (cost float64, inside bool) {
	a, b, g := fp.shares(sc, f, p)
	return a*a + b*b + g*g, inReach(a, b, g)
}

// reach is the footprint inside which a track claims returns: a moving
// track's extent (extent), else a square around it as wide as the
// largest class it plausibly is.
func (tr *Track) reach(f *kalman.Filter) footprint {
	if faster(f, gatherMinSpeedMps) {
		return tr.extent(f)
	}
	fp := footprint{hx: 1}
	for c := range tr.steering {
		if tr.steering[c] >= plausibleClass {
			size := perception.TypicalSize(perception.Class(c))
			fp.along = max(fp.along, 0.5*max(size[0], size[1]))
		}
	}
	fp.across = fp.along
	return fp
}
