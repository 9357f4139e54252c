package fusion

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// staticMap learns, scan by scan, where the static world returns a
// radar's chirps: a grid of staticCellM cells in odom, each counting the
// recent scans that had a return in the static band (range rate of the
// static world) inside it. A cell with more such scans than the static
// clutter would give it is young, and persistent once it has had them
// for persistentSpan: parked vehicles, guard rails, walls. A line of
// such cells that stretches further than any vehicle is structure
// (structureAt); a static track there that no camera has confirmed is
// neither confirmed nor published (onStructure).
// The grid is a torus of staticMapSide² cells, each holding its own cell
// coordinates, so it covers the odom plane around the vehicle without
// growing: a cell from the far side of the torus is forgotten when a
// return lands on its slot.
type staticMap struct {
	cells []staticCell
	// threshold is the decayed count of scans a young or persistent cell
	// has: more than the scans' static clutter, falling on cells at
	// random, gives one cell but rarely (persistentThreshold).
	threshold float64
	// clutterPerCell is the mean number of the latest scans' static
	// returns that fell outside persistent cells, per cell, and period
	// the mean interval between scans, s.
	clutterPerCell, period float64
	last                   sensors.Time
	// persistentSeen is the latest scan that left a cell persistent.
	persistentSeen sensors.Time
	// looks counts the radar scans, for onStructure's turns.
	looks uint32
	// near and along are structureAt's scratch: the cells it found, and
	// how far along the main direction those on its line lie.
	near  []nearCell
	along []alongCell
}

type staticCell struct {
	ix, iy int32
	first  sensors.Time // the first scan with a return here since it was forgotten
	seen   sensors.Time // the latest scan with a return here
	scans  float64      // scans with a return here, decaying by staticMemoryS
}

const (
	// staticCellM is a cell's side, m.
	staticCellM = 2
	// staticMapSide is the torus's side, cells (512 m).
	staticMapSide = 256
	// staticMemoryS is the time constant, s, of a cell's decaying count.
	staticMemoryS = 2.0
	// minPersistentScans is the least decayed count of scans a young or
	// persistent cell has, persistentChance how likely static clutter may
	// give one cell its count, persistentAge how recently it must have
	// had a return (a cell silent for longer starts afresh) and
	// persistentSpan for how long a persistent one has had them: longer
	// than a pedestrian crossing the radar's line of sight (who shows the
	// static world's Doppler) takes to walk through it at 1 m/s.
	minPersistentScans = 3
	persistentChance   = 1e-3
	persistentAge      = sensors.Time(1e9)
	persistentSpan     = sensors.Time(2e9)
	// structureReachM is how far around a place structureAt looks, m;
	// structureAcrossM how far off the line through it along the
	// structure's main direction a cell may lie and still count, m;
	// structureGapM the widest gap in a run of cells along that line, m;
	// structureMinM how far a run must stretch, m: further than any
	// vehicle; structureSettledCells how many of its cells must be
	// persistent, the rest may be young; structureExtendM how far beyond
	// the run's end the place may lie, m (a rail runs on beyond what has
	// been in view long enough).
	structureReachM       = 32
	structureAcrossM      = 1.5 * staticCellM
	structureGapM         = 2.5 * staticCellM
	structureMinM         = 14
	structureSettledCells = 5
	structureExtendM      = 10
	// structureCameraHits is how many of the camera's latest
	// structureCameraScans scans that covered a static track on
	// structure must have hit it to confirm it as an object: stray boxes
	// of objects nearby hit a rail's track now and then, never scan after
	// scan.
	structureCameraHits  = 3
	structureCameraScans = 6
	// structureLookEvery is how many radar scans apart a static track not
	// taken for structure is looked up again, each track in its turn.
	structureLookEvery = 2
	// structureMaxSpeedMps is the speed below which a track may be taken
	// for part of a structure.
	structureMaxSpeedMps = 0.5
)

// reset forgets everything the map learnt, keeping its cells' memory:
// after a jump back in time its stamps would lie in the future.
func (m *staticMap) reset() {
	clear(m.cells)
	cells, near, along := m.cells, m.near, m.along
	*m = staticMap{cells: cells, near: near, along: along}
}

