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

// spatialGrid buckets one scan's detections by their position in odom,
// so that each track tests only the detections near it instead of all of
// them (or, through indexPoints, the tracks themselves, for the rules
// that compare neighbouring tracks). A radar return may gate with a track further away the less
// precise it is, so a radar scan's returns are kept in tiers of
// precision, each searched with its own slack: one far return with a wide
// bearing error does not widen every track's search. (A camera's boxes,
// whose range errors the gate rescales, are one tier searched with the
// widest box's slack.) Within a tier the detections are sorted by cell,
// column (x) first, then y, and by index within a cell: a column of cells
// is one run of the order. Its slices are reused from scan to scan.
type spatialGrid struct {
	tiers [gridTiers]gridTier
	keys  []int64 // keys[j] is the cell of detection j (see cellKey)
	cx    []int64 // the column of detection j
	cy    []int64 // the row of detection j
	// x and y are detection j's position in odom, and ux, uy the unit
	// vector from the sensor towards it.
	x, y, ux, uy []float64
	slack        []float64 // detection j's own slack (see gridTier)
	dealt        []int32   // tabulate's scratch
}

// gridTier is one tier of a spatialGrid.
type gridTier struct {
	order []int32 // its detections' indices sorted by cell, then index
	// slack is added to every track's reach: three standard deviations
	// of the position of the tier's least precise detection plus 2 m.
	slack float64
	// start[c] is where in order the cells from c on begin, c numbering
	// the cells of the detections' bounding box column by column
	// (col0…col0+cols-1, row0…row0+rows-1); empty when that box is too
	// large to tabulate, and binary searches find the cells instead.
	start                  []int32
	col0, row0, cols, rows int64
}

// gridTiers is how many tiers of precision a spatialGrid keeps: slacks
// up to tierSlackM, up to four times that, and the rest.
const gridTiers = 3

// tierSlackM is the largest slack of the first tier, m: three standard
// deviations of 2 m plus 2 m (a return 100 m away with a 1° bearing
// error has 1.7 m).
const tierSlackM = 8.0

// maxTableCells bounds the cell table: 2¹⁶ cells of 8 m cover 2 km².
const maxTableCells = 1 << 16

// cellKey orders cells by column, then by row: cy is offset into an
// unsigned 32-bit range so that its sign does not upset the order.
func cellKey(cx, cy int64) int64 { return cx<<32 | ((cy + 1<<31) & 0xffffffff) }

func cellOf(v float64) int64 { return int64(math.Floor(v / gridCellM)) }

// index buckets dets, seen by sensor s from pose.
func (g *spatialGrid) index(s perception.Sensor, pose kalman.SensorPose, dets []perception.Detection) {
	g.ux, g.uy = grow(g.ux, len(dets)), grow(g.uy, len(dets))
	g.x, g.y, g.slack = grow(g.x, len(dets)), grow(g.y, len(dets)), grow(g.slack, len(dets))
	worst := 0.0
	for j := range dets {
		rng, az, rangeVar, azVar := polar(s, &dets[j])
		sin, cos := math.Sincos(pose.Yaw + az)
		g.x[j], g.y[j], g.ux[j], g.uy[j] = pose.X+rng*cos, pose.Y+rng*sin, cos, sin
		g.slack[j] = 3*math.Sqrt(rangeVar+rng*rng*azVar) + 2
		worst = max(worst, rangeVar+rng*rng*azVar)
	}
	if s == perception.Camera {
		for j := range dets {
			g.slack[j] = 3*math.Sqrt(worst) + 2
		}
	}
	g.bucket()
}

// indexPoints buckets n points, point i at (x(i), y(i)) with no slack.
func (g *spatialGrid) indexPoints(n int, at func(i int) (x, y float64)) {
	g.x, g.y, g.slack = grow(g.x, n), grow(g.y, n), grow(g.slack, n)
	for i := range n {
		g.x[i], g.y[i] = at(i)
		g.slack[i] = 0
	}
	g.bucket()
}

// bucket sorts the points in g.x, g.y into tiers by g.slack and each
// tier into cells.
func (g *spatialGrid) bucket() {
	n := len(g.x)
	g.keys, g.cx, g.cy = grow(g.keys, n), grow(g.cx, n), grow(g.cy, n)
	for k := range g.tiers {
		g.tiers[k].order, g.tiers[k].slack = g.tiers[k].order[:0], 0
	}
	for j := range n {
		g.cx[j], g.cy[j] = cellOf(g.x[j]), cellOf(g.y[j])
		g.keys[j] = cellKey(g.cx[j], g.cy[j])
		k, bound := 0, tierSlackM
		for k < gridTiers-1 && !(g.slack[j] <= bound) {
			k, bound = k+1, 4*bound
		}
		t := &g.tiers[k]
		t.order = append(t.order, int32(j))
		t.slack = max(t.slack, g.slack[j])
	}
	for k := range g.tiers {
		if t := &g.tiers[k]; !g.tabulate(t) {
			keys := g.keys
			slices.SortFunc(t.order, func(a, b int32) int {
				if c := cmp.Compare(keys[a], keys[b]); c != 0 {
					return c
				}
				return cmp.Compare(a, b)
			})
		}
	}
}

