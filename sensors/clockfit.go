package sensors

import (
	"math"
	"time"
)

// ClockFit estimates how a sensor's own clock (a free-running tick counter,
// such as a TI radar's timeCpuCycles) maps to the node clock, from pairs of
// (ticks, arrival time): the offset and the drift of the sensor's
// oscillator. Arrivals carry transfer jitter; a least-squares line over the
// recent pairs, older ones fading with TimeConstant, averages it out, so
// stamps taken from the fit are steadier than arrival stamps, and the
// drift is measured over minutes. The counter may wrap (32 bits). It
// allocates nothing.
type ClockFit struct {
	// HzNominal is the counter's nominal rate.
	HzNominal float64
	// TimeConstant is how fast old pairs fade (default 5 minutes).
	TimeConstant time.Duration

	haveFirst  bool
	lastTicks  uint32
	unwrapped  uint64
	firstTicks uint64
	firstNode  Time
	lastX      float64
	n          int
	// Weighted sums of x (sensor seconds), y (node seconds) since first.
	s0, sx, sy, sxx, sxy float64
}

// Add records that a frame stamped ticks by the sensor reached the node at
// arrival.
func (c *ClockFit) Add(ticks uint32, arrival Time) {
	if !c.haveFirst {
		c.haveFirst, c.lastTicks, c.unwrapped = true, ticks, uint64(ticks)
		c.firstTicks, c.firstNode = uint64(ticks), arrival
	} else {
		c.unwrapped += uint64(ticks - c.lastTicks) // modular difference handles the wrap
		c.lastTicks = ticks
	}
	x := float64(c.unwrapped-c.firstTicks) / c.HzNominal
	y := arrival.Sub(c.firstNode).Seconds()
	tau := c.TimeConstant.Seconds()
	if tau <= 0 {
		tau = 300
	}
	fade := math.Exp(-(x - c.lastX) / tau)
	c.lastX = x
	c.s0, c.sx, c.sy, c.sxx, c.sxy = fade*c.s0+1, fade*c.sx+x, fade*c.sy+y, fade*c.sxx+x*x, fade*c.sxy+x*y
	c.n++
}

// line returns the fitted y = off + slope·x, or ok false before ten pairs.
func (c *ClockFit) line() (off, slope float64, ok bool) {
	if c.n < 10 {
		return 0, 0, false
	}
	mx, my := c.sx/c.s0, c.sy/c.s0
	vxx := c.sxx/c.s0 - mx*mx
	if vxx <= 0 {
		return 0, 0, false
	}
	slope = (c.sxy/c.s0 - mx*my) / vxx
	return my - slope*mx, slope, true
}

// DriftPPM is how much faster (positive) the node clock runs than the
// sensor's nominal rate says, in parts per million; ok is false before the
// fit has enough pairs.
func (c *ClockFit) DriftPPM() (ppm float64, ok bool) {
	_, slope, ok := c.line()
	return (slope - 1) * 1e6, ok
}

// Stamp maps ticks (of the latest frame added, or later ones) to the node
// clock along the fitted line: the mean arrival time of a frame stamped
// ticks. ok is false before the fit has enough pairs.
func (c *ClockFit) Stamp(ticks uint32) (Time, bool) {
	off, slope, ok := c.line()
	if !ok {
		return 0, false
	}
	u := c.unwrapped + uint64(ticks-c.lastTicks)
	x := float64(u-c.firstTicks) / c.HzNominal
	return c.firstNode + Time(math.Round((off+slope*x)*1e9)), true
}
