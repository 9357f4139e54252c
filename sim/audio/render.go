package audio

import "math"

// SpeedOfSound is the speed of sound in air at about 20 °C, m/s.
const SpeedOfSound = 343.0

// Source is a sound moving in the ground plane: the signal it emits,
// sample i at T0 + i/SampleRate seconds, and where it is at any time.
type Source struct {
	Signal   []float64
	T0       float64
	Position func(t float64) (x, y float64) // m, in the frame the microphones are given in
	// Level is the amplitude at 1 m.
	Level float64
}

// emitted returns the source's signal at time t by cubic interpolation,
// 0 outside it.
func (s *Source) emitted(t float64) float64 {
	x := (t - s.T0) * SampleRate
	i := int(math.Floor(x))
	if i < 1 || i+2 >= len(s.Signal) {
		return 0
	}
	f := x - float64(i)
	p0, p1, p2, p3 := s.Signal[i-1], s.Signal[i], s.Signal[i+1], s.Signal[i+2]
	// Catmull-Rom
	return p1 + 0.5*f*(p2-p0+f*(2*p0-5*p1+4*p2-p3+f*(3*(p1-p2)+p3-p0)))
}

// Receive adds to dst what a microphone hears of the sources, sample i at
// t0 + i/SampleRate: each source's sound from when it left the source,
// which makes the delays between microphones and the Doppler shift of a
// moving source come out right, attenuated as 1/distance (from 1 m). mic
// gives the microphone's position at a time (it may move, z is its
// height above the sources).
func Receive(dst []float64, t0 float64, mic func(t float64) (x, y, z float64), sources []Source) {
	for si := range sources {
		s := &sources[si]
		for i := range dst {
			t := t0 + float64(i)/SampleRate
			mx, my, mz := mic(t)
			// The emission time τ solves τ = t - |src(τ) - mic(t)|/c;
			// two fixed-point steps are exact to well below a sample for
			// road speeds.
			tau := t
			var r float64
			for range 3 {
				sx, sy := s.Position(tau)
				r = math.Sqrt((sx-mx)*(sx-mx) + (sy-my)*(sy-my) + mz*mz)
				tau = t - r/SpeedOfSound
			}
			if math.IsInf(r, 0) || math.IsNaN(r) {
				continue // the source is not in the world
			}
			dst[i] += s.Level * s.emitted(tau) / math.Max(r, 1)
		}
	}
}