// cellIndex returns the cell coordinates of odom point (x, y).
func cellIndex(x, y float64) (int32, int32) {
	return int32(math.Floor(x / staticCellM)), int32(math.Floor(y / staticCellM))
}

// slot returns the torus slot of cell (ix, iy).
func (m *staticMap) slot(ix, iy int32) *staticCell {
	if m.cells == nil {
		m.cells = make([]staticCell, staticMapSide*staticMapSide)
	}
	const mask = staticMapSide - 1
	return &m.cells[int(iy&mask)*staticMapSide+int(ix&mask)]
}

// learnStatic adds to the static map the static-band detections of a
// radar scan, a clustered radar's each by its returns (a cluster's centre
// wanders along a rail from scan to scan, its returns do not): each cell
// with one or more counts the scan once.
func (t *Tracker) learnStatic(sc *scan, dets []perception.Detection) {
	m := &t.statics
	sinY, cosY := math.Sincos(sc.pose.Yaw)
	stray := 0
	for j := range dets {
		d := &dets[j]
		if !t.inStaticBand(sc, d) {
			continue
		}
		if len(d.Points) == 0 {
			r := d.Z[perception.RadarRange]
			s, c := math.Sincos(d.Z[perception.RadarAzimuth])
			stray += m.add(sc, r*c, r*s, sinY, cosY)
		}
		for _, p := range d.Points {
			stray += m.add(sc, p.X, p.Y, sinY, cosY)
		}
	}
	m.noteClutter(sc, stray)
	m.looks++
}

// noteClutter folds a scan's stray static returns (those that fell
// outside persistent cells) into the map's clutter rate and sets the
// persistence threshold from it.
func (m *staticMap) noteClutter(sc *scan, stray int) {
	const smoothing = 16
	area := sc.cov.MaxRangeM * sc.cov.MaxRangeM * sc.cov.FOVDeg * math.Pi / 360
	perCell := float64(stray) * staticCellM * staticCellM / area
	if m.last != 0 && sc.stamp > m.last {
		gap := sc.stamp.Sub(m.last).Seconds()
		if m.period == 0 {
			m.period, m.clutterPerCell = gap, perCell
		}
		m.period += (gap - m.period) / smoothing
		m.clutterPerCell += (perCell - m.clutterPerCell) / smoothing
		m.threshold = persistentThreshold(m.clutterPerCell * staticMemoryS / m.period)
	}
	m.last = sc.stamp
}

// persistentThreshold is the least count, at least minPersistentScans,
// that a Poisson count of mean lambda reaches with probability
// persistentChance or less.
func persistentThreshold(lambda float64) float64 {
	p := math.Exp(-lambda) // P(X = k)
	below := 0.0           // P(X < k)
	k := 0
	for ; k < minPersistentScans || 1-below > persistentChance; k++ {
		below += p
		p *= lambda / float64(k+1)
	}
	return float64(k)
}

// add counts a static return at (x, y) in the sensor's frame of scan sc,
// whose yaw has the sine and cosine given, and returns 1 if it fell
// outside a persistent cell, else 0.
func (m *staticMap) add(sc *scan, x, y, sinY, cosY float64) int {
	ix, iy := cellIndex(sc.pose.X+x*cosY-y*sinY, sc.pose.Y+x*sinY+y*cosY)
	cell := m.slot(ix, iy)
	stray := 1
	if m.stateOf(cell, ix, iy, sc.stamp) == cellPersistent {
		stray = 0
	}
	switch {
	case cell.ix != ix || cell.iy != iy || cell.seen == 0 || sc.stamp-cell.seen > persistentAge:
		*cell = staticCell{ix: ix, iy: iy, first: sc.stamp, seen: sc.stamp, scans: 1}
	case sc.stamp > cell.seen:
		cell.scans = cell.scans*math.Exp(-sc.stamp.Sub(cell.seen).Seconds()/staticMemoryS) + 1
		cell.seen = sc.stamp
	}
	if m.stateOf(cell, ix, iy, sc.stamp) == cellPersistent {
		m.persistentSeen = sc.stamp
	}
	return stray
}

