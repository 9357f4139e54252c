package acoustic

// maxLoopFade is the longest crossfade Loop puts at a join, in samples
// (20 ms).
const maxLoopFade = SampleRate / 50

// Loop returns n samples of the clip x played over and over, as a sound
// shorter than one analysis window is heard: each repeat fades in over
// the previous one's fade-out (20 ms, or a quarter of the clip when that
// is shorter), so that the joins do not click. Repeated end to end, a
// tone's joins are steps of up to twice its amplitude, broadband clicks a
// few times a window that make a short horn look like background. The
// first repeat starts unfaded, with x's own first sample. x must not be
// empty.
func Loop(x []float64, n int) []float64 {
	m := len(x)
	out := make([]float64, n)
	fade := min(m/4, maxLoopFade)
	if fade < 2 {
		for i := range out {
			out[i] = x[i%m]
		}
		return out
	}
	step := m - fade
	for start := 0; start < n; start += step {
		for i := 0; i < m && start+i < n; i++ {
			g := 1.0
			if start > 0 && i < fade {
				g = float64(i) / float64(fade)
			}
			if i >= step && start+step < n { // the next repeat starts here
				g *= float64(m-1-i) / float64(fade)
			}
			out[start+i] += g * x[i]
		}
	}
	return out
}
