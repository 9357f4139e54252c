package replay

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/record"
	"github.com/avfusion/avfusion/sensors"
)

// writeDenseBag writes the radar clouds of targets objects moving about
// before a static radar, at 20 Hz for duration: sensor_msgs/PointCloud2
// with x y z intensity velocity, two to four returns an object and 100
// clutter points a frame, each recorded 30 ms after its capture.
func writeDenseBag(tb testing.TB, path string, targets int, duration time.Duration) int {
	tb.Helper()
	w, err := bag.Create(path, bag.WriterOpts{Compression: bag.CompressionLZ4})
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := w.AddTyped(record.TopicRadarPoints, ros.RadarCloud(0, "radar", nil), map[string]string{"callerid": "/dense"})
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, uint64(targets)))
	type object struct{ x, y, vx, vy float64 }
	objects := make([]object, targets)
	side := int(math.Ceil(math.Sqrt(float64(targets))))
	for i := range objects {
		a := rng.Float64() * 2 * math.Pi
		objects[i] = object{x: 15 + 9*float64(i%side), y: -4.5*float64(side) + 9*float64(i/side), vx: 3 * math.Cos(a), vy: 3 * math.Sin(a)}
	}
	const start = sensors.Time(1_700_000_000e9)
	period := 50 * time.Millisecond
	frames := int(duration / period)
	var pts []radar.Point
	for k := 0; k < frames; k++ {
		stamp := start.Add(time.Duration(k) * period)
		pts = pts[:0]
		for i := range objects {
			o := &objects[i]
			o.x += o.vx * period.Seconds()
			o.y += o.vy * period.Seconds()
			doppler := (o.x*o.vx + o.y*o.vy) / math.Hypot(o.x, o.y)
			for n := 2 + rng.IntN(3); n > 0; n-- {
				pts = append(pts, radar.Point{X: o.x + 0.4*rng.NormFloat64(), Y: o.y + 0.4*rng.NormFloat64(), SNR: 15, Doppler: doppler + 0.1*rng.NormFloat64()})
			}
		}
		for n := 0; n < 100; n++ {
			pts = append(pts, radar.Point{X: 5 + 150*rng.Float64(), Y: -80 + 160*rng.Float64(), SNR: 8, Doppler: 4 * rng.NormFloat64()})
		}
		arrival := stamp.Add(30 * time.Millisecond)
		if err := w.WriteMsg(conn, bag.Time{Sec: uint32(arrival / 1e9), Nsec: uint32(arrival % 1e9)}, ros.RadarCloud(stamp, "radar", pts)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return frames
}

// BenchmarkReplayDense replays 60 s of 200 moving objects' radar clouds
// (writeDenseBag) as fast as possible and reports the speed-up over real
// time and over a Python SORT tracker on the same bag
// (tools/sortpeer/sort_peer.py: k-d tree clustering, numpy Kalman
// filters, scipy's linear_sum_assignment), measured in the same run.
func BenchmarkReplayDense(b *testing.B) {
	in := filepath.Join(b.TempDir(), "dense.bag")
	frames := writeDenseBag(b, in, 200, time.Minute)
	out, err := exec.Command("/usr/bin/python3", "../../tools/sortpeer/sort_peer.py", in).Output()
	if err != nil {
		b.Fatalf("the Python SORT peer (python3-numpy, python3-scipy, python3-rosbag: make deps): %v", err)
	}
	var peer struct {
		Frames  int     `json:"frames"`
		Seconds float64 `json:"seconds"`
	}
	if err := json.Unmarshal(out, &peer); err != nil || peer.Frames != frames {
		b.Fatalf("peer: %s (%v)", out, err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := Run(context.Background(), Config{In: in, Fast: true, Node: config.Default()})
		if err != nil {
			b.Fatal(err)
		}
		if in := inputOf(res, record.TopicRadarPoints); in.Fused != uint64(frames) || res.ClusteredAhead != frames {
			b.Fatalf("%+v of %d clouds, %d clustered ahead", in, frames, res.ClusteredAhead)
		}
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(time.Minute.Seconds()/perRun, "x_realtime")
	b.ReportMetric(peer.Seconds/perRun, "x_sort_peer")
}
