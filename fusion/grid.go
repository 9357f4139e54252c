package fusion

import (
	"cmp"
	"math"
	"slices"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
)

// gridCellM is the side of a grid cell: about a car's length, so a track's
// neighbourhood spans a handful of cells.
const gridCellM = 8.0

// detectionGrid buckets one scan's detections by their position in odom,
// so that each track tests only the detections near it instead of all of
// them. Its slices are reused from scan to scan.
type detectionGrid struct {
	order  []int32 // detection indices sorted by cell
	keys   []int64 // keys[j] is the cell of detection j
	cx, cy []int64 // the cell of detection j, by axis
	// slack is added to every track's reach: three standard deviations of
	// the least precise detection's position plus 2 m.
	slack float64
}

func cellKey(cx, cy int64) int64 { return cx<<32 ^ (cy & 0xffffffff) }

func cellOf(v float64) int64 { return int64(math.Floor(v / gridCellM)) }

// index buckets dets, seen by sensor s from pose.
func (g *detectionGrid) index(s perception.Sensor, pose kalman.SensorPose, dets []perception.Detection) {
	g.order = grow(g.order, len(dets))
	g.keys = grow(g.keys, len(dets))
	g.cx = grow(g.cx, len(dets))
	g.cy = grow(g.cy, len(dets))
	worst := 0.0
	for j := range dets {
		rng, az, rangeVar, azVar := polar(s, &dets[j])
		b := pose.Yaw + az
		x, y := pose.X+rng*math.Cos(b), pose.Y+rng*math.Sin(b)
		worst = math.Max(worst, rangeVar+rng*rng*azVar)
		g.order[j] = int32(j)
		g.cx[j], g.cy[j] = cellOf(x), cellOf(y)
		g.keys[j] = cellKey(g.cx[j], g.cy[j])
	}
	g.slack = 3*math.Sqrt(worst) + 2
	keys := g.keys
	slices.SortFunc(g.order, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
}

// within appends to dst the detections in cells that a disc of radius r
// around (x, y) touches, cell by cell (x, then y). A disc wider than the
// scan has detections — a track whose covariance has grown large — is
// answered from the detections instead of its cells, so the cost is never
// more than the scan's size.
func (g *detectionGrid) within(dst []int32, x, y, r float64) []int32 {
	x0, x1, y0, y1 := cellOf(x-r), cellOf(x+r), cellOf(y-r), cellOf(y+r)
	if float64(x1-x0+1)*float64(y1-y0+1) > float64(len(g.order)) {
		from := len(dst)
		for _, j := range g.order {
			if g.cx[j] >= x0 && g.cx[j] <= x1 && g.cy[j] >= y0 && g.cy[j] <= y1 {
				dst = append(dst, j)
			}
		}
		slices.SortStableFunc(dst[from:], func(a, b int32) int {
			if c := cmp.Compare(g.cx[a], g.cx[b]); c != 0 {
				return c
			}
			return cmp.Compare(g.cy[a], g.cy[b])
		})
		return dst
	}
	for cx := x0; cx <= x1; cx++ {
		for cy := y0; cy <= y1; cy++ {
			key := cellKey(cx, cy)
			k, _ := slices.BinarySearchFunc(g.order, key, func(j int32, key int64) int { return cmp.Compare(g.keys[j], key) })
			for ; k < len(g.order) && g.keys[g.order[k]] == key; k++ {
				dst = append(dst, g.order[k])
			}
		}
	}
	return dst
}
