package acoustic

import (
	"math"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/nn"
	"github.com/avfusion/avfusion/sensors"
)

// Detector turns one window of a microphone array's sound into an
// acoustic detection: the classifier on the channels' mean, GCC-PHAT on
// the channels for the bearing. It allocates nothing per window; it is
// not safe for concurrent use.
type Detector struct {
	cls     *Classifier
	doa     *DOA // nil for a single microphone
	hearing Hearing
	mono    []float64
	frame   [][]float64
	probs   []float64
}

// NewDetector builds a detector for an array with the shipped classifier,
// reporting what hearing hears in its windows.
func NewDetector(array calib.MicArray, hearing Hearing) (*Detector, error) {
	cls, err := DefaultClassifier()
	if err != nil {
		return nil, err
	}
	if err := array.Validate(); err != nil {
		return nil, err
	}
	d := &Detector{cls: cls, hearing: hearing, mono: make([]float64, WindowSamples), frame: make([][]float64, len(array.Microphones)), probs: make([]float64, NumClasses)}
	if len(array.Microphones) > 1 {
		if d.doa, err = NewDOA(array); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Detect classifies a window (WindowSamples samples per channel, 16 kHz,
// the array's channel order) captured around stamp. It always returns
// the sound's class belief; it returns a detection (ok) when its Hearing
// hears a siren or horn (the likeliest class, a siren once it has lasted
// as long as the Hearing asks) and the array gives its bearing.
func (d *Detector) Detect(channels [][]float64, stamp sensors.Time) (det perception.Detection, sound perception.Sound, ok bool) {
	clear(d.mono)
	for _, ch := range channels {
		for i, v := range ch[:WindowSamples] {
			d.mono[i] += v
		}
	}
	d.cls.Classify(d.probs, d.mono)
	sound = perception.Sound{Siren: d.probs[Siren], Horn: d.probs[Horn], Background: d.probs[Background]}
	if d.hearing.Hear(nn.Argmax(d.probs)) == Background || d.doa == nil {
		return det, sound, false
	}
	for off := 0; off+FrameSize <= WindowSamples; off += Hop {
		for c, ch := range channels {
			d.frame[c] = ch[off : off+FrameSize]
		}
		d.doa.Add(d.frame)
	}
	dir, found := d.doa.Estimate()
	if !found {
		return det, sound, false
	}
	det = perception.Detection{Stamp: stamp, Sensor: perception.Mic, Dim: 1, Sound: sound, Class: perception.Uniform(),
		Score: max(sound.Siren, sound.Horn)}
	det.Z[perception.AcousticBearing] = dir.Bearing
	det.R[0][0] = dir.Variance
	if dir.Ambiguous {
		det.Dim = 2
		// The mirror image about the array's axis.
		axis := math.Atan2(d.doa.axis[1], d.doa.axis[0])
		det.Z[perception.AcousticMirror] = math.Remainder(2*axis-dir.Bearing, 2*math.Pi)
	}
	return det, sound, true
}

// WindowHopS is the time between analysis windows, s: the node's,
// replay's and simulator's, and `audio classify`'s by default.
const WindowHopS = 0.5

// SirenSeconds is how long every window over a sound must be classified
// siren before `audio classify` and the scores on real recordings hear a
// siren: a siren sounds for seconds, and a tonal moment of music or a
// voice seldom looks like one for that long. A horn is heard at its first
// window: honks are short. The node's wait is mic.siren_confirm_s.
const SirenSeconds = 1.5

// Hearing decides what is heard from a stream of windows' classes.
type Hearing struct {
	need, run int
}

// NewHearing follows windows hop seconds apart: a siren is heard once as
// many consecutive windows as span sirenSeconds are siren (from its first
// window when one window spans them: 0 asks for no wait).
func NewHearing(hop, sirenSeconds float64) Hearing {
	window := float64(WindowSamples) / SampleRate
	return Hearing{need: 1 + max(0, int(math.Ceil((sirenSeconds-window)/hop)))}
}

// Hear takes the next window's class and returns what is heard: Siren
// once enough consecutive windows have been siren, Horn for a horn
// window, else Background.
func (h *Hearing) Hear(class int) int {
	h.run++
	if class != Siren {
		h.run = 0
	}
	switch {
	case class == Siren && h.run >= h.need:
		return Siren
	case class == Horn:
		return Horn
	}
	return Background
}
