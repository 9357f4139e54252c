package mic

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/avfusion/avfusion/sensors"
)

// chunk encodes frames of a 440 Hz tone (channel c shifted by c samples)
// starting at frame n.
func chunk(n, frames, channels, rate int) []byte {
	var b []byte
	for i := range frames {
		for c := range channels {
			v := 0.5 * math.Sin(2*math.Pi*440*float64(n+i-c)/float64(rate))
			b = binary.LittleEndian.AppendUint16(b, uint16(int16(v*32767)))
		}
	}
	return b
}

// TestStreamStampsByFrameCount feeds 0.1 s chunks whose arrival stamps
// jitter: windows are stamped by the frame count from the first chunk,
// an overrun (a lost chunk) is counted and bridged, and a 48 kHz stream
// comes out at 16 kHz.
func TestStreamStampsByFrameCount(t *testing.T) {
	const t0 = sensors.Time(1_000_000_000)
	s, err := NewStream(StreamConfig{Rate: 16000, Channels: 2, OutRate: 16000, Window: 16384, Hop: 8000})
	if err != nil {
		t.Fatal(err)
	}
	var wins []Window
	for k := range 30 {
		if k == 20 {
			continue // lost: the next chunk's stamp is 0.2 s after the one before
		}
		jitter := sensors.Time((k%3 - 1) * 3_000_000) // ±3 ms
		wins, err = s.Push(chunk(1600*k, 1600, 2, 16000), t0+sensors.Time(k)*100_000_000+jitter, wins)
		if err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	if st.Overruns != 1 || st.Frames != 30*1600 {
		t.Fatalf("stats %+v, want 1 overrun and 48000 frames counted", st)
	}
	// Windows of 16384 frames every 8000 in 48000: at 0, 8000, 16000 and
	// 24000, centres at 8192, 16192, ... frames.
	if len(wins) != 4 {
		t.Fatalf("%d windows, want 4 from 3 s", len(wins))
	}
	for i, w := range wins {
		want := t0 - 3_000_000 + sensors.Time(float64(8192+8000*i)/16000*1e9) // anchored on the first chunk's stamp
		if w.Stamp != want || len(w.Channels) != 2 || len(w.Channels[1]) != 16384 {
			t.Fatalf("window %d: stamp %d, want %d (%d channels)", i, w.Stamp, want, len(w.Channels))
		}
	}
	if v, want := wins[0].Channels[1][100], 0.5*math.Sin(2*math.Pi*440*99/16000); math.Abs(v-want) > 1e-3 {
		t.Fatalf("channel 1 sample 100: %g, want %g", v, want)
	}

	hi, _ := NewStream(StreamConfig{Rate: 48000, Channels: 1, OutRate: 16000, Window: 16384, Hop: 8000})
	var out []Window
	for k := range 20 {
		out, _ = hi.Push(chunk(4800*k, 4800, 1, 48000), t0+sensors.Time(k)*100_000_000, out)
	}
	if len(out) != 2 || len(out[0].Channels[0]) != 16384 {
		t.Fatalf("48 kHz: %d windows", len(out))
	}
	if v, want := out[0].Channels[0][5000], 0.5*math.Sin(2*math.Pi*440*5000/16000); math.Abs(v-want) > 0.01 {
		t.Fatalf("48 kHz resampled: %g, want %g", v, want)
	}
	if _, err := s.Push([]byte{1, 2, 3}, t0, nil); err == nil {
		t.Fatal("a chunk of 3 bytes in 2 channels was accepted")
	}
}
