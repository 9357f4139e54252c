// Package perception defines the object-level Detection that every sensor
// modality's perception stage produces and the fusion engine consumes.
package perception

import (
	"fmt"
	"math"

	"github.com/avfusion/avfusion/sensors"
)

// Sensor identifies the modality that produced a detection.
type Sensor uint8

// The sensor modalities.
const (
	Radar Sensor = iota
	Camera
	Mic
	NumSensors
)

var sensorNames = [NumSensors]string{"radar", "camera", "mic"}

// String returns the sensor's lower-case name.
func (s Sensor) String() string {
	if s < NumSensors {
		return sensorNames[s]
	}
	return fmt.Sprintf("sensor(%d)", uint8(s))
}

// Class is an object class.
type Class uint8

// The object classes, matching the scenario file's class names.
const (
	Unknown Class = iota
	Car
	Truck
	Pedestrian
	Cyclist
	EmergencyVehicle
	NumClasses
)

var classNames = [NumClasses]string{"unknown", "car", "truck", "pedestrian", "cyclist", "emergency_vehicle"}

// String returns the class name used in scenario files and JSON output.
func (c Class) String() string {
	if c < NumClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// ParseClass returns the class with the given name.
func ParseClass(name string) (Class, error) {
	for i, n := range classNames {
		if n == name {
			return Class(i), nil
		}
	}
	return Unknown, fmt.Errorf("unknown class %q (want one of %v)", name, classNames)
}

// ClassProbs is a probability distribution over classes.
type ClassProbs [NumClasses]float64

// Uniform returns the distribution that says nothing.
func Uniform() ClassProbs {
	var p ClassProbs
	for i := range p {
		p[i] = 1 / float64(NumClasses)
	}
	return p
}

// Argmax returns the most probable class and its probability.
func (p *ClassProbs) Argmax() (Class, float64) {
	best := Unknown
	for i := range p {
		if p[i] > p[best] {
			best = Class(i)
		}
	}
	return best, p[best]
}

// TypicalSize returns a class's typical length, width and height in metres.
func TypicalSize(c Class) [3]float64 {
	switch c {
	case Car:
		return [3]float64{4.5, 1.8, 1.5}
	case Truck:
		return [3]float64{10, 2.5, 3.5}
	case Pedestrian:
		return [3]float64{0.5, 0.5, 1.75}
	case Cyclist:
		return [3]float64{1.8, 0.6, 1.7}
	case EmergencyVehicle:
		return [3]float64{5.5, 2.0, 2.5}
	}
	return [3]float64{1, 1, 1}
}

// DepthFromWidth estimates how deep (along the line of sight) an object of
// class c is when its visible width is w metres (standard deviation wStd):
// a box of length L and width W turned by θ from the line of sight shows
// L·sinθ + W·cosθ and is L·cosθ + W·sinθ deep. It returns the depth and
// its standard deviation, including what the class's size spread leaves
// unknown.
func DepthFromWidth(c Class, w, wStd float64) (depth, std float64) {
	size := TypicalSize(c)
	l, wd := size[0], size[1]
	theta := func(w float64) float64 {
		// Visible width rises with θ up to atan(L/W); invert by bisection.
		lo, hi := 0.0, math.Atan2(l, wd)
		for i := 0; i < 30; i++ {
			mid := (lo + hi) / 2
			if l*math.Sin(mid)+wd*math.Cos(mid) < w {
				lo = mid
			} else {
				hi = mid
			}
		}
		return (lo + hi) / 2
	}
	deep := func(th float64) float64 { return l*math.Cos(th) + wd*math.Sin(th) }
	d := deep(theta(w))
	spread := math.Abs(deep(theta(w+wStd))-deep(theta(w-wStd))) / 2
	return d, math.Hypot(spread, 0.1*l)
}

// MaxMeasDim is the largest measurement dimension of any sensor.
const MaxMeasDim = 3

// Measurement indices for radar detections (sensor frame, polar).
const (
	RadarRange     = 0 // m
	RadarAzimuth   = 1 // rad, counter-clockwise from the sensor's x axis
	RadarRangeRate = 2 // m/s, positive moving away
)

// Measurement indices for camera detections.
const (
	CameraBearing = 0 // rad, counter-clockwise from the camera's optical axis projected on the ground
	CameraRange   = 1 // m, from the ground-plane assumption
)

// Measurement indices for acoustic detections (microphone array frame).
const (
	AcousticBearing = 0 // rad, counter-clockwise from the array's x axis
	// AcousticMirror is the bearing's mirror image about the array's axis,
	// as likely as AcousticBearing, when Dim is 2 (a collinear array
	// cannot tell them apart).
	AcousticMirror = 1
)

// Sound is an acoustic detection's class belief over the sounds the
// classifier knows.
type Sound struct {
	Siren, Horn, Background float64
}

// Detection is one object seen by one sensor at one capture instant, in the
// sensor's own coordinates. It is a plain value with fixed-size arrays
// (and, for a clustered radar, a shared slice of its returns), so
// building and queueing one allocates nothing.
type Detection struct {
	Stamp  sensors.Time // capture time on the node clock
	Sensor Sensor
	// Z holds the first Dim measurement components (see the index constants
	// for each sensor); R is their covariance.
	Z   [MaxMeasDim]float64
	R   [MaxMeasDim][MaxMeasDim]float64
	Dim int
	// Class is the sensor's class belief; Uniform when it has none.
	Class ClassProbs
	// Score is the detector's confidence in [0, 1].
	Score float64
	// Box is the image box (left, top, width, height in pixels) for camera
	// detections; zero otherwise.
	Box [4]float64
	// Sound is what an acoustic detection heard; zero otherwise.
	Sound Sound
	// SupportOnly marks a detection that may update a known track but
	// must not start one: a radar cluster too small to tell from static
	// clutter.
	SupportOnly bool
	// Returns is how many radar returns a clustered radar detection
	// summarises, and Spread their standard deviation along and across
	// the line of sight (m) and in Doppler (m/s), with the sensor's own
	// noise taken out: the object's extent as the radar sees it, and how
	// differently its parts move (a walker's limbs). All are zero for a
	// sensor that reports whole objects.
	Returns int
	Spread  [3]float64
	// Points are the returns a clustered radar detection summarises (nil
	// for a sensor that reports whole objects), shared and read-only.
	Points []RadarReturn
}

// RadarReturn is one return of a clustered radar detection, in the
// sensor's frame with ROS axes: its position in the ground plane (m), its
// Doppler (m/s, positive receding) and SNR (dB).
type RadarReturn struct {
	X, Y, Doppler, SNR float64
}
