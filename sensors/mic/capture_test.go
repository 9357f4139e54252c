//go:build cgo

package mic

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/sensors"
)

// TestCaptureThroughALSA records through the real sound library (miniaudio
// on ALSA) with no sound card: an ALSA configuration of the test's own
// defines a PCM that plays a file into the capture side (the `file`
// plugin's infile over the `null` device). The captured samples are the
// file's, and the chunks are stamped by frame count from the first one.
func TestCaptureThroughALSA(t *testing.T) {
	tier.Integration(t)
	dir := t.TempDir()
	const rate, channels = 16000, 2
	raw := filepath.Join(dir, "in.raw")
	var b []byte
	for i := range rate {
		for c := range channels {
			v := 0.5 * math.Sin(2*math.Pi*440*float64(i)/rate+float64(c))
			b = binary.LittleEndian.AppendUint16(b, uint16(int16(v*32767)))
		}
	}
	if err := os.WriteFile(raw, b, 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "asound.conf")
	if err := os.WriteFile(conf, []byte(`</usr/share/alsa/alsa.conf>
pcm.avftest {
	type file
	slave.pcm "null"
	file "/dev/null"
	infile "`+raw+`"
	format "raw"
}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALSA_CONFIG_PATH", conf)
	clock := sensors.NewVirtualClock(7_000_000_000)
	c, err := OpenCapture(CaptureConfig{Device: "avftest", Channels: channels, RateHz: rate, Queue: 2000}, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []byte
	var frames int64
	var first sensors.Time
	for len(got) < len(b)+4096 {
		ch, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(len(ch.Data) / (2 * channels))
		if frames == 0 {
			// Anchored at the arrival of the first buffer minus its length.
			first = ch.Stamp
			if want := sensors.Time(7_000_000_000) - sensors.Time(n*1e9/rate); first != want {
				t.Fatalf("first chunk stamped %d, want %d", first, want)
			}
		} else if want := first + sensors.Time(frames*1e9/rate); math.Abs(float64(ch.Stamp-want)) > 1 {
			t.Fatalf("chunk at frame %d stamped %d, want %d (by frame count)", frames, ch.Stamp, want)
		}
		frames += n
		got = append(got, ch.Data...)
	}
	// The null device starts with a period of silence; then the file,
	// whose first frame is (0, sin 1).
	start := 0
	for start < len(got)-4 && got[start] == 0 && got[start+1] == 0 {
		start += 2
	}
	start -= start % (2 * channels)
	if start > 4096 {
		t.Fatalf("%d bytes of silence before the file", start)
	}
	match := 0
	for i := 0; i+1 < len(b) && start+i+1 < len(got); i += 2 {
		if got[start+i] == b[i] && got[start+i+1] == b[i+1] {
			match++
		}
	}
	if match < len(b)/2*99/100 {
		t.Fatalf("%d of %d samples match the file", match, len(b)/2)
	}
	t.Logf("captured %d frames; %d of %d samples are the file's; %d chunks dropped by the bounded queue", frames, match, len(b)/2, c.Overruns())
}

// stepClock advances by step every time it is read: the node clock as a
// sound card's buffers see it when they arrive regularly.
type stepClock struct {
	mu   sync.Mutex
	now  sensors.Time
	step time.Duration
}

func (c *stepClock) Now() sensors.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// TestCaptureMeasuresTheCardsClockDrift: buffers of 160 frames at a
// nominal 16 kHz arrive every 10.001 ms of node time, so the card's clock
// runs 100 ppm slow against the node's; the capture's clock fit says so.
func TestCaptureMeasuresTheCardsClockDrift(t *testing.T) {
	tier.Integration(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "asound.conf")
	if err := os.WriteFile(conf, []byte("</usr/share/alsa/alsa.conf>\npcm.avfnull { type null }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALSA_CONFIG_PATH", conf)
	clock := &stepClock{now: 1e9, step: 10_001 * time.Microsecond}
	c, err := OpenCapture(CaptureConfig{Device: "avfnull", Channels: 1, RateHz: 16000, Queue: 4}, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		frames := c.frames
		c.mu.Unlock()
		if frames > 120*16000 { // two minutes of sound card time
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	ppm, ok := c.DriftPPM()
	if !ok || math.Abs(ppm-100) > 5 {
		t.Fatalf("drift %.1f ppm (known %v), want 100", ppm, ok)
	}
	t.Logf("drift %.1f ppm", ppm)
}
