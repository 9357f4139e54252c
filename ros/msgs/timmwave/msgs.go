// Package timmwave defines ti_mmwave_rospkg/RadarScan, the per-point
// message of TI's ROS driver for its mmWave radars (ti_mmwave_rospkg), with
// the field layout of the real package so that its MD5 sum matches it.
// Datasets recorded with the driver's older versions hold one message
// per detected point; a frame ends where point_id starts again at 0.
package timmwave

import (
	"github.com/bluenviron/goroslib/v2/pkg/msg"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/std_msgs"
)

// RadarScanType is the message's ROS type.
const RadarScanType = "ti_mmwave_rospkg/RadarScan"

// RadarScanMD5 is the real package's MD5 sum of RadarScan.
const RadarScanMD5 = "7a726cbc7d2934bb55d96dada9040f86"

// RadarScan is ti_mmwave_rospkg/RadarScan: one detected point in the
// radar's frame.
type RadarScan struct {
	msg.Package `ros:"ti_mmwave_rospkg"`
	Header      std_msgs.Header
	PointID     uint16  `rosname:"point_id"`
	X           float32 // m, forward
	Y           float32 // m, left
	Z           float32 // m, up
	Range       float32 // m
	Velocity    float32 // m/s, radial
	DopplerBin  uint16  `rosname:"doppler_bin"`
	Bearing     float32 // deg
	Intensity   float32 // dB
}