// tabulate fills a tier's start for its detections' bounding box of
// cells, and deals its order into it by counting (by index within a
// cell), when the box is small enough; it reports whether it did.
func (g *spatialGrid) tabulate(t *gridTier) bool {
	t.start = t.start[:0]
	if len(t.order) == 0 {
		return true
	}
	minX, maxX, minY, maxY := g.cx[t.order[0]], g.cx[t.order[0]], g.cy[t.order[0]], g.cy[t.order[0]]
	for _, j := range t.order {
		minX, maxX = min(minX, g.cx[j]), max(maxX, g.cx[j])
		minY, maxY = min(minY, g.cy[j]), max(maxY, g.cy[j])
	}
	cols, rows := maxX-minX+1, maxY-minY+1
	if cols > maxTableCells || rows > maxTableCells || cols*rows > maxTableCells {
		return false
	}
	t.col0, t.row0, t.cols, t.rows = minX, minY, cols, rows
	t.start = grow(t.start, int(cols*rows)+1)
	clear(t.start)
	for _, j := range t.order { // count per cell, then cumulate
		t.start[(g.cx[j]-minX)*rows+(g.cy[j]-minY)+1]++
	}
	for c := 1; c < len(t.start); c++ {
		t.start[c] += t.start[c-1]
	}
	// Deal the detections (in index order: the tier was filled so) each
	// to its cell's next slot; then each cell's slot is where the next
	// cell starts, and the table shifts back by one cell.
	g.dealt = append(g.dealt[:0], t.order...)
	for _, j := range g.dealt {
		c := (g.cx[j]-minX)*rows + (g.cy[j] - minY)
		t.order[t.start[c]] = j
		t.start[c]++
	}
	copy(t.start[1:], t.start[:len(t.start)-1])
	t.start[0] = 0
	return true
}

// subset makes g hold those of from's detections that keep accepts, in
// from's tiers and with from's slacks, so that g.within answers exactly
// what from.within would less the detections keep refuses, in the same
// order. It reports whether g holds any.
func (g *spatialGrid) subset(from *spatialGrid, keep func(j int) bool) bool {
	g.keys, g.cx, g.cy = append(g.keys[:0], from.keys...), append(g.cx[:0], from.cx...), append(g.cy[:0], from.cy...)
	held := false
	for k := range g.tiers {
		t := &g.tiers[k]
		t.order, t.slack = t.order[:0], from.tiers[k].slack
		for _, j := range from.tiers[k].order {
			if keep(int(j)) {
				t.order = append(t.order, j)
			}
		}
		held = held || len(t.order) > 0
		g.tabulate(t) // else the order is sorted by cell already, as from's
	}
	return held
}

// within appends to dst the detections that may lie within r of (x, y)
// given their precision: tier by tier, those in cells that a disc of
// radius r plus the tier's slack touches, cell by cell (x, then y), by
// index within a cell. Each column of cells is one run of a tier's order,
// found in the cell table or, without one, by one binary search; a disc
// wider than the tier's columns is answered by one pass over its
// detections. The cost is bounded by the scan's size whatever the disc's.
func (g *spatialGrid) within(dst []int32, x, y, r float64) []int32 {
	for k := range g.tiers {
		if t := &g.tiers[k]; len(t.order) > 0 {
			dst = g.withinTier(dst, t, x, y, r+t.slack)
		}
	}
	return dst
}

// withinTier is within for one tier, r including its slack.
// within appends to dst the detections in cells that a disc of radius r
// around (x, y) touches, cell by cell (x, then y), by index within a
// cell. Each column of cells is one run of the order, found in the cell
// table or, without one, by one binary search; a disc wider than the
// scan's columns is answered by one pass over the detections. The cost is
// bounded by the scan's size whatever the disc's.
func (g *spatialGrid) withinTier(dst []int32, t *gridTier, x, y, r float64) []int32 {
	x0, x1, y0, y1 := cellOf(x-r), cellOf(x+r), cellOf(y-r), cellOf(y+r)
	if len(t.start) > 0 {
		// The cell table: each column's run of cells is one slice of
		// the order, found without a search.
		x0, x1 = max(x0, t.col0), min(x1, t.col0+t.cols-1)
		y0, y1 = max(y0, t.row0), min(y1, t.row0+t.rows-1)
		if y0 > y1 {
			return dst
		}
		for cx := x0; cx <= x1; cx++ {
			base := (cx - t.col0) * t.rows
			dst = append(dst, t.order[t.start[base+y0-t.row0]:t.start[base+y1-t.row0+1]]...)
		}
		return dst
	}
	lo, hi := cellKey(x0, y0), cellKey(x1, y1)
	inRows := func(j int32) bool {
		row := g.keys[j] - g.cx[j]<<32
		return row >= cellKey(0, y0) && row <= cellKey(0, y1)
	}
	if float64(x1-x0+1) > float64(len(t.order)) {
		for _, j := range t.order {
			if g.keys[j] >= lo && g.keys[j] <= hi && inRows(j) {
				dst = append(dst, j)
			}
		}
		return dst
	}
	for cx := x0; cx <= x1; cx++ {
		start, end := cellKey(cx, y0), cellKey(cx, y1)
		k, _ := slices.BinarySearchFunc(t.order, start, func(j int32, key int64) int { return cmp.Compare(g.keys[j], key) })
		for ; k < len(t.order) && g.keys[t.order[k]] <= end; k++ {
			dst = append(dst, t.order[k])
		}
	}
	return dst
}
