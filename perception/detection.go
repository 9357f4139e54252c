// Package perception defines the object-level Detection that every sensor
// modality's perception stage produces and the fusion engine consumes.
package perception

import (
	"fmt"

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

// Detection is one object seen by one sensor at one capture instant, in the
// sensor's own coordinates. It is a plain value with fixed-size arrays, so
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
}
