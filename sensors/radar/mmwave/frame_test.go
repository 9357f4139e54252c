package mmwave

import (
	"os"
	"slices"
	"testing"
)

const capture = "../../../testdata/ti-mmwave/xwr68xx_processed_stream_2019_12_04T21_44_51_663.dat"

func readCapture(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(capture)
	if err != nil {
		t.Fatalf("the TI capture in testdata/ti-mmwave: %v", err)
	}
	return data
}

// decodeAll scans data fed in chunks of chunk bytes.
func decodeAll(t testing.TB, s *Scanner, data []byte, chunk int, each func(*Frame)) {
	t.Helper()
	var f Frame
	for len(data) > 0 {
		n := s.Feed(data[:min(chunk, len(data))])
		data = data[n:]
		for s.Next(&f) {
			each(&f)
		}
	}
}

// TestSharedCapture checks the facts ../../../testdata/README.md lists for
// TI's own capture from an IWR6843 (SDK 3.3).
func TestSharedCapture(t *testing.T) {
	for _, chunk := range []int{1, 7, 4096, 1 << 20} {
		s := NewScanner(DefaultOpts())
		var frames, points int
		var numbers []uint32
		without7 := map[uint32]bool{}
		decodeAll(t, s, readCapture(t), chunk, func(f *Frame) {
			frames++
			points += len(f.Points)
			numbers = append(numbers, f.FrameNumber)
			if f.Version != 0x03030002 || f.Platform != 0xA6843 {
				t.Fatalf("frame %d: version %#x platform %#x", f.FrameNumber, f.Version, f.Platform)
			}
			types := slices.Clone(f.TLVTypes)
			slices.Sort(types)
			switch {
			case slices.Equal(types, []uint32{1, 2, 6, 7}):
				if !f.HasSideInfo || !f.HasStats || len(f.RangeProfile) == 0 {
					t.Fatalf("frame %d: TLVs not decoded", f.FrameNumber)
				}
			case slices.Equal(types, []uint32{1, 2, 6}):
				without7[f.FrameNumber] = true
				if len(f.Points) != 0 {
					t.Errorf("frame %d without side info has %d points", f.FrameNumber, len(f.Points))
				}
			default:
				t.Errorf("frame %d: TLV types %v", f.FrameNumber, f.TLVTypes)
			}
			if f.FrameNumber == 209 {
				p := f.Points[0]
				if len(f.Points) != 7 || p.X != 0.019077677 || p.Y != 0.08510004 || p.Z != 0 || p.Doppler != 0 || p.SNR != 181 || p.Noise != 852 {
					t.Errorf("frame 209: %d points, first %+v", len(f.Points), p)
				}
			}
		})
		if frames != 101 || points != 825 || numbers[0] != 209 || numbers[len(numbers)-1] != 309 {
			t.Fatalf("chunk %d: %d frames (%d..%d), %d points; want 101 (209..309), 825", chunk, frames, numbers[0], numbers[len(numbers)-1], points)
		}
		if len(without7) != 4 || !without7[265] || !without7[266] || !without7[287] || !without7[293] {
			t.Fatalf("frames without TLV 7: %v", without7)
		}
		if s.Errors != [NumErrorKinds]uint64{} || s.SkippedBytes != 0 {
			t.Fatalf("errors %v, %d bytes skipped on a clean capture", s.Errors, s.SkippedBytes)
		}
	}
}

