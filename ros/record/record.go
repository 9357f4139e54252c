// Package record writes a simulated run's raw sensor streams and ground
// truth to a ROS bag (avfusion sim --bag), in the topics and message types
// that avfusion replay reads.
package record

import (
	"fmt"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/audio_common_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/nav_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sim"
)

// Topics of a recorded run: what avfusion sim --bag writes (radar points,
// camera boxes or JPEG images, camera info, audio, odometry, truth) and
// what avfusion replay reads (those, and radar scans, raw images and audio
// info, after its --remap).
const (
	TopicRadarPoints = "/radar/points"
	TopicRadarScan   = "/radar/scan"
	TopicCameraBoxes = "/camera/detections"
	TopicCameraInfo  = "/camera/camera_info"
	TopicCameraImage = "/camera/image_raw"
	TopicCameraJPEG  = "/camera/image_raw/compressed"
	TopicAudio       = "/audio/audio"
	TopicAudioInfo   = "/audio/audio_info"
	TopicOdometry    = "/odom"
	TopicTruth       = "/avfusion/ground_truth"
)

// Frame ids of the recorded sensor streams.
const (
	FrameRadar  = "radar"
	FrameCamera = "camera"
	FrameMic    = "mic"
)

// Bag writes a run's raw sensor streams and ground truth to a bag, so that
// `avfusion replay` can run the same perception and fusion on them and
// score the result. Each message is recorded at the time it reaches the
// node. It is a sim.Recorder.
type Bag struct {
	w                        *bag.Writer
	radar, info, odom, truth *bag.Connection
	// boxes and images are created with their first message: a run
	// records one or the other; audio only when there are microphones.
	boxes, images, audio *bag.Connection
	lens                 calib.Pinhole
	odomFrame, baseFrame string
	lastInfo             sensors.Time
	truthBuf             []ros.Truth
}

// NewBag creates the bag at path.
func NewBag(path string, compression string, lens calib.Pinhole, odomFrame, baseFrame string) (*Bag, error) {
	w, err := bag.Create(path, bag.WriterOpts{Compression: compression})
	if err != nil {
		return nil, err
	}
	r := &Bag{w: w, lens: lens, odomFrame: odomFrame, baseFrame: baseFrame}
	for _, c := range []struct {
		dst   **bag.Connection
		topic string
		msg   any
	}{
		{&r.radar, TopicRadarPoints, &sensor_msgs.PointCloud2{}},
		{&r.info, TopicCameraInfo, &sensor_msgs.CameraInfo{}},
		{&r.odom, TopicOdometry, &nav_msgs.Odometry{}},
		{&r.truth, TopicTruth, &derivedobject.ObjectWithCovarianceArray{}},
	} {
		if *c.dst, err = w.AddTyped(c.topic, c.msg, recorderHeader); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// recorderHeader is the connection header of every recorded topic.
var recorderHeader = map[string]string{"callerid": "/avfusion_sim"}

func at(t sensors.Time) bag.Time { return bag.Time{Sec: uint32(t / 1e9), Nsec: uint32(t % 1e9)} }

// RadarPoints records one radar frame's points.
func (r *Bag) RadarPoints(stamp, arrival sensors.Time, pts []radar.Point) error {
	return r.w.WriteMsg(r.radar, at(arrival), ros.RadarCloud(stamp, FrameRadar, pts))
}

// CameraBoxes records one camera frame's boxes, and the camera_info once
// a second.
func (r *Bag) CameraBoxes(stamp, arrival sensors.Time, dets []perception.Detection) error {
	if err := r.cameraInfo(stamp, arrival); err != nil {
		return err
	}
	if r.boxes == nil {
		var err error
		if r.boxes, err = r.w.AddTyped(TopicCameraBoxes, &vision_msgs.Detection2DArray{}, recorderHeader); err != nil {
			return err
		}
	}
	return r.w.WriteMsg(r.boxes, at(arrival), ros.CameraBoxes(stamp, FrameCamera, dets))
}

// CameraImage records one rendered camera frame as a CompressedImage, and
// the camera_info once a second.
func (r *Bag) CameraImage(stamp, arrival sensors.Time, jpeg []byte) error {
	if err := r.cameraInfo(stamp, arrival); err != nil {
		return err
	}
	if r.images == nil {
		var err error
		if r.images, err = r.w.AddTyped(TopicCameraJPEG, &sensor_msgs.CompressedImage{}, recorderHeader); err != nil {
			return err
		}
	}
	return r.w.WriteMsg(r.images, at(arrival), ros.CompressedImage(stamp, FrameCamera, jpeg))
}

// MicArrayHeader is the bag connection header key that carries the
// recorded microphone array's geometry (calib.FormatMicPositions), so a
// replay can locate sounds without being told the array.
const MicArrayHeader = "avfusion_mic_array"

// Audio records a stretch of sound as audio_common_msgs/AudioDataStamped:
// 16-bit little-endian, channels interleaved, 16 kHz.
func (r *Bag) Audio(stamp, arrival sensors.Time, array calib.MicArray, channels [][]float64) error {
	if r.audio == nil {
		hdr := map[string]string{MicArrayHeader: calib.FormatMicPositions(array)}
		for k, v := range recorderHeader {
			hdr[k] = v
		}
		var err error
		if r.audio, err = r.w.AddTyped(TopicAudio, &audio_common_msgs.AudioDataStamped{}, hdr); err != nil {
			return err
		}
	}
	return r.w.WriteMsg(r.audio, at(arrival), ros.AudioChunk(stamp, FrameMic, channels, sim.AudioGain))
}

func (r *Bag) cameraInfo(stamp, arrival sensors.Time) error {
	if r.lastInfo == 0 || stamp-r.lastInfo >= 1e9 {
		if err := r.w.WriteMsg(r.info, at(arrival), ros.CameraInfo(stamp, FrameCamera, r.lens)); err != nil {
			return err
		}
		r.lastInfo = stamp
	}
	return nil
}

// Ego records odometry.
func (r *Bag) Ego(e fusion.Ego) error {
	return r.w.WriteMsg(r.odom, at(e.Stamp), ros.Odometry(e, r.odomFrame, r.baseFrame))
}

// Truth records the ground truth at a cycle.
func (r *Bag) Truth(stamp sensors.Time, truth []sim.Truth) error {
	r.truthBuf = r.truthBuf[:0]
	for _, t := range truth {
		r.truthBuf = append(r.truthBuf, ros.Truth{ID: t.ID, Class: t.Class, X: t.X, Y: t.Y, VX: t.VX, VY: t.VY})
	}
	return r.w.WriteMsg(r.truth, at(stamp), ros.GroundTruth(stamp, r.odomFrame, r.truthBuf))
}

// Close finishes the bag.
func (r *Bag) Close() error {
	if err := r.w.Close(); err != nil {
		return fmt.Errorf("record: close bag: %w", err)
	}
	return nil
}
