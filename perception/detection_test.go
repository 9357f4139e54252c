package perception

import (
	"math"
	"testing"
)

func TestParseClass(t *testing.T) {
	for c := Unknown; c < NumClasses; c++ {
		got, err := ParseClass(c.String())
		if err != nil || got != c {
			t.Errorf("%s: %v %v", c, got, err)
		}
	}
	if _, err := ParseClass("spaceship"); err == nil {
		t.Error("unknown class accepted")
	}
}

func TestDepthFromWidth(t *testing.T) {
	size := TypicalSize(Car)
	// Seen from behind a car shows its width and is its length deep; seen
	// from the side the reverse.
	for _, c := range []struct{ theta, width, depth float64 }{
		{0, size[1], size[0]},
		{0.5, size[0]*math.Sin(0.5) + size[1]*math.Cos(0.5), size[0]*math.Cos(0.5) + size[1]*math.Sin(0.5)},
	} {
		d, std := DepthFromWidth(Car, c.width, 0.01)
		if math.Abs(d-c.depth) > 0.01 || std <= 0 {
			t.Errorf("θ=%g: depth %g ± %g, want %g", c.theta, d, std, c.depth)
		}
	}
}