// cellState is what the static map knows of a cell.
type cellState uint8

const (
	// cellUnknown: no recent scan had a static return in it.
	cellUnknown cellState = iota
	// cellSeen: some recent scan had, too few for clutter to be unlikely.
	cellSeen
	// cellYoung: enough recent scans had, not yet for persistentSpan.
	cellYoung
	// cellPersistent: enough recent scans had, for persistentSpan or more.
	cellPersistent
)

// state returns what the map knows of cell (ix, iy) at now.
func (m *staticMap) state(ix, iy int32, now sensors.Time) cellState {
	return m.stateOf(m.slot(ix, iy), ix, iy, now)
}

// stateOf is state for cell (ix, iy) whose slot is c.
func (m *staticMap) stateOf(c *staticCell, ix, iy int32, now sensors.Time) cellState {
	switch {
	case c.ix != ix || c.iy != iy || c.seen == 0 || now-c.seen > persistentAge:
		return cellUnknown
	case c.scans < max(m.threshold, minPersistentScans):
		return cellSeen
	case c.seen-c.first < persistentSpan:
		return cellYoung
	}
	return cellPersistent
}

// structureAt reports whether odom point (x, y) lies on structure. On
// the line through it that holds the most persistent cells within
// structureReachM (mainDirection), the young and persistent cells
// (within structureAcrossM of the line) form runs, unbroken but for gaps
// of at most structureGapM: a run that stretches structureMinM or more with
// structureSettledCells persistent cells is structure, and so are the
// cells that continue it on either side (seen or better, gaps as
// before: a rail runs on where it has only just come into view, its
// returns too few yet to be told from clutter). The point lies on
// structure when such a run and its continuation take it in or end within
// structureExtendM of it. A rail or a wall is such a run; a row of parked
// cars with room between them is not, one parked bumper to bumper is,
// and only the camera tells it apart.
func (m *staticMap) structureAt(x, y float64, now sensors.Time) bool {
	if m.cells == nil || now-m.persistentSeen > persistentAge {
		return false // nothing persistent anywhere
	}
	cx, cy := cellIndex(x, y)
	const reach = int32(structureReachM/staticCellM + 1)
	ox, oy := x-(float64(cx)+0.5)*staticCellM, y-(float64(cy)+0.5)*staticCellM // the point from its cell's centre
	m.near = m.near[:0]
	settled := 0
	for iy := cy - reach; iy <= cy+reach; iy++ {
		dy := float64(iy-cy)*staticCellM - oy
		if dy*dy > structureReachM*structureReachM {
			continue
		}
		// The row's cells within structureReachM of the point.
		w := math.Sqrt(structureReachM*structureReachM - dy*dy)
		lo := cx + int32(math.Ceil((ox-w)/staticCellM))
		hi := cx + int32(math.Floor((ox+w)/staticCellM))
		for ix := lo; ix <= hi; ix++ {
			st := m.state(ix, iy, now)
			if st == cellUnknown {
				continue
			}
			m.near = append(m.near, nearCell{float64(ix-cx)*staticCellM - ox, dy, st})
			if st == cellPersistent {
				settled++
			}
		}
	}
	if float64(settled)*staticCellM < structureMinM {
		return false // too few persistent cells to stretch that far
	}
	ux, uy := m.mainDirection()
	m.along = m.along[:0]
	for _, p := range m.near {
		if math.Abs(-p.x*uy+p.y*ux) <= structureAcrossM {
			m.along = append(m.along, alongCell{p.x*ux + p.y*uy, p.state})
		}
	}
	slices.SortFunc(m.along, func(a, b alongCell) int { return cmp.Compare(a.s, b.s) })
	return m.runTakesInPoint()
}

// structureDirections is how many directions, evenly over half a turn,
// mainDirection tries.
const structureDirections = 16

