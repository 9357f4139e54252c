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
	cy    []int64 // the row of detection j
	// x and y are detection j's position in odom, and ux, uy the unit
	// vector from the sensor towards it.
	x, y, ux, uy []float64
	// slack is added to every track's reach: three standard deviations of
	// the least precise detection's position plus 2 m.
	slack float64
	// start[c] is where in order the cells from c on begin, c numbering
	// the cells of the detections' bounding box column by column
	// (col0…col0+cols-1, row0…row0+rows-1); empty when that box is too
	// large to tabulate, and binary searches find the cells instead.
	start                  []int32
	col0, row0, cols, rows int64
}

// maxTableCells bounds the cell table: 2¹⁶ cells of 8 m cover 2 km².
const maxTableCells = 1 << 16

// cellKey orders cells by column, then by row: cy is offset into an
// unsigned 32-bit range so that its sign does not upset the order.
func cellKey(cx, cy int64) int64 { return cx<<32 | ((cy + 1<<31) & 0xffffffff) }

func cellOf(v float64) int64 { return int64(math.Floor(v / gridCellM)) }

// index buckets dets, seen by sensor s from pose.
func (g *detectionGrid) index(s perception.Sensor, pose kalman.SensorPose, dets []perception.Detection) {
	g.order = grow(g.order, len(dets))
	g.keys = grow(g.keys, len(dets))
	g.cx = grow(g.cx, len(dets))
	g.cy = grow(g.cy, len(dets))
	g.x, g.y = grow(g.x, len(dets)), grow(g.y, len(dets))
	g.ux, g.uy = grow(g.ux, len(dets)), grow(g.uy, len(dets))
	worst := 0.0
	for j := range dets {
		rng, az, rangeVar, azVar := polar(s, &dets[j])
		sin, cos := math.Sincos(pose.Yaw + az)
		x, y := pose.X+rng*cos, pose.Y+rng*sin
		worst = max(worst, rangeVar+rng*rng*azVar)
		g.x[j], g.y[j], g.ux[j], g.uy[j] = x, y, cos, sin
		g.cx[j], g.cy[j] = cellOf(x), cellOf(y)
		g.keys[j] = cellKey(g.cx[j], g.cy[j])
	}
	g.slack = 3*math.Sqrt(worst) + 2
	if g.tabulate() {
		return
	}
	for j := range g.order {
		g.order[j] = int32(j)
	}
	keys := g.keys
	slices.SortFunc(g.order, func(a, b int32) int {
		if c := cmp.Compare(keys[a], keys[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// tabulate fills start for the detections' bounding box of cells, and
// deals the order into it by counting (by index within a cell), when the
// box is small enough; it reports whether it did.
func (g *detectionGrid) tabulate() bool {
	g.start = g.start[:0]
	if len(g.order) == 0 {
		return true
	}
	minX, maxX := slices.Min(g.cx), slices.Max(g.cx)
	minY, maxY := slices.Min(g.cy), slices.Max(g.cy)
	cols, rows := maxX-minX+1, maxY-minY+1
	if cols > maxTableCells || rows > maxTableCells || cols*rows > maxTableCells {
		return false
	}
	g.col0, g.row0, g.cols, g.rows = minX, minY, cols, rows
	g.start = grow(g.start, int(cols*rows)+1)
	clear(g.start)
	for j := range g.order { // count per cell, then cumulate
		g.start[(g.cx[j]-minX)*rows+(g.cy[j]-minY)+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	// Deal the detections in index order, each to its cell's next slot;
	// then each cell's slot is where the next cell starts, and the table
	// shifts back by one cell.
	for j := range g.order {
		c := (g.cx[j]-minX)*rows + (g.cy[j] - minY)
		g.order[g.start[c]] = int32(j)
		g.start[c]++
	}
	copy(g.start[1:], g.start[:len(g.start)-1])
	g.start[0] = 0
	return true
}

// within appends to dst the detections in cells that a disc of radius r
// around (x, y) touches, cell by cell (x, then y), by index within a
// cell. Each column of cells is one run of the order, found in the cell
// table or, without one, by one binary search; a disc wider than the
// scan's columns is answered by one pass over the detections. The cost is
// bounded by the scan's size whatever the disc's.
func (g *detectionGrid) within(dst []int32, x, y, r float64) []int32 {
	x0, x1, y0, y1 := cellOf(x-r), cellOf(x+r), cellOf(y-r), cellOf(y+r)
	if len(g.start) > 0 {
		// The cell table: each column's run of cells is one slice of
		// the order, found without a search.
		x0, x1 = max(x0, g.col0), min(x1, g.col0+g.cols-1)
		y0, y1 = max(y0, g.row0), min(y1, g.row0+g.rows-1)
		if y0 > y1 {
			return dst
		}
		for cx := x0; cx <= x1; cx++ {
			base := (cx - g.col0) * g.rows
			dst = append(dst, g.order[g.start[base+y0-g.row0]:g.start[base+y1-g.row0+1]]...)
		}
		return dst
	}
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
