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
// them. The detections are sorted by cell, column (x) first, then y, and
// by index within a cell: a column of cells is one run of the order. Its
// slices are reused from scan to scan.
type detectionGrid struct {
	order []int32 // detection indices sorted by cell, then index
	keys  []int64 // keys[j] is the cell of detection j (see cellKey)
	cx    []int64 // the column of detection j
	// slack is added to every track's reach: three standard deviations of
	// the least precise detection's position plus 2 m.
	slack float64
}

// cellKey orders cells by column, then by row: cy is offset into an
// unsigned 32-bit range so that its sign does not upset the order.
func cellKey(cx, cy int64) int64 { return cx<<32 | ((cy + 1<<31) & 0xffffffff) }

func cellOf(v float64) int64 { return int64(math.Floor(v / gridCellM)) }

// index buckets dets, seen by sensor s from pose.
func (g *detectionGrid) index(s perception.Sensor, pose kalman.SensorPose, dets []perception.Detection) {
	g.order = grow(g.order, len(dets))
	g.keys = grow(g.keys, len(dets))
	g.cx = grow(g.cx, len(dets))
	worst := 0.0
	for j := range dets {
		rng, az, rangeVar, azVar := polar(s, &dets[j])
		b := pose.Yaw + az
		x, y := pose.X+rng*math.Cos(b), pose.Y+rng*math.Sin(b)
		worst = math.Max(worst, rangeVar+rng*rng*azVar)
		g.order[j] = int32(j)
		g.cx[j] = cellOf(x)
		g.keys[j] = cellKey(g.cx[j], cellOf(y))
	}
	g.slack = 3*math.Sqrt(worst) + 2
	keys := g.keys
	slices.SortFunc(g.order, func(a, b int32) int {
		if c := cmp.Compare(keys[a], keys[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// within appends to dst the detections in cells that a disc of radius r
// around (x, y) touches, cell by cell (x, then y), by index within a
// cell. Each column of cells is one run of the order, found by one binary
// search; a disc wider than the scan's columns is answered by one pass
// over the detections. The cost is bounded by the scan's size whatever
// the disc's.
func (g *detectionGrid) within(dst []int32, x, y, r float64) []int32 {
	x0, x1, y0, y1 := cellOf(x-r), cellOf(x+r), cellOf(y-r), cellOf(y+r)
	lo, hi := cellKey(x0, y0), cellKey(x1, y1)
	inRows := func(j int32) bool {
		row := g.keys[j] - g.cx[j]<<32
		return row >= cellKey(0, y0) && row <= cellKey(0, y1)
	}
	if float64(x1-x0+1) > float64(len(g.order)) {
		for _, j := range g.order {
			if g.keys[j] >= lo && g.keys[j] <= hi && inRows(j) {
				dst = append(dst, j)
			}
		}
		return dst
	}
	for cx := x0; cx <= x1; cx++ {
		start, end := cellKey(cx, y0), cellKey(cx, y1)
		k, _ := slices.BinarySearchFunc(g.order, start, func(j int32, key int64) int { return cmp.Compare(g.keys[j], key) })
		for ; k < len(g.order) && g.keys[g.order[k]] <= end; k++ {
			dst = append(dst, g.order[k])
		}
	}
	return dst
}
