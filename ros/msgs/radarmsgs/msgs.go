// Package radarmsgs defines the messages of the ROS package radar_msgs
// (ros-perception, noetic branch) that avfusion reads, with the field
// layout of the real package so that their MD5 sums match it.
package radarmsgs

import (
	"github.com/bluenviron/goroslib/v2/pkg/msg"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/std_msgs"
)

// RadarReturn is radar_msgs/RadarReturn: one detection in the radar's
// frame (REP-103 angles).
type RadarReturn struct {
	msg.Package     `ros:"radar_msgs"`
	Range           float32 // m
	Azimuth         float32 // rad, anticlockwise positive
	Elevation       float32 // rad, negative below the sensor
	DopplerVelocity float32 // m/s
	Amplitude       float32 // dB
}

// RadarScan is radar_msgs/RadarScan: one scan's returns.
type RadarScan struct {
	msg.Package `ros:"radar_msgs"`
	Header      std_msgs.Header
	Returns     []RadarReturn
}
