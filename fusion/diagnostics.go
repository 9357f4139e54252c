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
	// newer ones were fused; DroppedLateWindow those of this window.
	DroppedLate, DroppedLateWindow uint64
	// Silent is true when the sensor sent nothing for longer than its
	// timeout.
	Silent bool
	// AgeMs is how old the sensor's newest capture stamp is at the window's
	// end: its latency as the node sees it. Queued counts its scans
	// waiting for slower sensors.
	AgeMs  float64
	Queued int
}

// Why an input message was refused (InputHealth.Refused).
const (
	RefusedDecode = "decode_error"   // the message could not be decoded
	RefusedFields = "missing_fields" // a cloud without the x or y it needs
	RefusedBad    = "bad_message"    // decoded, but unusable (a cloud shorter than its points, say)
)

// InputHealth is what became of one input topic's messages since start.
type InputHealth struct {
	Topic string
	// Fused counts the messages handed to the fusion engine.
	Fused uint64
	// RepairedStamps counts those whose stamp was 0 or implausibly far
	// from their arrival and was replaced by the arrival time minus the
	// sensor's latency; AssumedFrames those without a frame_id, taken as
	// the sensor's configured mount.
	RepairedStamps, AssumedFrames uint64
	// Refused counts the messages refused, by reason.
	Refused map[string]uint64
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
	// OverBudget and TotalOverBudget count the cycles whose latency
	// exceeded the latency budget, in the window and since start.
	OverBudget, TotalOverBudget int
	// LatencyMs is the capture-to-publish latency, CycleMs the cycle's own
	// duration, both over the window.
	LatencyMs Percentiles
	CycleMs   Percentiles
	Tracks    int
	Pending   int
	Sensors   []SensorHealth
	// DroppedInputs counts inputs dropped since start because the queue
	// to the fusion loop was full.
	DroppedInputs uint64
	// Inputs says, per input topic, what became of its messages.
	Inputs []InputHealth
	// FilterFailures counts the tracks' filter steps that failed
	// numerically since start (each skipped; the track carries on).
	FilterFailures uint64
	// HeadFallbacks counts, since start, the track judgements the fusion
	// head left to the Bayesian rule because the track's evidence lay
	// outside its training data (Head.Familiar).
	HeadFallbacks uint64
	// Devices reports hardware connections (a serial radar, say).
	Devices []DeviceHealth
	// Stages reports perception stages that shed load (the camera
	// detector).
	Stages []StageHealth
	// Heard lists the sirens and horns of the last two seconds that no
	// track explains.
	Heard []AcousticHypothesis
}

// DeviceHealth is the state of one device connection.
type DeviceHealth struct {
	Name      string
	Connected bool
	// Reconnects counts reconnections since start.
	Reconnects int
	Message    string
	// ClockDriftPPM is the device clock's drift against the node's, NaN
	// when unknown.
	ClockDriftPPM float64
}

// StageHealth is the state of a perception stage that takes the newest
// input and skips what it cannot keep up with, such as the camera
// detector.
type StageHealth struct {
	Name     string // "camera detector"
	Detector string // hog, dnn, ...
	// FramesTotal and SkippedTotal count inputs since start; skipped ones
	// were replaced by a newer input before the stage took them.
	FramesTotal, SkippedTotal uint64
	// ProcessedWindow and SkippedWindow count this window's inputs.
	ProcessedWindow, SkippedWindow int
	// MeanMs and MaxMs are the processing time per input in this window.
	MeanMs, MaxMs float64
	// Err is the last processing error, if any.
	Err string
}

// Level rates a stage: WARN when it failed or skipped more inputs than it
// processed in the window.
func (s StageHealth) Level() Level {
	if s.Err != "" || s.SkippedWindow > s.ProcessedWindow {
		return LevelWarn
	}
	return LevelOK
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
	for _, dev := range d.Devices {
		if !dev.Connected {
			level = LevelError
		}
	}
	for _, st := range d.Stages {
		level = max(level, st.Level())
	}
	return level
}

// HealthWindow turns a run's counters into one Diagnostics per window.
type HealthWindow struct {
	sensors    []perception.Sensor
	realtime   bool
	since      sensors.Time // start of the window, on the run's clock
	wallFrom   time.Time
	cycles     int // cycles before the window
	misses     int
	overBudget int
	fused      [perception.NumSensors]uint64
	late       [perception.NumSensors]uint64
	diag       Diagnostics
}

// NewHealthWindow starts windows at start for the given live sensors.
// With realtime, the window's length is measured on the wall clock.
func NewHealthWindow(live []perception.Sensor, start sensors.Time, realtime bool) *HealthWindow {
	return &HealthWindow{sensors: live, realtime: realtime, since: start, wallFrom: time.Now()}
}

// Window closes the window at now and returns its diagnostics (reused by
// the next call); it resets the stats' window histograms.
func (h *HealthWindow) Window(e *Engine, now sensors.Time, tracks int, stats *CycleStats) *Diagnostics {
	span := now.Sub(h.since)
	if h.realtime {
		span = time.Since(h.wallFrom)
	}
	d := &h.diag
	*d = Diagnostics{
		Stamp: now, Window: span, Cycles: stats.Cycles,
		CycleHz:             float64(stats.Cycles-h.cycles) / span.Seconds(),
		DeadlineMisses:      stats.Misses - h.misses,
		TotalDeadlineMisses: stats.Misses,
		OverBudget:          stats.OverBudget - h.overBudget,
		TotalOverBudget:     stats.OverBudget,
		LatencyMs:           stats.WindowLatency.Percentiles(),
		CycleMs:             stats.WindowCycle.Percentiles(),
		Tracks:              tracks,
		Pending:             e.Pending(),
		FilterFailures:      e.tracker.FilterFailures(),
		HeadFallbacks:       e.HeadFallbacks(),
		Sensors:             d.Sensors[:0],
		Heard:               append(d.Heard[:0], e.tracker.Heard()...),
	}
	stats.WindowLatency.Reset()
	stats.WindowCycle.Reset()
	for _, s := range h.sensors {
		age, queued := e.SensorState(s, now)
		d.Sensors = append(d.Sensors, SensorHealth{
			Sensor:            s,
			RateHz:            float64(e.Fused[s]-h.fused[s]) / span.Seconds(),
			DroppedLate:       e.DroppedLate[s],
			DroppedLateWindow: e.DroppedLate[s] - h.late[s],
			Silent:            e.Silent(s, now),
			AgeMs:             float64(age) / 1e6,
			Queued:            queued,
		})
		h.fused[s], h.late[s] = e.Fused[s], e.DroppedLate[s]
	}
	h.since, h.wallFrom, h.cycles, h.misses, h.overBudget = now, time.Now(), stats.Cycles, stats.Misses, stats.OverBudget
	return d
}
