package main

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/avfusion/avfusion/sensors/mic"
	"github.com/avfusion/avfusion/sim/audio"
)

// TestAudioClassifyCLI writes a 44.1 kHz 4-channel WAV of road noise,
// then a siren 30 m away at 40°, as a square array of 10 cm side hears
// them, and reads it back with `audio classify --json --array`:
// background first, then siren with the bearing, and a summary that adds
// up.
func TestAudioClassifyCLI(t *testing.T) {
	bin := sharedBinary(t)
	rnd := rand.New(rand.NewPCG(12, 12))
	const rate = 44100
	n := 6 * audio.SampleRate
	siren := make([]float64, n+2*audio.SampleRate)
	audio.RandomSiren(rnd).Generate(siren, 0)
	bearing := 40 * math.Pi / 180
	on := func(t float64) bool { return t >= 3 }
	src := audio.Source{Signal: siren, T0: -1, Level: 3, Position: func(t float64) (float64, float64) {
		if !on(t) {
			return math.Inf(1), math.Inf(1)
		}
		return 30 * math.Cos(bearing), 30 * math.Sin(bearing)
	}}
	noise := make([]float64, n)
	var chans [][]float64
	square := [][2]float64{{0.05, 0.05}, {-0.05, 0.05}, {-0.05, -0.05}, {0.05, -0.05}}
	for _, m := range square {
		audio.Noise(noise, audio.Road, rnd) // diffuse: each microphone its own
		ch := make([]float64, n)
		audio.Receive(ch, 0, func(float64) (float64, float64, float64) { return m[0], m[1], 0 }, []audio.Source{src})
		for i := range ch {
			ch[i] = 0.5*ch[i] + 0.02*noise[i] + 0.005*rnd.NormFloat64()
		}
		chans = append(chans, mic.Resample(ch, audio.SampleRate, rate))
	}
	dir := t.TempDir()
	array := filepath.Join(dir, "square.yaml")
	if err := os.WriteFile(array, []byte("microphones: [[0.05, 0.05, 0], [-0.05, 0.05, 0], [-0.05, -0.05, 0], [0.05, -0.05, 0]]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := writeWAV(t, filepath.Join(dir, "street.wav"), rate, chans...)
	out, err := exec.Command(bin, "audio", "classify", path, "--json", "--array", array).Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderrOf(err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var sirens, early int
	counts := map[string]int{}
	for _, line := range lines[:len(lines)-1] {
		var w map[string]any
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			t.Fatal(err)
		}
		if got := keys(w); !reflect.DeepEqual(got, []string{"bearing_rad", "class", "probs", "t"}) && !reflect.DeepEqual(got, []string{"class", "probs", "t"}) {
			t.Fatalf("window keys %v", got)
		}
		if got := keys(w["probs"].(map[string]any)); !reflect.DeepEqual(got, []string{"background", "horn", "siren"}) {
			t.Fatalf("probs keys %v", got)
		}
		class, at := w["class"].(string), w["t"].(float64)
		counts[class]++
		switch {
		case at < 2.4 && class != "background":
			early++
		case at > 3.8 && class == "siren":
			sirens++
			b, ok := w["bearing_rad"].(float64)
			if !ok || math.Abs(b-bearing) > 5*math.Pi/180 {
				t.Errorf("siren window at %.1f s: bearing %v, want %.3f", at, w["bearing_rad"], bearing)
			}
		}
	}
	var sum struct {
		Windows int            `json:"windows"`
		Counts  map[string]int `json:"counts"`
		Heard   string         `json:"heard"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Windows != len(lines)-1 || sum.Heard != "siren" || !reflect.DeepEqual(sum.Counts, map[string]int{"siren": counts["siren"], "horn": counts["horn"], "background": counts["background"]}) {
		t.Fatalf("summary %+v, counted %v", sum, counts)
	}
	if early > 0 || sirens < 3 {
		t.Fatalf("%d non-background windows in the first 2.4 s of road noise; %d siren windows after 3.8 s\n%s", early, sirens, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.wav")
	if err := os.WriteFile(bad, []byte("RIFF....WAVEjunk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(bin, "audio", "classify", bad).CombinedOutput(); err == nil || !strings.Contains(string(msg), "bad.wav: wav:") {
		t.Fatalf("bad file: %v: %s", err, msg)
	}
}

// TestAudioClassifyShortAndSilentClips: a clip shorter than one analysis
// window is classified (repeated to fill it), not refused; a silent file
// is background, said to be silent.
func TestAudioClassifyShortAndSilentClips(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	write := func(name string, samples []float64) string {
		return writeWAV(t, filepath.Join(dir, name), audio.SampleRate, samples)
	}
	siren := make([]float64, audio.SampleRate*3/10) // 0.3 s
	audio.RandomSiren(rand.New(rand.NewPCG(3, 3))).Generate(siren, 0)
	for i := range siren {
		siren[i] *= 0.5
	}
	for _, c := range []struct {
		path             string
		repeated, silent bool
	}{
		{write("short.wav", siren), true, false},
		{write("silent.wav", make([]float64, 2*audio.SampleRate)), false, true},
	} {
		out, err := exec.Command(bin, "audio", "classify", c.path, "--json").Output()
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var sum struct {
			Windows  int            `json:"windows"`
			Counts   map[string]int `json:"counts"`
			Seconds  float64        `json:"seconds"`
			Repeated bool           `json:"repeated"`
			Silent   bool           `json:"silent"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
			t.Fatalf("%s: %v\n%s", c.path, err, out)
		}
		t.Logf("%s: %+v", filepath.Base(c.path), sum)
		if sum.Windows < 1 || sum.Repeated != c.repeated || sum.Silent != c.silent || (c.silent && sum.Counts["background"] != sum.Windows) {
			t.Errorf("%s: %+v", c.path, sum)
		}
	}
}

// TestAudioClassifyReadsOggAndMP3: a recording encoded by Debian's oggenc
// and lame is classified like the WAV it came from.
func TestAudioClassifyReadsOggAndMP3(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	siren := make([]float64, 2*audio.SampleRate)
	audio.RandomSiren(rand.New(rand.NewPCG(5, 5))).Generate(siren, 0)
	for i := range siren {
		siren[i] *= 0.3
	}
	wav := writeWAV(t, filepath.Join(dir, "siren.wav"), audio.SampleRate, siren)
	for _, enc := range [][]string{{"oggenc", "-Q", "-o", filepath.Join(dir, "siren.ogg"), wav}, {"lame", "--quiet", wav, filepath.Join(dir, "siren.mp3")}} {
		if msg, err := exec.Command(enc[0], enc[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s (make deps installs it): %v: %s", enc[0], err, msg)
		}
	}
	for _, name := range []string{"siren.wav", "siren.ogg", "siren.mp3"} {
		out, err := exec.Command(bin, "audio", "classify", filepath.Join(dir, name), "--json").Output()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var sum struct {
			Windows int     `json:"windows"`
			Seconds float64 `json:"seconds"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		if sum.Windows < 2 || sum.Seconds < 1.99 || sum.Seconds > 2.25 {
			t.Errorf("%s: %+v", name, sum)
		}
	}
}

// writeWAV writes channels as a 16-bit WAV file at path and returns path.
func writeWAV(t *testing.T, path string, rate int, channels ...[]float64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := mic.WriteWAV(f, &mic.Audio{Rate: rate, Channels: channels}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