// mainDirection returns the direction, among structureDirections, of the
// line through the point (at the origin of m.near) that holds the most
// persistent cells within structureAcrossM: the structure the point may
// lie on, whatever else is near (a road has a rail on either side).
func (m *staticMap) mainDirection() (ux, uy float64) {
	best := -1
	for k := range structureDirections {
		sin, cos := math.Sincos(float64(k) * math.Pi / structureDirections)
		on := 0
		for _, p := range m.near {
			if p.state == cellPersistent && math.Abs(-p.x*sin+p.y*cos) <= structureAcrossM {
				on++
			}
		}
		if on > best {
			best, ux, uy = on, cos, sin
		}
	}
	return ux, uy
}

// runTakesInPoint reports whether, among the cells m.along (sorted along
// the line), a run of young and persistent cells that is structure, with
// its continuation, takes in the point (at 0 along) or ends within
// structureExtendM of it (see structureAt).
func (m *staticMap) runTakesInPoint() bool {
	cells := m.along
	for lo := 0; lo < len(cells); lo++ {
		if cells[lo].state < cellYoung {
			continue
		}
		// The run from lo: young and persistent cells, gaps at most
		// structureGapM between them (seen cells between do not count).
		hi, settled := lo, 0
		for k := lo; k < len(cells); k++ {
			if cells[k].state < cellYoung {
				continue
			}
			if cells[k].s-cells[hi].s > structureGapM {
				break
			}
			hi = k
			if cells[k].state == cellPersistent {
				settled++
			}
		}
		if cells[hi].s-cells[lo].s+staticCellM >= structureMinM && settled >= structureSettledCells {
			// Its continuation: any cell seen, gaps as before.
			first, last := lo, hi
			for first > 0 && cells[first].s-cells[first-1].s <= structureGapM {
				first--
			}
			for last+1 < len(cells) && cells[last+1].s-cells[last].s <= structureGapM {
				last++
			}
			if cells[first].s-structureExtendM <= 0 && 0 <= cells[last].s+structureExtendM {
				return true
			}
		}
		lo = hi // the next run starts past this one

	}
	return false
}

// nearCell is a cell near a point (relative to it, m) with what the map
// knows of it; alongCell one on the line through the point, how far
// along it.
type nearCell struct {
	x, y  float64
	state cellState
}

type alongCell struct {
	s     float64
	state cellState
}

// onStructure reports whether track tr is taken for structure: a guard
// rail or a wall the radar returns from, not an object. A track that may
// be static (mayBeStatic) and lies on structure is, and stays so while
// it may be static (its returns slide along the rail and may carry it
// off it), until the camera confirms it: it hit the track in
// structureCameraHits of the latest structureCameraScans that covered
// it. Only a live camera (live) can confirm a parked vehicle, so without one nothing is taken for
// structure and the radar judges alone. The map is looked up only with
// lookUp, and for a track only every structureLookEvery of those (it
// costs several microseconds, for every static track); otherwise a track
// keeps what it was taken for unless the camera or its speed frees it.
func (t *Tracker) onStructure(tr *Track, now sensors.Time, lookUp bool) bool {
	if !t.live(perception.Camera, now) || bits.OnesCount32(tr.history[perception.Camera]&(1<<structureCameraScans-1)) >= structureCameraHits {
		return false
	}
	f := &tr.Filter
	if !mayBeStatic(f) {
		return false
	}
	return tr.onStructure || lookUp && (t.statics.looks+tr.ID)%structureLookEvery == 0 &&
		t.statics.structureAt(f.X[kalman.PX], f.X[kalman.PY], now)
}

// mayBeStatic reports whether a filter's velocity is below
// structureMaxSpeedMps or within three standard deviations of standing
// still: far from the radar a static object's track knows its speed
// across the line of sight poorly.
func mayBeStatic(f *kalman.Filter) bool {
	if !faster(f, structureMaxSpeedMps) {
		return true
	}
	vx, vy := f.X[kalman.VX], f.X[kalman.VY]
	a, b, c := f.P[kalman.VX][kalman.VX], f.P[kalman.VX][kalman.VY], f.P[kalman.VY][kalman.VY]
	det := a*c - b*b
	return det > 0 && (c*vx*vx-2*b*vx*vy+a*vy*vy)/det <= 9
}
