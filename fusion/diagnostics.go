package fusion

import (
	"time"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// Level is a diagnostic severity, with the values of
// diagnostic_msgs/DiagnosticStatus.
type Level int8

// Diagnostic levels.
const (
	LevelOK    Level = 0
	LevelWarn  Level = 1
	LevelError Level = 2
)

// Percentiles summarises a sample.
type Percentiles struct {
	P50, P99, Max float64
}

// SensorHealth is what one sensor did over a diagnostics window.
type SensorHealth struct {
	Sensor perception.Sensor
	// RateHz is the rate of scans fused over the window.
	RateHz float64
	// DroppedLate counts scans dropped since start for arriving after
	// newer ones were fused.
	DroppedLate uint64
	// Silent is true when the sensor sent nothing for longer than its
	// timeout.
	Silent bool
}

// Diagnostics is the node's health over the last window (about a second).
type Diagnostics struct {
	Stamp  sensors.Time
	Window time.Duration
	// CycleHz is the achieved output rate; Cycles the total so far.
	CycleHz float64
	Cycles  int
	// DeadlineMisses counts cycles over their deadline in the window;
	// TotalDeadlineMisses since start.
	DeadlineMisses      int
	TotalDeadlineMisses int
	// LatencyMs is the capture-to-publish latency, CycleMs the cycle's own
	// duration, both over the window.
	LatencyMs Percentiles
	CycleMs   Percentiles
	Tracks    int
	Pending   int
	Sensors   []SensorHealth
}

// Level rates the window: ERROR when a sensor is silent or more than a tenth
// of the cycles missed their deadline, WARN on any miss or late drop.
func (d *Diagnostics) Level() Level {
	level := LevelOK
	cycles := d.CycleHz * d.Window.Seconds()
	if d.DeadlineMisses > 0 {
		level = LevelWarn
	}
	if cycles > 0 && float64(d.DeadlineMisses) > 0.1*cycles {
		level = LevelError
	}
	for _, s := range d.Sensors {
		if s.Silent {
			level = LevelError
		}
	}
	return level
}
