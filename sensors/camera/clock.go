package camera

import "github.com/avfusion/avfusion/sensors"

// fitAfterS is how long a live source runs on arrival stamps before the
// fit of its own timestamps, averaged by then, takes over.
const fitAfterS = 30

// sourceClock fits a live source's own frame timestamps (V4L2 buffer
// times, a GStreamer pipeline's position: OpenCV's position in ms) to the
// node clock.
type sourceClock struct {
	fit   sensors.ClockFit
	since float64 // source time of the first frame, s; negative before it
}

func newSourceClock() sourceClock {
	return sourceClock{fit: sensors.ClockFit{HzNominal: 1e6}, since: -1}
}

// stamp records a frame the source timestamped posMs that arrived at now,
// and returns when it was taken: its arrival until the fit has seen
// fitAfterS of the source's time, then the fitted line, which averages
// out the arrival jitter and follows the source clock's drift.
func (c *sourceClock) stamp(posMs float64, now sensors.Time) sensors.Time {
	ticks := uint32(int64(posMs * 1000)) // µs; the fit unwraps the 32 bits
	c.fit.Add(ticks, now)
	if c.since < 0 {
		c.since = posMs / 1000
	}
	if posMs/1000-c.since >= fitAfterS {
		if fitted, ok := c.fit.Stamp(ticks); ok {
			return fitted
		}
	}
	return now
}

// driftPPM is how much faster the node clock runs than the source's.
func (c *sourceClock) driftPPM() (float64, bool) { return c.fit.DriftPPM() }
