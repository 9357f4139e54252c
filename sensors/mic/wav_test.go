package mic

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// floatWAV builds a 32-bit float WAV, extensible header when ext is set.
func floatWAV(rate, channels int, samples []float32, ext bool) []byte {
	var b []byte
	fmtSize := 16
	if ext {
		fmtSize = 40
	}
	data := 4 * len(samples)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(4+8+fmtSize+8+8+data))
	b = append(b, "WAVE"...)
	b = append(b, "LIST"...) // an unrelated chunk to skip
	b = binary.LittleEndian.AppendUint32(b, 3)
	b = append(b, 1, 2, 3, 0) // odd size, padded
	b = append(b, "fmt "...)
	b = binary.LittleEndian.AppendUint32(b, uint32(fmtSize))
	tag := uint16(wavFloat)
	if ext {
		tag = wavExtensible
	}
	b = binary.LittleEndian.AppendUint16(b, tag)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*4*channels))
	b = binary.LittleEndian.AppendUint16(b, uint16(4*channels))
	b = binary.LittleEndian.AppendUint16(b, 32)
	if ext {
		b = binary.LittleEndian.AppendUint16(b, 22)
		b = binary.LittleEndian.AppendUint16(b, 32)
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint16(b, wavFloat) // sub-format GUID starts with the format code
		b = append(b, make([]byte, 14)...)
	}
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(data))
	for _, s := range samples {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(s))
	}
	return b
}

func TestReadWAVFormats(t *testing.T) {
	// 16-bit PCM stereo round trip.
	in := &Audio{Rate: 44100, Channels: [][]float64{{0, 0.5, -0.5, 1}, {0.25, -1, 0, 0.125}}}
	var buf bytes.Buffer
	if err := WriteWAV(&buf, in); err != nil {
		t.Fatal(err)
	}
	got, err := ReadWAV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rate != 44100 || len(got.Channels) != 2 || got.Len() != 4 || math.Abs(got.Channels[1][1]+1) > 1e-4 || math.Abs(got.Channels[0][1]-0.5) > 1e-4 {
		t.Fatalf("%+v", got)
	}
	for _, ext := range []bool{false, true} {
		a, err := ReadWAV(bytes.NewReader(floatWAV(8000, 3, []float32{0.1, 0.2, 0.3, -0.1, -0.2, -0.3}, ext)))
		if err != nil {
			t.Fatal(err)
		}
		if a.Rate != 8000 || len(a.Channels) != 3 || a.Len() != 2 || float32(a.Channels[2][1]) != -0.3 {
			t.Fatalf("float, extensible %v: %+v", ext, a)
		}
	}
	for _, c := range []struct {
		data []byte
		says string
	}{
		{[]byte("RIFX0000WAVE"), "not a RIFF WAVE"},
		{floatWAV(384000, 1, []float32{0}, false), "384000 Hz"},
		{floatWAV(16000, 17, make([]float32, 17), false), "17 channels"},
		{floatWAV(16000, 1, nil, false)[:44+12], "no samples"},
	} {
		if _, err := ReadWAV(bytes.NewReader(c.data)); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v, want %q", err, c.says)
		}
	}
}

// TestResampleKeepsTonesAndRejectsAliases: a 1 kHz tone at 44.1 kHz comes
// out at 16 kHz with its amplitude and frequency; a 10 kHz tone, above the
// new Nyquist frequency, is filtered out instead of folding to 6 kHz.
func TestResampleKeepsTonesAndRejectsAliases(t *testing.T) {
	tone := func(hz float64, rate int) []float64 {
		x := make([]float64, rate)
		for i := range x {
			x[i] = math.Sin(2 * math.Pi * hz * float64(i) / float64(rate))
		}
		return x
	}
	y := Resample(tone(1000, 44100), 44100, 16000)
	if len(y) != 16000 {
		t.Fatalf("%d samples", len(y))
	}
	for i := 100; i < 15900; i += 97 {
		if want := math.Sin(2 * math.Pi * 1000 * float64(i) / 16000); math.Abs(y[i]-want) > 0.01 {
			t.Fatalf("sample %d: %g, want %g", i, y[i], want)
		}
	}
	alias := Resample(tone(10000, 44100), 44100, 16000)
	rms := 0.0
	for _, v := range alias[100 : len(alias)-100] {
		rms += v * v
	}
	if rms = math.Sqrt(rms / float64(len(alias)-200)); rms > 0.01 {
		t.Fatalf("a 10 kHz tone leaks through at RMS %g", rms)
	}
	up := Resample(tone(1000, 8000), 8000, 16000)
	if math.Abs(up[1001]-math.Sin(2*math.Pi*1000*1001/16000)) > 0.01 {
		t.Fatalf("upsampling: %g", up[1001])
	}
}

// TestReadWAVG711 reads 8-bit A-law and μ-law: the codewords at silence,
// the smallest step and full scale decode to G.711's values.
func TestReadWAVG711(t *testing.T) {
	for _, c := range []struct {
		format uint16
		bytes  []byte
		want   []float64 // in 16-bit units
	}{
		{wavMuLaw, []byte{0xff, 0x7f, 0x80, 0x00, 0xfe, 0x7e}, []float64{0, 0, 32124, -32124, 8, -8}},
		{wavALaw, []byte{0xd5, 0x55, 0xaa, 0x2a}, []float64{8, -8, 32256, -32256}},
	} {
		var b []byte
		b = append(b, "RIFF"...)
		b = binary.LittleEndian.AppendUint32(b, uint32(4+8+16+8+len(c.bytes)))
		b = append(b, "WAVEfmt "...)
		b = binary.LittleEndian.AppendUint32(b, 16)
		b = binary.LittleEndian.AppendUint16(b, c.format)
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = binary.LittleEndian.AppendUint32(b, 8000)
		b = binary.LittleEndian.AppendUint32(b, 8000)
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = binary.LittleEndian.AppendUint16(b, 8)
		b = append(b, "data"...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(c.bytes)))
		b = append(b, c.bytes...)
		a, err := ReadWAV(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("format %d: %v", c.format, err)
		}
		for i, w := range c.want {
			if got := a.Channels[0][i] * (1 << 15); got != w {
				t.Errorf("format %d, byte %#x: %g, want %g", c.format, c.bytes[i], got, w)
			}
		}
	}
}
