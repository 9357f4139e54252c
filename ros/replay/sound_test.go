package replay

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/sim"
)

// TestReplayHearsRecordedSound records the emergency scenario with its
// microphone array (AudioDataStamped, the array's geometry in the
// connection header), replays it twice and finds the same bytes, the
// audio used, and the ambulance's track classified as an emergency
// vehicle in the output.
func TestReplayHearsRecordedSound(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.bag")
	recordScenario(t, "emergency.yaml", in, 16*time.Second, sim.RadarObjects)
	var outs [][]byte
	for i := range 2 {
		out := filepath.Join(dir, "out"+string(rune('a'+i))+".bag")
		res, err := Run(context.Background(), Config{In: in, Out: out, Fast: true, Node: launch.Default()})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Unused) != 0 {
			t.Fatalf("unused topics %v", res.Unused)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, data)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatal("two --fast replays with sound differ")
	}
	f, err := bag.Open(filepath.Join(dir, "outa.bag"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	emergency := 0
	err = f.Messages(func(m *bag.Message) error {
		if m.Conn.Topic != "/obstacles/tracks" {
			return nil
		}
		var msg derivedobject.ObjectWithCovarianceArray
		if err := m.Decode(&msg); err != nil {
			return err
		}
		for _, o := range msg.Objects {
			if o.Classification == derivedobject.ClassificationOtherVehicle {
				emergency++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if emergency == 0 {
		t.Fatal("no emergency vehicle in the replay's tracks")
	}
	t.Logf("%d track messages carry an emergency vehicle", emergency)
}
