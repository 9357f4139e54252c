package calib

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeMic(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mic.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMicArrayFile(t *testing.T) {
	m, err := ReadMicArray(writeMic(t, `name: roof
mount: {x: 0.5, y: 0, z: 1.6, yaw: 0}
microphones:
  - [0.0325, 0, 0]
  - [0, 0.0325, 0]
  - [-0.0325, 0, 0]
  - [0, -0.0325, 0]
`))
	if err != nil {
		t.Fatal(err)
	}
	pairs := m.Pairs()
	if len(pairs) != 6 || m.SpeedOfSoundMps != 343 || m.Mount.Z != 1.6 {
		t.Fatalf("%+v: %d pairs", m, len(pairs))
	}
	// Opposite microphones 65 mm apart: 0.19 ms at most, phase wraps
	// above 343/(2·0.065) = 2638 Hz.
	p := pairs[1] // 0 and 2
	if p.I != 0 || p.J != 2 || math.Abs(p.MaxDelayS-0.065/343) > 1e-9 || math.Abs(p.AliasHz-2638.5) > 1 {
		t.Fatalf("pair %+v", p)
	}
	if notes := m.Notes(); len(notes) != 0 {
		t.Fatalf("a square array of 4 has no caveats, got %v", notes)
	}
	two := MicArray{SpeedOfSoundMps: 343, Microphones: [][3]float64{{0, 0.03, 0}, {0, -0.03, 0}}}
	if notes := two.Notes(); len(notes) != 1 || !strings.Contains(notes[0], "front/back") {
		t.Fatalf("a left-right pair: %v", notes)
	}
}

func TestMicArrayErrorsNameTheField(t *testing.T) {
	for _, c := range []struct{ body, says string }{
		{"microphones: []\n", "microphones: none listed"},
		{"microphones: [[0, 0, 0], [0.001, 0, 0]]\n", "microphones[1]: 1.0 mm from microphones[0]"},
		{"microphones: [[0, 0, 9]]\n", "microphones[0]"},
		{"speed_of_sound_mps: 1500\nmicrophones: [[0, 0, 0]]\n", "speed_of_sound_mps"},
		{"mics: [[0, 0, 0]]\n", "field mics not found"},
	} {
		if _, err := ReadMicArray(writeMic(t, c.body)); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%q: %v, want %q", c.body, err, c.says)
		}
	}
}
