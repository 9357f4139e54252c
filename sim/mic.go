package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sim/audio"
)

// Microphone-array simulation constants.
const (
	// MicWindowHop is the time between acoustic analysis windows.
	MicWindowHop = time.Duration(acoustic.WindowHopS * float64(time.Second))
	// micLatency is the time from a window's end to its detection
	// reaching the fusion loop.
	micLatency = 20 * time.Millisecond
	// sirenLevel is a siren's amplitude at 1 m, and micNoise the RMS of
	// each microphone's own background (road, wind, electronics): a siren
	// is 14 dB above it at 40 m, 6 dB at 100 m.
	sirenLevel = 20.0
	micNoise   = 0.1
)

// AudioGain scales the simulated sound into 16-bit samples when a run is
// recorded: a siren's level at 1 m is full scale.
const AudioGain = 1.0 / sirenLevel

// micSim renders what the scenario's microphone array hears.
type micSim struct {
	array   calib.MicArray
	sources []audio.Source
	rnd     *rand.Rand
	buf     [][]float64
}

// MicArrayOf lays out a scenario's array: a left-right pair, a square of
// side spacing_m for four, otherwise a circle with neighbours spacing_m
// apart.
func MicArrayOf(m *MicArray) calib.MicArray {
	a := calib.MicLayout(m.Channels, m.SpacingM)
	a.Name, a.SpeedOfSoundMps = "sim", audio.SpeedOfSound
	return a
}

// newMicSim prepares the sirens of the scenario's actors, each a random
// siren of its own, emitting for the whole run.
func newMicSim(w *World) *micSim {
	m := &micSim{array: MicArrayOf(w.sc.Mic), rnd: rand.New(rand.NewPCG(uint64(w.sc.Seed), 0x6d6963))}
	length := int((w.sc.Duration.Seconds() + 4) * audio.SampleRate)
	for i := range w.sc.Actors {
		a := &w.sc.Actors[i]
		if !a.Siren {
			continue
		}
		sig := make([]float64, length)
		audio.RandomSiren(m.rnd).Generate(sig, 0)
		m.sources = append(m.sources, audio.Source{Signal: sig, T0: -2, Level: sirenLevel, Position: func(t float64) (float64, float64) {
			tr, ok := w.truthAt(a, w.start.Add(time.Duration(t*1e9)))
			if !ok {
				return math.Inf(1), math.Inf(1) // silent: out of the world
			}
			return tr.X, tr.Y
		}})
	}
	for range m.array.Microphones {
		m.buf = append(m.buf, make([]float64, acoustic.WindowSamples))
	}
	return m
}

// MicStamp is the capture stamp of acoustic window k: its centre.
func (w *World) MicStamp(k int) sensors.Time {
	return w.micStart(k).Add(time.Duration(float64(acoustic.WindowSamples) / 2 / audio.SampleRate * 1e9))
}

// MicArrival is when acoustic window k's detection reaches the node.
func (w *World) MicArrival(k int) sensors.Time {
	return w.micStart(k).Add(time.Duration(float64(acoustic.WindowSamples)/audio.SampleRate*1e9) + micLatency)
}

func (w *World) micStart(k int) sensors.Time { return w.start.Add(time.Duration(k) * MicWindowHop) }

// MicWindow renders acoustic window k: every channel of the array, with
// each siren's sound as it arrives at that microphone on the moving
// vehicle, over the microphone's own noise. The slices are reused by the
// next call.
func (w *World) MicWindow(k int) [][]float64 {
	if w.mic == nil {
		w.mic = newMicSim(w)
	}
	m := w.mic
	t0 := w.micStart(k).Sub(w.start).Seconds()
	mount := w.rig.Mic
	for c, p := range m.array.Microphones {
		ch := m.buf[c]
		for i := range ch {
			ch[i] = micNoise * m.rnd.NormFloat64()
		}
		audio.Receive(ch, t0, func(t float64) (float64, float64, float64) {
			pose := w.Ego(w.start.Add(time.Duration(t * 1e9))).SensorPose(mount)
			s, co := math.Sincos(pose.Yaw)
			return pose.X + co*p[0] - s*p[1], pose.Y + s*p[0] + co*p[1], mount.Z
		}, m.sources)
	}
	return m.buf
}
