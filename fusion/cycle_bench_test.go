package fusion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors"
)

// crowd is n objects on a grid 6 m apart around a static radar that sees
// all around, each moving at a few m/s, and the radar scans of them.
type crowd struct {
	engine *Engine
	x, y   []float64
	vx, vy []float64
	// box bounds where the objects move (x0, x1, y0, y1): they bounce
	// off its sides, so the scene stays as dense as it started however
	// many cycles a benchmark runs.
	box  [4]float64
	rng  *rand.Rand
	dets []perception.Detection
	now  sensors.Time
	out  Output
}

const benchPeriod = 50 * time.Millisecond

func newCrowd(tb testing.TB, n int) *crowd {
	tb.Helper()
	p := DefaultParams()
	p.MaxTracks = 2 * n
	p.Radar = Coverage{FOVDeg: 360, MaxRangeM: 1000, PDetect: 0.9, PFalse: 0.2, OcclusionBlockage: 0.5}
	e, err := NewEngine(EngineConfig{Params: p, Rig: calib.DefaultRig(), MaxLatency: 100 * time.Millisecond, SensorTimeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	c := &crowd{engine: e, rng: rand.New(rand.NewPCG(1, uint64(n))), dets: make([]perception.Detection, 0, n)}
	c.scatter(n, 6, 2)
	e.PushEgo(Ego{})
	// Warm up until every object has a confirmed track and every buffer
	// has grown to its steady size.
	for k := 0; k < 40; k++ {
		c.cycle()
	}
	return c
}

// scatter places n objects on a square grid spacing metres apart from
// 20 m ahead, across the line ahead, each moving at speed m/s in a random
// direction.
func (c *crowd) scatter(n int, spacing, speed float64) {
	side := int(math.Ceil(math.Sqrt(float64(n))))
	c.box = [4]float64{20 - spacing, 20 + spacing*float64(side), -spacing / 2 * float64(side+2), spacing * (float64(side)/2 + 1)}
	for i := 0; i < n; i++ {
		c.x = append(c.x, 20+spacing*float64(i%side))
		c.y = append(c.y, -spacing/2*float64(side)+spacing*float64(i/side))
		a := c.rng.Float64() * 2 * math.Pi
		c.vx = append(c.vx, speed*math.Cos(a))
		c.vy = append(c.vy, speed*math.Sin(a))
	}
}

// move moves object i one period on and returns where it is from the
// radar, which sits at the rig's radar mount, 3.7 m ahead of base_link:
// dx, dy and the range.
func (c *crowd) move(i int) (dx, dy, r float64) {
	dt := benchPeriod.Seconds()
	c.x[i] += c.vx[i] * dt
	c.y[i] += c.vy[i] * dt
	if c.x[i] < c.box[0] || c.x[i] > c.box[1] {
		c.vx[i] = -c.vx[i]
	}
	if c.y[i] < c.box[2] || c.y[i] > c.box[3] {
		c.vy[i] = -c.vy[i]
	}
	dx, dy = c.x[i]-3.7, c.y[i]
	return dx, dy, math.Hypot(dx, dy)
}

// cycle moves the objects one period, scans them and runs one engine cycle.
func (c *crowd) cycle() {
	c.now += sensors.Time(benchPeriod)
	c.dets = c.dets[:0]
	for i := range c.x {
		dx, dy, r := c.move(i)
		d := perception.Detection{Stamp: c.now, Sensor: perception.Radar, Dim: 3, Class: perception.Uniform()}
		d.Z = [3]float64{r + 0.1*c.rng.NormFloat64(), math.Atan2(dy, dx) + 0.005*c.rng.NormFloat64(), (dx*c.vx[i]+dy*c.vy[i])/r + 0.1*c.rng.NormFloat64()}
		d.R[0][0], d.R[1][1], d.R[2][2] = 0.01, 2.5e-5, 0.01
		c.dets = append(c.dets, d)
	}
	c.engine.Ingest(Scan{Sensor: perception.Radar, Stamp: c.now, Dets: c.dets}, c.now)
	c.engine.Advance(c.now)
	c.engine.Snapshot(c.now, &c.out)
}

// BenchmarkCycle measures one fusion cycle — ingest a scan with as many
// detections as tracks, predict, gate, assign, update, manage, build the
// output — at three crowd sizes.
func BenchmarkCycle(b *testing.B) {
	for _, n := range []int{50, 200, 1000} {
		b.Run(fmt.Sprintf("tracks=%d", n), func(b *testing.B) {
			c := newCrowd(b, n)
			if got := len(c.out.Tracks); got < n*9/10 {
				b.Fatalf("%d confirmed tracks for %d objects", got, n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				c.cycle()
			}
		})
	}
}

// TestCycleAllocatesNothing guards the steady-state cycle.
func TestCycleAllocatesNothing(t *testing.T) {
	c := newCrowd(t, 200)
	if len(c.out.Tracks) < 180 {
		t.Fatalf("%d confirmed tracks for 200 objects", len(c.out.Tracks))
	}
	if n := testing.AllocsPerRun(20, c.cycle); n != 0 {
		t.Fatalf("%v allocations per cycle", n)
	}
}

// cloudCrowd is n objects moving about before a static radar that
// delivers point clouds: each object two to four returns a frame, plus
// clutter, clustered as the node clusters a TI radar's points. Clutter
// starts tentative tracks whose covariance is large, the load a dense
// real recording brings.
type cloudCrowd struct {
	crowd
	cluster *radar.Clusterer
	pts     []radar.Point
	clutter int
	returns []perception.RadarReturn
}

func newCloudCrowd(tb testing.TB, n, clutter int) *cloudCrowd {
	tb.Helper()
	p := DefaultParams().WithClusteredRadar(radar.DefaultParams())
	p.MaxTracks = 4 * n
	p.Radar.FOVDeg, p.Radar.MaxRangeM = 360, 1000
	e, err := NewEngine(EngineConfig{Params: p, Rig: calib.DefaultRig(), MaxLatency: 100 * time.Millisecond, SensorTimeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	cl, err := radar.NewClusterer(radar.DefaultParams())
	if err != nil {
		tb.Fatal(err)
	}
	c := &cloudCrowd{crowd: crowd{engine: e, rng: rand.New(rand.NewPCG(2, uint64(n)))}, cluster: cl, clutter: clutter}
	c.scatter(n, 8, 3)
	e.PushEgo(Ego{})
	for k := 0; k < 40; k++ {
		c.cycle()
	}
	return c
}

// cycle moves the objects one period, makes the frame's points, clusters
// them and runs one engine cycle.
func (c *cloudCrowd) cycle() {
	c.now += sensors.Time(benchPeriod)
	c.pts = c.pts[:0]
	for i := range c.x {
		dx, dy, r := c.move(i)
		doppler := (dx*c.vx[i] + dy*c.vy[i]) / r
		for k := 2 + c.rng.IntN(3); k > 0; k-- {
			c.pts = append(c.pts, radar.Point{X: dx + 0.4*c.rng.NormFloat64(), Y: dy + 0.4*c.rng.NormFloat64(), SNR: 15, Doppler: doppler + 0.1*c.rng.NormFloat64()})
		}
	}
	for k := 0; k < c.clutter; k++ {
		c.pts = append(c.pts, radar.Point{X: 5 + 150*c.rng.Float64(), Y: -80 + 160*c.rng.Float64(), SNR: 8, Doppler: 4 * c.rng.NormFloat64()})
	}
	c.dets, c.returns = c.cluster.Detect(c.dets[:0], c.returns[:0], c.now, c.pts, 0, 0) // fused below, before the next frame
	c.engine.Ingest(Scan{Sensor: perception.Radar, Stamp: c.now, Dets: c.dets}, c.now)
	c.engine.Advance(c.now)
	c.engine.Snapshot(c.now, &c.out)
}

// BenchmarkCycleClouds is BenchmarkCycle on clustered point clouds: 200
// moving objects and 150 clutter points a frame, clustering included.
func BenchmarkCycleClouds(b *testing.B) {
	c := newCloudCrowd(b, 200, 150)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c.cycle()
	}
	b.ReportMetric(float64(len(c.engine.tracker.tracks)), "tracks")
}

// BenchmarkCycleCamera is BenchmarkCycle with a camera beside the radar:
// every other cycle a camera scan with a box on each of 200 objects
// (bearing and a rough range), so that the camera's association, its
// line-of-sight miss rules and occlusion run on a crowd.
func BenchmarkCycleCamera(b *testing.B) {
	c := newCrowd(b, 200)
	var boxes []perception.Detection
	k := 0
	camera := func() {
		boxes = boxes[:0]
		for i := range c.x {
			dx, dy := c.x[i]-1.5, c.y[i]
			d := perception.Detection{Stamp: c.now, Sensor: perception.Camera, Dim: 2, Class: perception.Uniform()}
			d.Z = [3]float64{math.Atan2(dy, dx) + 0.002*c.rng.NormFloat64(), math.Hypot(dx, dy) * (1 + 0.05*c.rng.NormFloat64())}
			d.R[0][0], d.R[1][1] = 4e-6, 0.0025*(dx*dx+dy*dy)
			boxes = append(boxes, d)
		}
		c.engine.Ingest(Scan{Sensor: perception.Camera, Stamp: c.now, Dets: boxes}, c.now)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if k++; k%2 == 0 {
			camera()
		}
		c.cycle()
	}
}
