package mic

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileDecodesOggAndMP3 encodes a 1 kHz tone with Debian's oggenc
// and lame and reads it back: the length and the tone survive, and the
// format is told by the bytes, not the name.
func TestReadFileDecodesOggAndMP3(t *testing.T) {
	dir := t.TempDir()
	tone := &Audio{Rate: 44100, Channels: [][]float64{make([]float64, 44100)}}
	for i := range tone.Channels[0] {
		tone.Channels[0][i] = 0.5 * math.Sin(2*math.Pi*1000*float64(i)/44100)
	}
	wav := filepath.Join(dir, "tone.wav")
	f, err := os.Create(wav)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteWAV(f, tone); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, enc := range []struct{ out, tool string }{
		{"tone.ogg", "oggenc -Q -o OUT IN"},
		{"tone.mp3", "lame --quiet -b 128 IN OUT"},
		{"tone.wav", ""},
	} {
		out := filepath.Join(dir, enc.out)
		if enc.tool != "" {
			args := strings.Fields(strings.NewReplacer("IN", wav, "OUT", out).Replace(enc.tool))
			if msg, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
				t.Fatalf("%s (make deps installs it): %v: %s", args[0], err, msg)
			}
		}
		renamed := out + ".sound" // the name says nothing
		if err := os.Rename(out, renamed); err != nil {
			t.Fatal(err)
		}
		a, err := ReadFile(renamed)
		if err != nil {
			t.Fatalf("%s: %v", enc.out, err)
		}
		x := a.Channels[0]
		if a.Rate != 44100 || len(x) < 44100-100 || len(x) > 44100+3500 { // MP3 adds its encoder's delay and padding
			t.Fatalf("%s: %d samples at %d Hz, want about 44100 at 44100", enc.out, len(x), a.Rate)
		}
		// The tone's power at 1 kHz against 1.5 kHz, over the middle.
		mid := x[len(x)/4 : 3*len(x)/4]
		if at, off := goertzel(mid, 1000, a.Rate), goertzel(mid, 1500, a.Rate); at < 1000*off || at < 0.2 {
			t.Fatalf("%s: power %g at 1 kHz, %g at 1.5 kHz", enc.out, at, off)
		}
	}
	junk := filepath.Join(dir, "junk.ogg")
	if err := os.WriteFile(junk, []byte("OggS but not really"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(junk); err == nil || !strings.Contains(err.Error(), "junk.ogg: ogg:") {
		t.Fatalf("a broken Ogg file: %v", err)
	}
}

// goertzel returns the mean power of x at hz.
func goertzel(x []float64, hz float64, rate int) float64 {
	w := 2 * math.Pi * hz / float64(rate)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = v+2*math.Cos(w)*s1-s2, s1
	}
	p := s1*s1 + s2*s2 - 2*math.Cos(w)*s1*s2
	return p / float64(len(x)*len(x)) * 4
}
