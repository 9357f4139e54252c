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
	order []int32 // detection indices sorted by cell
	keys  []int64 // keys[j] is the cell of detection j
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
	worst := 0.0
	for j := range dets {
		rng, az, rangeVar, azVar := polar(s, &dets[j])
		b := pose.Yaw + az
		x, y := pose.X+rng*math.Cos(b), pose.Y+rng*math.Sin(b)
		worst = math.Max(worst, rangeVar+rng*rng*azVar)
		g.order[j] = int32(j)
		g.keys[j] = cellKey(cellOf(x), cellOf(y))
	}
	g.slack = 3*math.Sqrt(worst) + 2
	keys := g.keys
	slices.SortFunc(g.order, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
}

// within appends to dst the detections in cells that a disc of radius r
// around (x, y) touches.
func (g *detectionGrid) within(dst []int32, x, y, r float64) []int32 {
	for cx := cellOf(x - r); cx <= cellOf(x+r); cx++ {
		for cy := cellOf(y - r); cy <= cellOf(y+r); cy++ {
			key := cellKey(cx, cy)
			k, _ := slices.BinarySearchFunc(g.order, key, func(j int32, key int64) int { return cmp.Compare(g.keys[j], key) })
			for ; k < len(g.order) && g.keys[g.order[k]] == key; k++ {
				dst = append(dst, g.order[k])
			}
		}
	}
	return dst
}
