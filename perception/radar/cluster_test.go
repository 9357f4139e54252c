package radar

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// The sensor drives forward at 10 m/s: a static point at azimuth az shows
// a Doppler of -10·cos(az).
const egoSpeed = 10

func static(x, y float64) Point {
	return Point{X: x, Y: y, Doppler: -egoSpeed * x / math.Hypot(x, y), SNR: 20}
}

func moving(x, y, doppler float64) Point { return Point{X: x, Y: y, Doppler: doppler, SNR: 20} }

func TestClustersAndStaticClutter(t *testing.T) {
	c, err := NewClusterer(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	pts := []Point{
		// A car ahead receding at 1 m/s relative: three returns over its rear.
		moving(20, 0.5, 1), moving(20.4, -0.3, 1.05), moving(21.5, 0.1, 0.95),
		// A pedestrian far to the left, walking towards us: one return.
		moving(15, 9, -11),
		// A parked car on the right: four static returns.
		static(30, -5), static(31, -5.5), static(32.5, -5.2), static(30.5, -4.6),
		// An isolated static return (a sign): as likely clutter.
		static(45, 12),
	}
	dets, _ := c.Detect(nil, nil, 0, pts, egoSpeed, 0)
	if len(dets) != 4 {
		t.Fatalf("%d detections, want car, pedestrian, parked car and sign: %+v", len(dets), dets)
	}
	car := dets[0]
	wantRange := math.Hypot((20+20.4+21.5)/3, (0.5-0.3+0.1)/3)
	if math.Abs(car.Z[0]-wantRange) > 1e-9 || math.Abs(car.Z[2]-1) > 1e-9 || car.Sensor != perception.Radar {
		t.Fatalf("car detection %+v", car)
	}
	if car.R[0][0] < 0.3*0.3 || car.R[1][1] <= 0 {
		t.Fatalf("car covariance %v", car.R)
	}
	for i, want := range []bool{false, false, false, true} {
		if dets[i].SupportOnly != want {
			t.Fatalf("detection %d support only %v, want %v (only the lone static return may not start a track)", i, dets[i].SupportOnly, want)
		}
	}
	if c.StaticSupportOnly != 1 {
		t.Fatalf("%d static points support only, want the sign's 1", c.StaticSupportOnly)
	}
}

func TestDopplerSeparatesNeighbours(t *testing.T) {
	c, _ := NewClusterer(DefaultParams())
	// Two returns 1 m apart, one from a car closing at 8 m/s, one from a
	// cyclist receding at 2 m/s: two objects.
	dets, _ := c.Detect(nil, nil, 0, []Point{moving(25, 0, -8), moving(25.5, 0.8, 2)}, 0, 0)
	if len(dets) != 2 {
		t.Fatalf("%d detections, want 2", len(dets))
	}
}

// TestWeakReturnsAreKeptUnlessAThresholdIsSet: by default every return
// counts, also one whose intensity is an RCS below 0 dBsm; min_snr_db
// drops those under it.
func TestWeakReturnsAreKeptUnlessAThresholdIsSet(t *testing.T) {
	weak, strong := moving(60, 3, -6), moving(20, -4, 5)
	weak.SNR = -4
	for _, tc := range []struct {
		minSNR float64
		want   int
	}{{0, 2}, {-10, 2}, {10, 1}} {
		p := DefaultParams()
		p.MinSNRDB = tc.minSNR
		c, err := NewClusterer(p)
		if err != nil {
			t.Fatal(err)
		}
		if dets, _ := c.Detect(nil, nil, 0, []Point{weak, strong}, 0, 0); len(dets) != tc.want {
			t.Errorf("min_snr_db %g: %d detections, want %d", tc.minSNR, len(dets), tc.want)
		}
	}
}

func TestDetectAllocatesNothingInSteadyState(t *testing.T) {
	c, _ := NewClusterer(DefaultParams())
	pts := []Point{moving(20, 0.5, 1), moving(20.4, -0.3, 1.05), static(30, -5), static(31, -5.5), static(32.5, -5.2)}
	dst := make([]perception.Detection, 0, 8)
	returns := make([]perception.RadarReturn, 0, len(pts))
	c.Detect(dst, returns, 0, pts, egoSpeed, 0)
	if n := testing.AllocsPerRun(50, func() { c.Detect(dst[:0], returns[:0], 0, pts, egoSpeed, 0) }); n != 0 {
		t.Fatalf("%v allocations per call", n)
	}
}

func TestFromTIFrameTurnsAxes(t *testing.T) {
	f := mmwave.Frame{Points: []mmwave.Point{{X: 1, Y: 10, Z: 0.5, Doppler: -2, SNR: 155}}}
	p := FromTIFrame(nil, &f)[0]
	if p.X != 10 || p.Y != -1 || p.Z != 0.5 || p.Doppler != -2 || p.SNR != 15.5 {
		t.Fatalf("%+v", p)
	}
}

func TestParamsValidateNamesField(t *testing.T) {
	p := DefaultParams()
	p.MinPointsStatic = 0
	if err := p.Validate(); err == nil || err.Error()[:17] != "min_points_static" {
		t.Fatalf("got %v", err)
	}
}

// denseCloud is groups of moving objects on a grid 15 m apart ahead of
// the radar, each returning per points around its centre (far enough
// apart, even at range, that each is its own cluster), shuffled. The
// cloud's density stays the same whatever its size.
func denseCloud(groups, per int) ([]Point, [][2]float64) {
	rng := rand.New(rand.NewPCG(7, uint64(groups)))
	side := int(math.Ceil(math.Sqrt(float64(groups))))
	var pts []Point
	var centres [][2]float64
	for g := 0; g < groups; g++ {
		x, y := 10+15*float64(g/side), 15*float64(g%side-side/2)
		centres = append(centres, [2]float64{x, y})
		for k := 0; k < per; k++ {
			pts = append(pts, Point{X: x + 0.1*rng.NormFloat64(), Y: y + 0.1*rng.NormFloat64(), SNR: 20, Doppler: 5 + 0.02*rng.NormFloat64()})
		}
	}
	rng.Shuffle(len(pts), func(i, j int) { pts[i], pts[j] = pts[j], pts[i] })
	return pts, centres
}

// TestDenseCloudClustersEveryObject: in a cloud of 121 objects within
// about 150 m and 1210 points, shuffled, each object is one detection at
// its centre.
func TestDenseCloudClustersEveryObject(t *testing.T) {
	pts, centres := denseCloud(121, 10)
	c, err := NewClusterer(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	dets, _ := c.Detect(nil, nil, 0, pts, 0, 0)
	if len(dets) != len(centres) {
		t.Fatalf("%d detections for %d objects", len(dets), len(centres))
	}
	for _, d := range dets {
		x, y := d.Z[0]*math.Cos(d.Z[1]), d.Z[0]*math.Sin(d.Z[1])
		best := math.Inf(1)
		for _, ce := range centres {
			best = min(best, math.Hypot(x-ce[0], y-ce[1]))
		}
		if best > 0.2 {
			t.Fatalf("a detection %.2f m from every object", best)
		}
	}
}

// TestClustersAsEveryPairWouldGroupThem: the clusters are those a search
// over every pair of points finds (the index only narrows where to
// look), on clouds all around the sensor: across ±π, at the sensor, on
// ring boundaries, near and far.
func TestClustersAsEveryPairWouldGroupThem(t *testing.T) {
	p := DefaultParams()
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 40 {
		pts := aroundTheSensor(rng, p.EpsM, 50+rng.IntN(400))
		if trial%4 == 3 {
			// A few returns kilometres out: more rings than points, which
			// sortByCell orders by comparison instead of counting.
			for k := range 3 {
				r := 2e4 + 10*float64(k)*p.EpsM*rng.Float64()
				pts = append(pts, Point{X: r, Y: float64(k), SNR: 20, Doppler: 1})
			}
		}
		want := pairwiseClusterSums(p, pts)
		c, err := NewClusterer(p)
		if err != nil {
			t.Fatal(err)
		}
		dets, _ := c.Detect(nil, nil, 0, pts, 0, 0)
		if len(dets) != len(want) {
			t.Fatalf("trial %d: %d clusters of %d points, every pair gives %d", trial, len(dets), len(pts), len(want))
		}
		for _, d := range dets {
			x, y := d.Z[0]*math.Cos(d.Z[1])*float64(d.Returns), d.Z[0]*math.Sin(d.Z[1])*float64(d.Returns)
			found := false
			for _, w := range want {
				found = found || math.Hypot(x-w[0], y-w[1]) < 1e-6*(1+math.Hypot(w[0], w[1]))
			}
			if !found {
				t.Fatalf("trial %d: a cluster of %d points at %.3f m, %.3f rad that every pair does not give", trial, d.Returns, d.Z[0], d.Z[1])
			}
		}
	}
}

// aroundTheSensor is n moving points all around the sensor, some on ring
// edges (multiples of ring), some at the sensor, some either side of ±π.
func aroundTheSensor(rng *rand.Rand, ring float64, n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		r := 120 * rng.Float64() * rng.Float64()
		switch rng.IntN(6) {
		case 0:
			r = ring * float64(rng.IntN(20))
		case 1:
			r = 0.01 * rng.Float64()
		}
		az := math.Pi * (2*rng.Float64() - 1)
		if rng.IntN(5) == 0 {
			az = math.Pi - 0.05*rng.Float64()
			if rng.IntN(2) == 0 {
				az = -az
			}
		}
		pts[i] = Point{X: r * math.Cos(az), Y: r * math.Sin(az), SNR: 20, Doppler: (1 + rng.Float64()) * float64(1-2*rng.IntN(2))}
	}
	return pts
}

// pairwiseClusterSums groups pts by testing every pair with the
// clustering rule and returns each group's sum of x and y.
func pairwiseClusterSums(p Params, pts []Point) [][2]float64 {
	azStd := p.AzimuthStdDeg * math.Pi / 180
	near := func(a, b *Point) bool {
		ra, rb := math.Hypot(a.X, a.Y), math.Hypot(b.X, b.Y)
		dr := (ra - rb) / p.EpsM
		dd := (a.Doppler - b.Doppler) * p.DopplerWeightMPerMps / p.EpsM
		r := math.Max(ra, rb)
		dt := math.Abs(math.Atan2(a.X*b.Y-a.Y*b.X, a.X*b.X+a.Y*b.Y)) * r / math.Max(p.EpsM, 2.5*azStd*r)
		return dr*dr+dt*dt+dd*dd <= 1
	}
	seen := make([]bool, len(pts))
	var sums [][2]float64
	for i := range pts {
		if seen[i] {
			continue
		}
		seen[i] = true
		var sum [2]float64
		for queue := []int{i}; len(queue) > 0; queue = queue[1:] {
			q := queue[0]
			sum[0], sum[1] = sum[0]+pts[q].X, sum[1]+pts[q].Y
			for j := range pts {
				if !seen[j] && near(&pts[q], &pts[j]) {
					seen[j] = true
					queue = append(queue, j)
				}
			}
		}
		sums = append(sums, sum)
	}
	return sums
}

// BenchmarkCluster clusters clouds of growing size and the same density:
// neighbours are sought within EpsM in range and the bearing gap a
// neighbour can have, so the cost grows with the points near each point,
// not with every pair.
func BenchmarkCluster(b *testing.B) {
	for _, n := range []int{500, 2000, 8000} {
		b.Run(fmt.Sprintf("points=%d", n), func(b *testing.B) {
			pts, _ := denseCloud(n/5, 5)
			c, err := NewClusterer(DefaultParams())
			if err != nil {
				b.Fatal(err)
			}
			dets, returns := c.Detect(nil, nil, 0, pts, 0, 0)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				dets, returns = c.Detect(dets[:0], returns[:0], 0, pts, 0, 0)
			}
		})
	}
}

