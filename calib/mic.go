package calib

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// MicLayout lays out a regular array of channels microphones with
// neighbours spacingM apart, centred on its origin in its x-y plane: one
// at the origin, a left-right pair, or a circle (a square for four).
func MicLayout(channels int, spacingM float64) MicArray {
	a := MicArray{SpeedOfSoundMps: 343}
	switch channels {
	case 1:
		a.Microphones = [][3]float64{{0, 0, 0}}
	case 2:
		a.Microphones = [][3]float64{{0, spacingM / 2, 0}, {0, -spacingM / 2, 0}}
	default:
		r := spacingM / (2 * math.Sin(math.Pi/float64(channels)))
		for i := range channels {
			ang := 2 * math.Pi * (float64(i) + 0.5) / float64(channels)
			a.Microphones = append(a.Microphones, [3]float64{r * math.Cos(ang), r * math.Sin(ang), 0})
		}
	}
	return a
}

// MicArray is a microphone array's geometry: where each microphone sits
// in the array's own frame (REP-103 axes, metres) and where the array is
// mounted on the vehicle. The file format is YAML:
//
//	name: roof_array
//	mount: {x: 0.5, y: 0, z: 1.6, yaw: 0}
//	speed_of_sound_mps: 343
//	microphones:            # channel order of the sound card
//	  - [0.0325, 0, 0]
//	  - [0, 0.0325, 0]
//	  - [-0.0325, 0, 0]
//	  - [0, -0.0325, 0]
type MicArray struct {
	Name            string       `yaml:"name"`
	Mount           Mount        `yaml:"mount"`
	SpeedOfSoundMps float64      `yaml:"speed_of_sound_mps"`
	Microphones     [][3]float64 `yaml:"microphones"`
}

// MaxMicrophones bounds the channels an array may have.
const MaxMicrophones = 16

// ReadMicArray reads and validates a microphone-array file.
func ReadMicArray(path string) (MicArray, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return MicArray{}, fmt.Errorf("calib: mic array: %w", err)
	}
	var m MicArray
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return MicArray{}, fmt.Errorf("calib: mic array %s: %w", path, err)
	}
	if m.SpeedOfSoundMps == 0 {
		m.SpeedOfSoundMps = 343
	}
	if err := m.Validate(); err != nil {
		return MicArray{}, fmt.Errorf("calib: mic array %s: %w", path, err)
	}
	return m, nil
}

// Validate names the first thing that makes the geometry unusable.
func (m MicArray) Validate() error {
	switch {
	case len(m.Microphones) == 0:
		return errors.New("microphones: none listed")
	case len(m.Microphones) > MaxMicrophones:
		return fmt.Errorf("microphones: %d listed, at most %d", len(m.Microphones), MaxMicrophones)
	case !(m.SpeedOfSoundMps >= 300 && m.SpeedOfSoundMps <= 400):
		return fmt.Errorf("speed_of_sound_mps: %g is not the speed of sound in air (300 to 400)", m.SpeedOfSoundMps)
	}
	for i, p := range m.Microphones {
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 2 {
				return fmt.Errorf("microphones[%d]: %v is not a position within 2 m of the array's origin", i, p)
			}
		}
		for j := range i {
			if d := dist3(p, m.Microphones[j]); d < 0.005 {
				return fmt.Errorf("microphones[%d]: %.1f mm from microphones[%d]; two microphones cannot share a place", i, d*1000, j)
			}
		}
	}
	return nil
}

func dist3(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}

// MicPair is one pair of microphones and what its spacing allows.
type MicPair struct {
	I, J      int
	SpacingM  float64
	MaxDelayS float64 // largest time difference of arrival
	// AliasHz is the frequency above which the pair's phase wraps
	// (spacing of half a wavelength).
	AliasHz float64
}

// Pairs lists every microphone pair.
func (m MicArray) Pairs() []MicPair {
	var out []MicPair
	for i := range m.Microphones {
		for j := i + 1; j < len(m.Microphones); j++ {
			d := dist3(m.Microphones[i], m.Microphones[j])
			out = append(out, MicPair{I: i, J: j, SpacingM: d, MaxDelayS: d / m.SpeedOfSoundMps, AliasHz: m.SpeedOfSoundMps / (2 * d)})
		}
	}
	return out
}

// Notes says what the geometry can and cannot resolve: one microphone
// gives no direction, collinear microphones cannot tell front from back.
func (m MicArray) Notes() []string {
	var notes []string
	switch {
	case len(m.Microphones) == 1:
		return []string{"one microphone: sound events can be classified but no direction found"}
	case m.collinear():
		notes = append(notes, "the microphones lie on one line: a bearing is ambiguous between the two sides of that line (front/back for a left-right pair)")
	}
	for _, p := range m.Pairs() {
		if p.AliasHz < 2000 {
			notes = append(notes, fmt.Sprintf("microphones %d and %d are %.0f mm apart: their phase wraps above %.0f Hz, within a siren's band", p.I, p.J, p.SpacingM*1000, p.AliasHz))
		}
	}
	return notes
}

// collinear reports whether every microphone lies on the line through the
// first two (within a millimetre).
func (m MicArray) collinear() bool {
	a, b := m.Microphones[0], m.Microphones[1]
	d := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
	l := math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
	for _, p := range m.Microphones[2:] {
		v := [3]float64{p[0] - a[0], p[1] - a[1], p[2] - a[2]}
		c := [3]float64{v[1]*d[2] - v[2]*d[1], v[2]*d[0] - v[0]*d[2], v[0]*d[1] - v[1]*d[0]}
		if math.Sqrt(c[0]*c[0]+c[1]*c[1]+c[2]*c[2])/l > 0.001 {
			return false
		}
	}
	return true
}

// FormatMicPositions writes an array's microphone positions compactly,
// "x y z; x y z; ..." in metres, channel order; ParseMicPositions reads it.
func FormatMicPositions(m MicArray) string {
	var b strings.Builder
	for i, p := range m.Microphones {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%g %g %g", p[0], p[1], p[2])
	}
	return b.String()
}

// ParseMicPositions reads FormatMicPositions' text into a validated array
// (speed of sound 343 m/s).
func ParseMicPositions(s string) (MicArray, error) {
	m := MicArray{SpeedOfSoundMps: 343}
	for _, part := range strings.Split(s, ";") {
		var p [3]float64
		if _, err := fmt.Sscan(strings.TrimSpace(part), &p[0], &p[1], &p[2]); err != nil {
			return MicArray{}, fmt.Errorf("calib: microphone positions %q: %w", s, err)
		}
		m.Microphones = append(m.Microphones, p)
	}
	return m, m.Validate()
}
