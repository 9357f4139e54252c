package replay

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/ros/msgs/timmwave"
	"github.com/avfusion/avfusion/ros/record"
	"github.com/avfusion/avfusion/sensors"
)

// personBag writes 20 s of a static TI radar watching one person stand
// 1.3 m in front of it, swaying (a few returns a frame around them, Doppler
// within ±0.2 m/s), as TI's driver records it: clouds with stamps 0 and
// no frame_id on /ti_mmwave/radar_scan_pcl, or (perPoint) one
// ti_mmwave_rospkg/RadarScan per point on /ti_mmwave/radar_scan, or plain
// stamped clouds (zero false).
func personBag(t *testing.T, path string, zero, perPoint bool) {
	t.Helper()
	w, err := bag.Create(path, bag.WriterOpts{Compression: bag.CompressionLZ4})
	if err != nil {
		t.Fatal(err)
	}
	var cloudConn, pointConn *bag.Connection
	if perPoint {
		pointConn, err = w.AddTyped("/ti_mmwave/radar_scan", &timmwave.RadarScan{}, nil)
	} else {
		cloudConn, err = w.AddTyped("/ti_mmwave/radar_scan_pcl", ros.RadarCloud(0, "", nil), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(13, 14))
	const start = sensors.Time(1_700_000_000e9)
	for k := 0; k < 200; k++ { // 10 Hz
		capture := start.Add(time.Duration(k) * 100 * time.Millisecond)
		at := capture.Add(25 * time.Millisecond)
		when := bag.Time{Sec: uint32(at / 1e9), Nsec: uint32(at % 1e9)}
		stamp, frame := capture, "ti_mmwave_0"
		if zero {
			stamp, frame = 0, ""
		}
		var pts []radar.Point
		for n := 4 + rng.IntN(5); n > 0; n-- {
			pts = append(pts, radar.Point{X: 1.3 + 0.1*rng.NormFloat64(), Y: 0.15 * rng.NormFloat64(), Z: 0.3 * rng.NormFloat64(),
				SNR: 20 + 5*rng.Float64(), Doppler: 0.2 * (2*rng.Float64() - 1)})
		}
		if !perPoint {
			if err := w.WriteMsg(cloudConn, when, ros.RadarCloud(stamp, frame, pts)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for i, p := range pts {
			msg := ros.RadarCloud(stamp, frame, nil).Header
			scan := &timmwave.RadarScan{Header: msg, PointID: uint16(i), X: float32(p.X), Y: float32(p.Y), Z: float32(p.Z),
				Range: float32(p.Range()), Velocity: float32(p.Doppler), Intensity: float32(p.SNR)}
			if err := w.WriteMsg(pointConn, when, scan); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPersonBeforeAStaticTIRadar replays a person standing before a
// static TI radar, recorded the three ways TI's driver does: one track,
// one id the whole time (after the first second), never a vehicle, and a
// pedestrian by the radar's extent alone.
func TestPersonBeforeAStaticTIRadar(t *testing.T) {
	tier.Integration(t)
	dir := t.TempDir()
	for _, c := range []struct {
		name           string
		zero, perPoint bool
		remap          map[string]string
	}{
		{"zero-stamped clouds", true, false, map[string]string{"/ti_mmwave/radar_scan_pcl": record.TopicRadarPoints}},
		{"per-point RadarScan", true, true, map[string]string{"/ti_mmwave/radar_scan": record.TopicRadarScan}},
		{"stamped clouds", false, false, map[string]string{"/ti_mmwave/radar_scan_pcl": record.TopicRadarPoints}},
	} {
		in, out := filepath.Join(dir, "person-in.bag"), filepath.Join(dir, "person-out.bag")
		personBag(t, in, c.zero, c.perPoint)
		if _, err := Run(context.Background(), Config{In: in, Out: out, Fast: true, Node: config.Default(), Remap: c.remap}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ids, classes, cycles, tracked := map[uint32]bool{}, map[uint8]int{}, 0, 0
		trackMessages(t, out, func(msg *derivedobject.ObjectWithCovarianceArray) {
			if cycles++; cycles <= 20 {
				return // the first second: the track is being confirmed
			}
			if len(msg.Objects) == 1 {
				tracked++
			}
			for _, o := range msg.Objects {
				ids[o.Id] = true
				classes[o.Classification]++
				switch o.Classification {
				case derivedobject.ClassificationCar, derivedobject.ClassificationTruck, derivedobject.ClassificationOtherVehicle:
					t.Errorf("%s: the person published as vehicle class %d", c.name, o.Classification)
					return
				}
			}
		})
		t.Logf("%s: %d of %d cycles with one track, ids %v, classes %v", c.name, tracked, cycles-20, ids, classes)
		if len(ids) != 1 || tracked < (cycles-20)*9/10 {
			t.Errorf("%s: %d of %d cycles with one track, %d ids", c.name, tracked, cycles-20, len(ids))
		}
		// The head learnt from clustered radar what a person's extent
		// looks like: radar alone calls them a pedestrian.
		if classes[derivedobject.ClassificationPedestrian] < tracked*9/10 {
			t.Errorf("%s: published as a pedestrian in %d of %d cycles (classes %v)", c.name, classes[derivedobject.ClassificationPedestrian], tracked, classes)
		}
	}
}
