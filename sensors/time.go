// Package sensors holds what every sensor driver shares: capture stamps on the
// node clock and the clocks that produce them.
package sensors

import (
	"sync"
	"time"
)

// Time is a capture instant in nanoseconds since the Unix epoch on the node
// clock. It is always the moment the sensor sampled the world, never the
// moment the data arrived.
type Time int64

// Seconds returns t in seconds since the epoch.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// Sub returns the duration t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Add returns t shifted by d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Clock tells the current time of the node. Nothing outside WallClock reads
// the system clock, so a run on a VirtualClock is deterministic.
type Clock interface {
	Now() Time
}

// WallClock reads the system clock.
type WallClock struct{}

// Now returns the system time.
func (WallClock) Now() Time { return Time(time.Now().UnixNano()) }

// VirtualClock is a clock that only moves when told to; replay and the
// simulator drive it to run faster than real time and deterministically.
// It is safe for concurrent use.
type VirtualClock struct {
	mu  sync.Mutex
	now Time
}

// NewVirtualClock returns a clock that reads start until it is advanced.
func NewVirtualClock(start Time) *VirtualClock { return &VirtualClock{now: start} }

// Now returns the clock's current reading.
func (c *VirtualClock) Now() Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t. A clock never runs backwards: a t before the
// current reading is ignored and Set reports false.
func (c *VirtualClock) Set(t Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t < c.now {
		return false
	}
	c.now = t
	return true
}
