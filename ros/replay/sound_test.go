package replay

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/audio_common_msgs"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/ros/record"
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
		res, err := Run(context.Background(), Config{In: in, Out: out, Fast: true, Node: config.Default()})
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
	if n := emergencyTracks(t, filepath.Join(dir, "outa.bag")); n == 0 {
		t.Fatal("no emergency vehicle in the replay's tracks")
	}

	// The same sound as unstamped AudioData with an AudioInfo.
	raw := filepath.Join(dir, "raw.bag")
	toRawAudio(t, in, raw)
	res, err := Run(context.Background(), Config{In: raw, Out: filepath.Join(dir, "rawout.bag"), Fast: true, Node: config.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unused) != 0 {
		t.Fatalf("raw audio: unused topics %v", res.Unused)
	}
	if n := emergencyTracks(t, filepath.Join(dir, "rawout.bag")); n == 0 {
		t.Fatal("raw audio: no emergency vehicle in the replay's tracks")
	}
}

// emergencyTracks counts track messages with an emergency vehicle.
func emergencyTracks(t *testing.T, path string) int {
	t.Helper()
	emergency := 0
	trackMessages(t, path, func(msg *derivedobject.ObjectWithCovarianceArray) {
		for _, o := range msg.Objects {
			if o.Classification == derivedobject.ClassificationOtherVehicle {
				emergency++
			}
		}
	})
	t.Logf("%s: %d track messages carry an emergency vehicle", filepath.Base(path), emergency)
	return emergency
}

// trackMessages calls fn with every /obstacles/tracks message of a
// replay's output bag, in order.
func trackMessages(t *testing.T, path string, fn func(*derivedobject.ObjectWithCovarianceArray)) {
	t.Helper()
	f, err := bag.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	err = f.Messages(func(m *bag.Message) error {
		if m.Conn.Topic != "/obstacles/tracks" {
			return nil
		}
		var msg derivedobject.ObjectWithCovarianceArray
		if err := m.Decode(&msg); err != nil {
			return err
		}
		fn(&msg)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// toRawAudio copies a bag, turning AudioDataStamped into AudioData plus
// one AudioInfo, as audio_common's audio_capture publishes.
func toRawAudio(t *testing.T, in, out string) {
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
	var info *bag.Connection
	for _, c := range r.Conns {
		if c.Topic != record.TopicAudio {
			conns[c.ID] = w.AddConnection(c.Topic, c.Type, c.MD5, c.Definition, c.Header)
			continue
		}
		if conns[c.ID], err = w.AddTyped(record.TopicAudio, &audio_common_msgs.AudioData{}, c.Header); err != nil {
			t.Fatal(err)
		}
		if info, err = w.AddTyped(record.TopicAudioInfo, &audio_common_msgs.AudioInfo{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	sentInfo := false
	err = r.Messages(func(m *bag.Message) error {
		if m.Conn.Topic != record.TopicAudio {
			return w.Write(conns[m.Conn.ID], m.Time, m.Data)
		}
		if !sentInfo {
			if err := w.WriteMsg(info, m.Time, &audio_common_msgs.AudioInfo{Channels: 4, SampleRate: 16000, SampleFormat: "S16LE", CodingFormat: "wave"}); err != nil {
				return err
			}
			sentInfo = true
		}
		var msg audio_common_msgs.AudioDataStamped
		if err := m.Decode(&msg); err != nil {
			return err
		}
		return w.WriteMsg(conns[m.Conn.ID], m.Time, &msg.Audio)
	})
	if err := errors.Join(err, w.Close()); err != nil {
		t.Fatal(err)
	}
}