// TestWrappedDopplersClusterAcrossTheWrap: with an unambiguous velocity
// of 10 m/s, returns of one object read +9.9 and −9.9 m/s (one 10.1 m/s
// object) are one cluster whose Doppler is at the wrap, not 0; a return
// whose Doppler is the static world's plus a span is static.
func TestWrappedDopplersClusterAcrossTheWrap(t *testing.T) {
	p := DefaultParams()
	p.MaxVelocityMps, p.MinPointsStatic = 10, 1
	c, err := NewClusterer(p)
	if err != nil {
		t.Fatal(err)
	}
	dets, _ := c.Detect(nil, nil, 0, []Point{moving(20, 0, 9.9), moving(20.3, 0, -9.9)}, 0, 0)
	if len(dets) != 1 || dets[0].Returns != 2 || math.Abs(math.Abs(dets[0].Z[2])-10) > 1e-9 {
		t.Fatalf("%d detections %+v", len(dets), dets)
	}
	// Driving at 15 m/s, a static return dead ahead reads −15, wrapped −15+20 = 5.
	dets, _ = c.Detect(nil, nil, 0, []Point{moving(30, 0, 5)}, 15, 0)
	if len(dets) != 1 || c.StaticSupportOnly != 0 || dets[0].SupportOnly {
		t.Fatalf("min_points_static 1: %+v", dets)
	}
	p.MinPointsStatic = 2
	if c, err = NewClusterer(p); err != nil {
		t.Fatal(err)
	}
	if dets, _ = c.Detect(nil, nil, 0, []Point{moving(30, 0, 5)}, 15, 0); len(dets) != 1 || !dets[0].SupportOnly {
		t.Fatalf("a static return read through the wrap: %+v", dets)
	}
	if p.MaxVelocityMps = -1; p.Validate() == nil {
		t.Fatal("a negative max_velocity_mps accepted")
	}
}

