package fusion

import (
	"math"

	"github.com/avfusion/avfusion/perception"
)

// sparseChance bounds how likely the returns of a small static cluster
// may be clutter that fell together by chance for it to start a track:
// promoteSparseStatic's expected number of static clutter returns in the
// cluster's neighbourhood, raised to the power of its returns but one.
const sparseChance = 0.06

// promoteSparseStatic lets a small static cluster of a clustered radar
// start and confirm tracks when the scan's static clutter is sparse. The
// clusterer marks a static cluster with fewer than min_points_static
// returns support only, because static clutter looks the same; but a
// parked car 60 m off gives two returns a scan as often as three, and
// where static clutter is rare two returns a few metres apart are
// unlikely to be two clutter returns. The returns of the scan's
// support-only clusters measure that clutter (all of them: clutter dense
// enough falls in pairs too; a parked car's count only makes the rule
// more careful): spread evenly over range and bearing, the number
// expected inside a cluster's neighbourhood (the clusterer's ellipse:
// eps_m along the line of sight, AcrossM across) is μ, and a cluster of
// k ≥ 2 returns is no longer support only when μ^(k−1) < sparseChance.
// It returns dets itself when nothing changed, else a copy in scratch.
func (t *Tracker) promoteSparseStatic(sc *scan, dets []perception.Detection) []perception.Detection {
	supporting, small := 0, 0
	for j := range dets {
		if dets[j].SupportOnly {
			supporting += dets[j].Returns
			if dets[j].Returns > 1 {
				small++
			}
		}
	}
	if small == 0 {
		return dets
	}
	cp := &t.params.Clustering
	perRangeBearing := float64(supporting) / (sc.cov.MaxRangeM * sc.cov.FOVDeg * math.Pi / 180)
	out := dets
	for j := range dets {
		d := &dets[j]
		if !d.SupportOnly || d.Returns < 2 {
			continue
		}
		r := d.Z[perception.RadarRange]
		mu := perRangeBearing * math.Pi * cp.EpsM * cp.AcrossM(r) / max(r, cp.EpsM)
		if math.Pow(mu, float64(d.Returns-1)) >= sparseChance {
			continue
		}
		if &out[0] == &dets[0] {
			t.sparse = append(t.sparse[:0], dets...)
			out = t.sparse
		}
		out[j].SupportOnly = false
	}
	return out
}
