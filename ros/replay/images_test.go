//go:build cgo

package replay

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/record"
	"github.com/avfusion/avfusion/sim"
	"github.com/avfusion/avfusion/sim/render"
)

// TestReplayRunsTheDetectorOnRecordedImages records a simulated run whose
// camera is rendered and stored as JPEG CompressedImages (the real rosbag
// tool reads them back as such), replays it twice with the sim detector
// and gets the same bytes both times, a scored run, and a corrupt image
// counted and skipped.
func TestReplayRunsTheDetectorOnRecordedImages(t *testing.T) {
	tier.Integration(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.bag")
	sc, err := sim.LoadScenario("../../sim/scenarios/crossing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	rig := sim.NewWorld(sc, cfg.Rig, 0).Rig()
	rec, err := record.NewBag(in, "lz4", rig.Lens, cfg.Frames.Odom, cfg.Frames.BaseLink)
	if err != nil {
		t.Fatal(err)
	}
	imager := render.NewImager(rig, vision.NewSimDetector(), cfg.CameraBoxStdPx, sc.Camera.MaxRangeM)
	recorded := cfg
	recorded.Deadline = time.Second
	_, err = sim.Run(context.Background(), sim.RunConfig{
		Scenario: sc, Node: recorded,
		Duration: 8 * time.Second, Start: 1_700_000_000e9, Recorder: rec, Imager: imager,
	})
	imager.Close()
	if err := errors.Join(err, rec.Close()); err != nil {
		t.Fatal(err)
	}
	script := `import rosbag, sys
n = 0
for topic, msg, t in rosbag.Bag(sys.argv[1]).read_messages(topics=['/camera/image_raw/compressed']):
    assert msg.format == 'jpeg' and msg.data[:2] == b'\xff\xd8', msg.format
    n += 1
print(n)`
	if out, err := exec.Command("/usr/bin/python3", "-c", script, in).CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "238" {
		t.Fatalf("python rosbag reading the images: %v: %s (want 238 JPEG frames: those at 30 Hz that arrive, 60 ms late, by the run's last cycle, on the last radar scan's arrival at 7.96 s)", err, out)
	}

	node := config.Default()
	node.Camera.Detector.Kind = "sim"
	var outs [][]byte
	for i := range 2 {
		out := filepath.Join(dir, "out"+string(rune('a'+i))+".bag")
		res, err := Run(context.Background(), Config{In: in, Out: out, Fast: true, Node: node})
		if err != nil {
			t.Fatal(err)
		}
		if res.Tracking == nil || res.Tracking.MOTA < 0.6 || res.BadImages != 0 || len(res.Unused) != 0 {
			t.Fatalf("replay %+v (tracking %+v)", res, res.Tracking)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, data)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatal("two --fast replays of a bag with images differ")
	}

	// One image replaced by garbage: counted, skipped, the rest replayed.
	broken := filepath.Join(dir, "broken.bag")
	corruptOneImage(t, in, broken)
	res, err := Run(context.Background(), Config{In: broken, Fast: true, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	if res.BadImages != 1 || res.Tracking == nil || res.Tracking.MOTA < 0.6 {
		t.Fatalf("broken bag: %d bad images, tracking %+v", res.BadImages, res.Tracking)
	}
}

// corruptOneImage copies in to out with the 100th camera image's JPEG
// data replaced by garbage.
func corruptOneImage(t *testing.T, in, out string) {
	t.Helper()
	r, err := bag.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	w, err := bag.Create(out, bag.WriterOpts{})
	if err != nil {
		t.Fatal(err)
	}
	conns := map[uint32]*bag.Connection{}
	for _, c := range r.Conns {
		conns[c.ID] = w.AddConnection(c.Topic, c.Type, c.MD5, c.Definition, c.Header)
	}
	images := 0
	err = r.Messages(func(m *bag.Message) error {
		data := m.Data
		if m.Conn.Topic == record.TopicCameraJPEG {
			if images++; images == 100 {
				data = append([]byte(nil), data...)
				for i := len(data) - 200; i < len(data); i++ {
					data[i] = 0x5a
				}
				for i := 40; i < 600 && i < len(data)-200; i++ {
					data[i] = 0
				}
			}
		}
		return w.Write(conns[m.Conn.ID], m.Time, data)
	})
	if err := errors.Join(err, w.Close()); err != nil {
		t.Fatal(err)
	}
}