// TestDopplerSpreadOfAWalker: a walker's returns spread in Doppler (its
// limbs move at between none and twice its body's speed); the detection
// reports that spread with the radar's own Doppler noise taken out, and a
// car's returns, which move together, none.
func TestDopplerSpreadOfAWalker(t *testing.T) {
	p := DefaultParams()
	c, err := NewClusterer(p)
	if err != nil {
		t.Fatal(err)
	}
	pts := []Point{
		moving(20, 0.5, 1), moving(20.4, -0.3, 1), moving(21.5, 0.1, 1), // the car
		moving(15, 9, -1.4), moving(15.2, 9.1, -0.4), moving(15.1, 8.9, -2.4), // the walker
	}
	dets, _ := c.Detect(nil, nil, 0, pts, 0, 0)
	if len(dets) != 2 {
		t.Fatalf("%d detections, want the car and the walker", len(dets))
	}
	want := math.Sqrt(2.0/3 - p.DopplerStdMps*p.DopplerStdMps) // returns 1 m/s either side of the mean
	if dets[0].Spread[2] != 0 || math.Abs(dets[1].Spread[2]-want) > 1e-9 {
		t.Fatalf("Doppler spread car %g, walker %g (want 0 and %g)", dets[0].Spread[2], dets[1].Spread[2], want)
	}
}
