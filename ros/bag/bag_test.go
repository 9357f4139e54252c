package bag

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/avfusion/avfusion/internal/tier"
)

const bagDir = "../../testdata/bags"

func realBags(t *testing.T) []string {
	t.Helper()
	bags, err := filepath.Glob(filepath.Join(bagDir, "*.bag"))
	if err != nil || len(bags) < 8 {
		t.Fatalf("the bags in testdata/bags: %v %v", bags, err)
	}
	return bags
}

// rosbagInfo runs the real `rosbag info --yaml`.
func rosbagInfo(t *testing.T, path string) map[string]any {
	t.Helper()
	out, err := exec.Command("rosbag", "info", "--yaml", path).Output()
	if err != nil {
		t.Fatalf("rosbag info %s: %v (Debian's ros-core provides rosbag; make test installs it)", path, err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInfoAgreesWithRosbagInfo(t *testing.T) {
	tier.Integration(t)
	for _, path := range realBags(t) {
		f, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got := f.Info()
		f.Close() //nolint:errcheck // read-only
		want := rosbagInfo(t, path)
		name := filepath.Base(path)
		if want["indexed"] == false {
			// rosbag says nothing but the size of a bag without messages.
			if got.Messages != 0 || got.Start != nil || len(got.Topics) != 0 {
				t.Errorf("%s: %+v, want an empty bag", name, got)
			}
			continue
		}
		if got.Messages != uint64(want["messages"].(int)) || got.Compression != want["compression"] {
			t.Errorf("%s: messages %d compression %s, rosbag says %v %v", name, got.Messages, got.Compression, want["messages"], want["compression"])
		}
		for key, v := range map[string]*float64{"start": got.Start, "end": got.End, "duration": got.DurationS} {
			w := toFloat(want[key])
			if v == nil || math.Abs(*v-w) > 1e-6 {
				t.Errorf("%s: %s %v, rosbag says %f", name, key, v, w)
			}
		}
		md5 := map[string]string{}
		for _, ty := range want["types"].([]any) {
			m := ty.(map[string]any)
			md5[m["type"].(string)] = m["md5"].(string)
		}
		wantTopics := want["topics"].([]any)
		if len(got.Topics) != len(wantTopics) {
			t.Fatalf("%s: %d topics, rosbag lists %d", name, len(got.Topics), len(wantTopics))
		}
		for i, wt := range wantTopics {
			m := wt.(map[string]any)
			g := got.Topics[i]
			if g.Name != m["topic"] || g.Type != m["type"] || g.Count != uint64(m["messages"].(int)) || g.MD5 != md5[g.Type] {
				t.Errorf("%s: topic %+v, rosbag says %v (md5 %s)", name, g, m, md5[g.Type])
			}
		}
	}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	return math.NaN()
}

func TestCompressionsHoldTheSameMessages(t *testing.T) {
	var contents [][]byte
	for _, name := range []string{"example.bag", "example-bz2.bag", "example-lz4.bag"} {
		f, err := Open(filepath.Join(bagDir, name))
		if err != nil {
			t.Fatal(err)
		}
		var all, live bytes.Buffer
		var datas [][]byte
		n := 0
		var last Time
		err = f.Messages(func(m *Message) error {
			if m.Time.Before(last) {
				t.Fatalf("%s: message at %v after %v", name, m.Time, last)
			}
			last = m.Time
			n++
			all.WriteString(m.Conn.Topic)
			all.Write(m.Data)
			live.Write(m.Data)
			datas = append(datas, m.Data)
			return nil
		})
		f.Close() //nolint:errcheck // read-only
		if err != nil || n != 8647 {
			t.Fatalf("%s: %d messages, %v", name, n, err)
		}
		// Each message's Data is still what fn saw, every message later.
		if !bytes.Equal(bytes.Join(datas, nil), live.Bytes()) {
			t.Fatalf("%s: message data changed after fn returned", name)
		}
		contents = append(contents, all.Bytes())
	}
	if !bytes.Equal(contents[0], contents[1]) || !bytes.Equal(contents[0], contents[2]) {
		t.Fatal("uncompressed, bz2 and lz4 bags differ in content")
	}
}

func TestUnsortedChunksComeOutInTimeOrder(t *testing.T) {
	f, err := Open(filepath.Join(bagDir, "example-unsorted-chunks.bag"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // read-only
	var times []float64
	if err := f.Messages(func(m *Message) error { times = append(times, m.Time.Seconds()); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(times) != 3 || times[0] > times[1] || times[1] > times[2] {
		t.Fatalf("times %v", times)
	}
}

// stringMsg serialises a std_msgs/String.
func stringMsg(s string) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(s))), s...)
}

// TestWrittenBagsPassTheRealTools writes bags with each compression and
// checks them with rosbag info, check, reindex and the Python module.
func TestWrittenBagsPassTheRealTools(t *testing.T) {
	tier.Integration(t)
	dir := t.TempDir()
	for _, comp := range []string{CompressionNone, CompressionLZ4, CompressionBZ2} {
		path := filepath.Join(dir, comp+".bag")
		w, err := Create(path, WriterOpts{Compression: comp, ChunkSize: 200})
		if err != nil {
			t.Fatal(err)
		}
		chatter := w.AddConnection("/chatter", "std_msgs/String", "992ce8a1687cec8c8bd883ec73ca41d1", "string data\n", map[string]string{"callerid": "/test"})
		other := w.AddConnection("/other", "std_msgs/String", "992ce8a1687cec8c8bd883ec73ca41d1", "string data\n", nil)
		for i := 0; i < 50; i++ {
			c := chatter
			if i%3 == 0 {
				c = other
			}
			if err := w.Write(c, Time{Sec: 1000 + uint32(i/10), Nsec: uint32(i%10) * 1e8}, stringMsg(strings.Repeat("x", i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		info := rosbagInfo(t, path)
		if info["messages"] != 50 || info["compression"] != comp || toFloat(info["start"]) != 1000 || math.Abs(toFloat(info["end"])-1004.9) > 1e-6 {
			t.Errorf("%s: rosbag info %v", comp, info)
		}
		if out, err := exec.Command("rosbag", "check", path).CombinedOutput(); err != nil {
			t.Errorf("%s: rosbag check: %v\n%s", comp, err, out)
		}
		copyPath := filepath.Join(dir, comp+"-reindexed.bag")
		data, _ := os.ReadFile(path)
		if err := os.WriteFile(copyPath, data, 0o600); err != nil {
			t.Fatal(err)
		}
		reDir := filepath.Join(dir, "re-"+comp)
		if err := os.Mkdir(reDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("rosbag", "reindex", "--output-dir", reDir, copyPath).CombinedOutput(); err != nil {
			t.Errorf("%s: rosbag reindex: %v\n%s", comp, err, out)
		}
		script := `
import rosbag, sys
b = rosbag.Bag(sys.argv[1])
msgs = [(t, m.data) for t, m, _ in b.read_messages(topics=["/chatter", "/other"])]
assert len(msgs) == 50, len(msgs)
assert [len(d) for _, d in msgs] == list(range(50)), [len(d) for _, d in msgs]
print("ok")
`
		if out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "ok" {
			t.Errorf("%s: python rosbag: %v\n%s", comp, err, out)
		}
		// And our own reader.
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		_ = f.Messages(func(m *Message) error {
			if len(m.Data) != 4+n {
				t.Errorf("%s: message %d has %d bytes", comp, n, len(m.Data))
			}
			n++
			return nil
		})
		f.Close() //nolint:errcheck // read-only
		if n != 50 || len(f.Chunks) < 2 {
			t.Errorf("%s: read back %d messages in %d chunks", comp, n, len(f.Chunks))
		}
	}
}

func TestWriterIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) []byte {
		path := filepath.Join(dir, name)
		w, err := Create(path, WriterOpts{Compression: CompressionLZ4})
		if err != nil {
			t.Fatal(err)
		}
		c := w.AddConnection("/a", "std_msgs/String", "992ce8a1687cec8c8bd883ec73ca41d1", "string data\n", map[string]string{"b": "1", "a": "2"})
		for i := 0; i < 100; i++ {
			_ = w.Write(c, Time{Sec: uint32(i)}, stringMsg("hello"))
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		return data
	}
	if !bytes.Equal(write("a.bag"), write("b.bag")) {
		t.Fatal("the same messages gave different bags")
	}
}

func FuzzReader(f *testing.F) {
	for _, name := range []string{"no-messages.bag", "embag-test_2.bag", "example-unsorted-chunks.bag"} {
		data, err := os.ReadFile(filepath.Join(bagDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		_ = r.Info()
		_ = r.Messages(func(*Message) error { return nil })
	})
}