// TestDamageCostsOnlyTheDamagedFrame damages one frame of the capture in
// each way the issue lists and checks that every other frame survives and
// the damage is counted by kind.
func TestDamageCostsOnlyTheDamagedFrame(t *testing.T) {
	clean := readCapture(t)
	// Offsets of frame starts.
	var starts []int
	for i := 0; i+8 <= len(clean); i++ {
		if [8]byte(clean[i:i+8]) == Magic {
			starts = append(starts, i)
		}
	}
	const victim = 50
	at := starts[victim]
	cases := []struct {
		name   string
		damage func([]byte) []byte
		kind   ErrorKind
	}{
		{"garbage between frames", func(b []byte) []byte {
			return slices.Concat(b[:at], []byte("noise\x02\x01\x04 more noise"), b[at:])
		}, ErrGarbage},
		{"truncated frame", func(b []byte) []byte { return slices.Concat(b[:at+100], b[starts[victim+1]:]) }, ErrTruncated},
		{"length grown", func(b []byte) []byte { b[at+13] ^= 0x04; return b }, ErrTruncated},
		{"length not padded", func(b []byte) []byte { b[at+12] ^= 0x01; return b }, ErrBadLength},
		{"version flipped", func(b []byte) []byte { b[at+11] ^= 0x40; return b }, ErrBadVersion},
		{"TLV count flipped", func(b []byte) []byte { b[at+32] ^= 0x02; return b }, ErrBadTLV},
		{"point count flipped", func(b []byte) []byte { b[at+28] ^= 0x01; return b }, ErrBadPoints},
		{"magic flipped", func(b []byte) []byte { b[at+3] ^= 0xff; return b }, ErrGarbage},
	}
	for _, c := range cases {
		data := c.damage(slices.Clone(clean))
		s := NewScanner(DefaultOpts())
		got := map[uint32]bool{}
		decodeAll(t, s, data, 333, func(f *Frame) { got[f.FrameNumber] = true })
		victimNumber := uint32(209 + victim)
		for n := uint32(209); n <= 309; n++ {
			if n != victimNumber && !got[n] {
				t.Errorf("%s: undamaged frame %d lost", c.name, n)
			}
		}
		wantFrames := 100
		if c.kind == ErrGarbage && c.name == "garbage between frames" {
			wantFrames = 101 // nothing was damaged but the gap
		}
		if len(got) != wantFrames || s.Errors[c.kind] != 1 {
			t.Errorf("%s: %d frames, errors %v; want %d frames and one %s", c.name, len(got), s.Errors, wantFrames, c.kind)
		}
	}
}

func TestSDK2QFormatPoints(t *testing.T) {
	// One SDK 2.x frame with two points in Q7: (1.5, 2, -0.25) and
	// (0, 10, 0), Doppler indices -3 and 2 at 0.1 m/s per bin.
	body := []byte{}
	put16 := func(v int) { body = le.AppendUint16(body, uint16(int16(v))) }
	body = le.AppendUint32(body, TLVPoints)
	body = le.AppendUint32(body, 4+2*12)
	put16(2)
	put16(7)
	for _, p := range [][4]int{{-3, 192, 256, -32}, {2, 0, 1280, 0}} {
		put16(10)
		put16(p[0])
		put16(500)
		put16(p[1])
		put16(p[2])
		put16(p[3])
	}
	pkt := BuildPacket(nil, Header{Version: 0x02010004, Platform: 0xA1642, FrameNumber: 5, NumDetectedObj: 2, NumTLVs: 1}, body)
	opts := DefaultOpts()
	opts.DopplerResolutionMps = 0.1
	var f Frame
	if err := ParseFrame(&f, pkt, &opts); err != nil {
		t.Fatal(err)
	}
	want := []Point{{X: 1.5, Y: 2, Z: -0.25, Doppler: -0.3}, {X: 0, Y: 10, Z: 0, Doppler: 0.2}}
	for i, p := range f.Points {
		if p.X != want[i].X || p.Y != want[i].Y || p.Z != want[i].Z || p.Doppler-want[i].Doppler > 1e-6 || want[i].Doppler-p.Doppler > 1e-6 {
			t.Errorf("point %d: %+v, want %+v", i, p, want[i])
		}
	}
}

func TestUnknownTLVSkippedAndCounted(t *testing.T) {
	body := le.AppendUint32(nil, 42)
	body = le.AppendUint32(body, 6)
	body = append(body, 1, 2, 3, 4, 5, 6)
	var f Frame
	opts := DefaultOpts()
	if err := ParseFrame(&f, BuildPacket(nil, Header{Version: 0x03030002, NumTLVs: 1}, body), &opts); err != nil {
		t.Fatal(err)
	}
	if f.UnknownTLVs != 1 || !slices.Equal(f.TLVTypes, []uint32{42}) {
		t.Fatalf("%+v", f)
	}
}

func TestScannerAllocatesNothingPerFrame(t *testing.T) {
	data := readCapture(t)
	s := NewScanner(DefaultOpts())
	var f Frame
	decodeAll(t, s, data, 4096, func(*Frame) {}) // warm up
	allocs := testing.AllocsPerRun(5, func() {
		for d := data; len(d) > 0; {
			n := s.Feed(d)
			d = d[n:]
			for s.Next(&f) {
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per pass over the capture", allocs)
	}
}

func BenchmarkScanner(b *testing.B) {
	data := readCapture(b)
	s := NewScanner(DefaultOpts())
	var f Frame
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for d := data; len(d) > 0; {
			n := s.Feed(d)
			d = d[n:]
			for s.Next(&f) {
			}
		}
	}
	// The link carries 921600 baud, 10 bits a byte: 92160 B/s.
	b.ReportMetric(float64(b.N)*float64(len(data))/b.Elapsed().Seconds()/92160, "x_link_rate")
}
