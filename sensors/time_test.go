package sensors

import (
	"testing"
	"time"
)

func TestVirtualClockNeverRunsBackwards(t *testing.T) {
	c := NewVirtualClock(100)
	if !c.Set(200) || c.Now() != 200 {
		t.Fatalf("Set(200): now %v", c.Now())
	}
	if c.Set(150) || c.Now() != 200 {
		t.Fatalf("Set(150) moved the clock back to %v", c.Now())
	}
}

func TestTimeArithmetic(t *testing.T) {
	t0 := Time(1500 * time.Millisecond)
	if t0.Seconds() != 1.5 || t0.Add(time.Second).Sub(t0) != time.Second {
		t.Fatalf("%v", t0)
	}
}
