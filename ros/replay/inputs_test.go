package replay

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/msgs/timmwave"
	"github.com/avfusion/avfusion/ros/record"
	"github.com/avfusion/avfusion/sim"
)

// rewriteBag copies the bag at in to out, every message through fn: it
// writes what it wants of m (with write, on a connection of its choice,
// made once per topic and type with add) and reports whether m itself is
// to be copied as it is.
func rewriteBag(t *testing.T, in, out string, fn func(m *bag.Message, write func(c *bag.Connection, data []byte) error, add func(topic string, msg any) *bag.Connection) bool) {
	t.Helper()
	r, err := bag.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close() //nolint:errcheck // read-only
	w, err := bag.Create(out, bag.WriterOpts{Compression: bag.CompressionLZ4})
	if err != nil {
		t.Fatal(err)
	}
	copies := map[uint32]*bag.Connection{}
	added := map[string]*bag.Connection{}
	err = r.Messages(func(m *bag.Message) error {
		write := func(c *bag.Connection, data []byte) error { return w.Write(c, m.Time, data) }
		add := func(topic string, msg any) *bag.Connection {
			key := fmt.Sprintf("%s %T", topic, msg)
			if c := added[key]; c != nil {
				return c
			}
			c, err := w.AddTyped(topic, msg, map[string]string{"callerid": "/test"})
			if err != nil {
				t.Fatal(err)
			}
			added[key] = c
			return c
		}
		if !fn(m, write, add) {
			return nil
		}
		c := copies[m.Conn.ID]
		if c == nil {
			c = w.AddConnection(m.Conn.Topic, m.Conn.Type, m.Conn.MD5, m.Conn.Definition, m.Conn.Header)
			copies[m.Conn.ID] = c
		}
		return w.Write(c, m.Time, m.Data)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// serialize encodes msg as a bag message's data.
func serialize(t *testing.T, msg any) []byte {
	t.Helper()
	data, err := bag.Encode(msg)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func replayOf(t *testing.T, in string, remap map[string]string) *Result {
	t.Helper()
	res, err := Run(context.Background(), Config{In: in, Fast: true, Node: config.Default(), Remap: remap})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tracking == nil {
		t.Fatal("no ground truth scored")
	}
	return res
}

func inputOf(res *Result, topic string) fusion.InputHealth {
	for _, in := range res.Inputs {
		if in.Topic == topic {
			return in
		}
	}
	return fusion.InputHealth{}
}

// TestRecordingsFromOtherDriversAreRepairedAndCounted replays the radar of
// one simulated run as other drivers record it — stamps of 0 and no
// frame_id (ti_mmwave_rospkg's clouds), one ti_mmwave_rospkg/RadarScan
// message per point, big-endian float64 clouds, a corrupt message in the
// middle — and checks that each tracks as the original does and that the
// replay says what it repaired and refused.
func TestRecordingsFromOtherDriversAreRepairedAndCounted(t *testing.T) {
	tier.Integration(t)
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.bag")
	recordScenario(t, "crossing.yaml", orig, 10*time.Second, sim.RadarTI)
	base := replayOf(t, orig, nil)
	clouds := inputOf(base, record.TopicRadarPoints).Fused
	if clouds < 150 || base.Tracking.MOTA < 0.6 {
		t.Fatalf("original: %d clouds fused, MOTA %.3f", clouds, base.Tracking.MOTA)
	}
	cloudOf := func(m *bag.Message) *sensor_msgs.PointCloud2 {
		var msg sensor_msgs.PointCloud2
		if err := m.Decode(&msg); err != nil {
			t.Fatal(err)
		}
		return &msg
	}
	isCloud := func(m *bag.Message) bool { return m.Conn.Topic == record.TopicRadarPoints }

	unstamped := filepath.Join(dir, "unstamped.bag")
	rewriteBag(t, orig, unstamped, func(m *bag.Message, write func(*bag.Connection, []byte) error, add func(string, any) *bag.Connection) bool {
		if !isCloud(m) {
			return true
		}
		msg := cloudOf(m)
		msg.Header.Stamp, msg.Header.FrameId = time.Time{}, ""
		if err := write(add("/ti_mmwave/radar_scan_pcl", msg), serialize(t, msg)); err != nil {
			t.Fatal(err)
		}
		return false
	})
	res := replayOf(t, unstamped, map[string]string{"/ti_mmwave/radar_scan_pcl": record.TopicRadarPoints})
	in := inputOf(res, record.TopicRadarPoints)
	t.Logf("zero stamps: MOTA %.3f (original %.3f), %+v", res.Tracking.MOTA, base.Tracking.MOTA, in)
	if in.Fused != clouds || in.RepairedStamps != clouds || in.AssumedFrames != clouds || res.Tracking.MOTA < base.Tracking.MOTA-0.1 {
		t.Errorf("zero stamps: %+v, MOTA %.3f", in, res.Tracking.MOTA)
	}

	perPoint := filepath.Join(dir, "perpoint.bag")
	points := uint64(0)
	rewriteBag(t, orig, perPoint, func(m *bag.Message, write func(*bag.Connection, []byte) error, add func(string, any) *bag.Connection) bool {
		if !isCloud(m) {
			return true
		}
		msg := cloudOf(m)
		pts, err := ros.RadarPoints(nil, msg)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range pts {
			scan := &timmwave.RadarScan{Header: msg.Header, PointID: uint16(i), X: float32(p.X), Y: float32(p.Y), Z: float32(p.Z),
				Range: float32(math.Hypot(p.X, p.Y)), Velocity: float32(p.Doppler), Intensity: float32(p.SNR)}
			if err := write(add("/ti_mmwave/radar_scan", scan), serialize(t, scan)); err != nil {
				t.Fatal(err)
			}
			points++
		}
		return false
	})
	res = replayOf(t, perPoint, map[string]string{"/ti_mmwave/radar_scan": record.TopicRadarScan})
	in = inputOf(res, record.TopicRadarScan)
	t.Logf("per-point RadarScan: MOTA %.3f, %+v", res.Tracking.MOTA, in)
	if in.Fused != points || sumOf(in.Refused) != 0 || res.Tracking.MOTA < base.Tracking.MOTA-0.1 {
		t.Errorf("per-point RadarScan: %d points, %+v, MOTA %.3f", points, in, res.Tracking.MOTA)
	}
	script := `import rosbag, sys
b = rosbag.Bag(sys.argv[1])
print(" ".join(sorted(set(c.md5sum for c in b._connections.values() if c.datatype == "ti_mmwave_rospkg/RadarScan"))))`
	if out, err := exec.Command("/usr/bin/python3", "-c", script, perPoint).CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != timmwave.RadarScanMD5 {
		t.Errorf("the real rosbag module reads the per-point bag's MD5 as %q (%v), want %s", out, err, timmwave.RadarScanMD5)
	}

	bigEndian := filepath.Join(dir, "bigendian.bag")
	corruptAt := clouds / 2
	n := uint64(0)
	rewriteBag(t, orig, bigEndian, func(m *bag.Message, write func(*bag.Connection, []byte) error, add func(string, any) *bag.Connection) bool {
		if !isCloud(m) {
			return true
		}
		n++
		msg := cloudOf(m)
		wide := toBigEndianFloat64(t, msg)
		data := serialize(t, wide)
		if n == corruptAt {
			data = data[:len(data)/3] // cut short: cannot be decoded
		}
		if err := write(add(record.TopicRadarPoints, wide), data); err != nil {
			t.Fatal(err)
		}
		return false
	})
	res = replayOf(t, bigEndian, nil)
	in = inputOf(res, record.TopicRadarPoints)
	t.Logf("big-endian float64 with one corrupt cloud: MOTA %.3f, %+v", res.Tracking.MOTA, in)
	if in.Refused["decode_error"] != 1 || in.Fused != clouds-1 || res.Tracking.MOTA < base.Tracking.MOTA-0.02 {
		t.Errorf("big-endian: %+v, MOTA %.3f against %.3f", in, res.Tracking.MOTA, base.Tracking.MOTA)
	}
}

func sumOf(m map[string]uint64) uint64 {
	s := uint64(0)
	for _, v := range m {
		s += v
	}
	return s
}

// toBigEndianFloat64 rewrites a cloud's points as big-endian float64
// fields x y z snr doppler, 8 bytes of padding after each.
func toBigEndianFloat64(t *testing.T, msg *sensor_msgs.PointCloud2) *sensor_msgs.PointCloud2 {
	t.Helper()
	pts, err := ros.RadarPoints(nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	out := *msg
	out.IsBigendian, out.PointStep, out.Fields, out.Data = true, 48, nil, nil
	for i, name := range []string{"x", "y", "z", "snr", "doppler"} {
		out.Fields = append(out.Fields, sensor_msgs.PointField{Name: name, Offset: uint32(8 * i), Datatype: sensor_msgs.PointField_FLOAT64, Count: 1})
	}
	for _, p := range pts {
		point := make([]byte, 48)
		for i, v := range []float64{p.X, p.Y, p.Z, p.SNR, p.Doppler} {
			bits := math.Float64bits(v)
			for k := range 8 {
				point[8*i+k] = byte(bits >> (56 - 8*k))
			}
		}
		out.Data = append(out.Data, point...)
	}
	out.RowStep = out.PointStep * out.Width
	return &out
}
