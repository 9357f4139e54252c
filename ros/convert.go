package ros

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/audio_common_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/geometry_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/nav_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/ros/msgs/radarmsgs"
	"github.com/avfusion/avfusion/sensors"
)

// radarPointStep is the size of one point in the ti_mmwave_rospkg layout:
// x, y, z, padding, intensity (SNR, dB), velocity (Doppler, m/s), padding.
const radarPointStep = 32

// RadarCloud builds a sensor_msgs/PointCloud2 of radar points in the
// field layout of TI's ti_mmwave_rospkg (float32 x, y, z at 0, 4, 8;
// intensity at 16; velocity at 20; 32 bytes a point).
func RadarCloud(stamp sensors.Time, frame string, pts []radar.Point) *sensor_msgs.PointCloud2 {
	msg := &sensor_msgs.PointCloud2{
		Header: header(stamp, frame), Height: 1, Width: uint32(len(pts)),
		Fields: []sensor_msgs.PointField{
			{Name: "x", Offset: 0, Datatype: sensor_msgs.PointField_FLOAT32, Count: 1},
			{Name: "y", Offset: 4, Datatype: sensor_msgs.PointField_FLOAT32, Count: 1},
			{Name: "z", Offset: 8, Datatype: sensor_msgs.PointField_FLOAT32, Count: 1},
			{Name: "intensity", Offset: 16, Datatype: sensor_msgs.PointField_FLOAT32, Count: 1},
			{Name: "velocity", Offset: 20, Datatype: sensor_msgs.PointField_FLOAT32, Count: 1},
		},
		PointStep: radarPointStep, RowStep: radarPointStep * uint32(len(pts)), IsDense: true,
		Data: make([]uint8, radarPointStep*len(pts)),
	}
	for i, p := range pts {
		b := msg.Data[i*radarPointStep:]
		for _, f := range [...]struct {
			off int
			v   float64
		}{{0, p.X}, {4, p.Y}, {8, p.Z}, {16, p.SNR}, {20, p.Doppler}} {
			binary.LittleEndian.PutUint32(b[f.off:], math.Float32bits(float32(f.v)))
		}
	}
	return msg
}

// RadarScanPoints appends the returns of a radar_msgs/RadarScan to dst as
// points in the sensor frame (amplitude as SNR).
func RadarScanPoints(dst []radar.Point, msg *radarmsgs.RadarScan) []radar.Point {
	for _, r := range msg.Returns {
		rng, az, el := float64(r.Range), float64(r.Azimuth), float64(r.Elevation)
		dst = append(dst, radar.Point{
			X: rng * math.Cos(el) * math.Cos(az), Y: rng * math.Cos(el) * math.Sin(az), Z: rng * math.Sin(el),
			Doppler: float64(r.DopplerVelocity), SNR: float64(r.Amplitude),
		})
	}
	return dst
}

// CameraBoxes builds a vision_msgs/Detection2DArray of camera detections:
// each box with its class hypotheses (id = class index).
func CameraBoxes(stamp sensors.Time, frame string, dets []perception.Detection) *vision_msgs.Detection2DArray {
	msg := &vision_msgs.Detection2DArray{Header: header(stamp, frame), Detections: make([]vision_msgs.Detection2D, len(dets))}
	for i := range dets {
		d := &dets[i]
		out := &msg.Detections[i]
		out.Header = msg.Header
		out.Bbox = vision_msgs.BoundingBox2D{
			Center: geometry_msgs.Pose2D{X: d.Box[0] + d.Box[2]/2, Y: d.Box[1] + d.Box[3]/2},
			SizeX:  d.Box[2], SizeY: d.Box[3],
		}
		for c := perception.Class(0); c < perception.NumClasses; c++ {
			out.Results = append(out.Results, vision_msgs.ObjectHypothesisWithPose{Id: int64(c), Score: d.Class[c]})
		}
	}
	return msg
}

// CameraDetections projects the boxes of a Detection2DArray into camera
// detections (see vision.Project) and appends them to dst. score is the
// highest hypothesis score.
func CameraDetections(dst []perception.Detection, msg *vision_msgs.Detection2DArray, stamp sensors.Time, lens calib.Pinhole, mount calib.Mount, boxStdPx float64) []perception.Detection {
	for i := range msg.Detections {
		d := &msg.Detections[i]
		var probs perception.ClassProbs
		score := 0.0
		for _, h := range d.Results {
			if h.Id >= 0 && h.Id < int64(perception.NumClasses) {
				probs[h.Id] = h.Score
				score = math.Max(score, h.Score)
			}
		}
		if score == 0 {
			probs = perception.Uniform()
		}
		box := vision.Box{d.Bbox.Center.X - d.Bbox.SizeX/2, d.Bbox.Center.Y - d.Bbox.SizeY/2, d.Bbox.SizeX, d.Bbox.SizeY}
		if det, ok := vision.Project(stamp, box, probs, score, lens, mount, boxStdPx); ok {
			dst = append(dst, det)
		}
	}
	return dst
}

// CameraInfo builds a sensor_msgs/CameraInfo for a lens.
func CameraInfo(stamp sensors.Time, frame string, lens calib.Pinhole) *sensor_msgs.CameraInfo {
	return &sensor_msgs.CameraInfo{
		Header: header(stamp, frame), Height: uint32(lens.Height), Width: uint32(lens.Width),
		DistortionModel: "plumb_bob", D: distortionD(lens),
		K: [9]float64{lens.Fx, 0, lens.Cx, 0, lens.Fy, lens.Cy, 0, 0, 1},
		R: [9]float64{1, 0, 0, 0, 1, 0, 0, 0, 1},
		P: [12]float64{lens.Fx, 0, lens.Cx, 0, 0, lens.Fy, lens.Cy, 0, 0, 0, 1, 0},
	}
}

func distortionD(lens calib.Pinhole) []float64 {
	d := lens.Distortion.D()
	return d[:]
}

// LensFromCameraInfo reads a CameraInfo's intrinsics and plumb_bob
// distortion.
func LensFromCameraInfo(msg *sensor_msgs.CameraInfo) (calib.Pinhole, error) {
	lens := calib.Pinhole{Width: int(msg.Width), Height: int(msg.Height), Fx: msg.K[0], Fy: msg.K[4], Cx: msg.K[2], Cy: msg.K[5]}
	if err := lens.SetROSDistortion(msg.DistortionModel, msg.D); err != nil {
		return lens, fmt.Errorf("ros: camera_info: %w", err)
	}
	if err := lens.Validate(); err != nil {
		return lens, fmt.Errorf("ros: camera_info: %w", err)
	}
	return lens, nil
}

// Odometry builds the nav_msgs/Odometry of an ego state.
func Odometry(e fusion.Ego, odom, baseLink string) *nav_msgs.Odometry {
	return &nav_msgs.Odometry{
		Header:       header(e.Stamp, odom),
		ChildFrameId: baseLink,
		Pose: geometry_msgs.PoseWithCovariance{Pose: geometry_msgs.Pose{
			Position: geometry_msgs.Point{X: e.X, Y: e.Y}, Orientation: yawQuaternion(e.Yaw),
		}},
		Twist: geometry_msgs.TwistWithCovariance{Twist: geometry_msgs.Twist{
			Linear: geometry_msgs.Vector3{X: e.Speed}, Angular: geometry_msgs.Vector3{Z: e.YawRate},
		}},
	}
}

// EgoFromOdometry reads an ego state from nav_msgs/Odometry (twist in the
// child frame, as REP-105 has it).
func EgoFromOdometry(msg *nav_msgs.Odometry) fusion.Ego {
	q := msg.Pose.Pose.Orientation
	yaw := math.Atan2(2*(q.W*q.Z+q.X*q.Y), 1-2*(q.Y*q.Y+q.Z*q.Z))
	return fusion.Ego{
		Stamp: sensors.Time(msg.Header.Stamp.UnixNano()),
		X:     msg.Pose.Pose.Position.X, Y: msg.Pose.Pose.Position.Y, Yaw: yaw,
		Speed: msg.Twist.Twist.Linear.X, YawRate: msg.Twist.Twist.Angular.Z,
	}
}

// Truth is one ground-truth object for recording.
type Truth struct {
	ID     int
	Class  perception.Class
	X, Y   float64
	VX, VY float64
}

// GroundTruth builds the ground-truth message: an ObjectWithCovarianceArray
// whose ids are the simulator's actor ids.
func GroundTruth(stamp sensors.Time, frame string, truth []Truth) *derivedobject.ObjectWithCovarianceArray {
	msg := &derivedobject.ObjectWithCovarianceArray{Header: header(stamp, frame), Objects: make([]derivedobject.ObjectWithCovariance, len(truth))}
	for i, t := range truth {
		o := &msg.Objects[i]
		o.Header = msg.Header
		o.Id = uint32(t.ID)
		o.DetectionLevel = derivedobject.ObjectTracked
		o.ObjectClassified = true
		o.Classification = classification(t.Class)
		o.ClassificationCertainty = 255
		o.Pose.Pose = geometry_msgs.Pose{Position: geometry_msgs.Point{X: t.X, Y: t.Y}, Orientation: yawQuaternion(math.Atan2(t.VY, t.VX))}
		o.Twist.Twist.Linear = geometry_msgs.Vector3{X: t.VX, Y: t.VY}
		o.Shape = derivedobject.SolidPrimitiveWithCovariance{Type: derivedobject.ShapeBox, Dimensions: sizeSlice(t.Class)}
	}
	return msg
}

func sizeSlice(c perception.Class) []float64 {
	s := perception.TypicalSize(c)
	return s[:]
}

// TruthFromMessage reads back a ground-truth message's ids and positions.
func TruthFromMessage(dst []Truth, msg *derivedobject.ObjectWithCovarianceArray) []Truth {
	for _, o := range msg.Objects {
		dst = append(dst, Truth{ID: int(o.Id), X: o.Pose.Pose.Position.X, Y: o.Pose.Pose.Position.Y,
			VX: o.Twist.Twist.Linear.X, VY: o.Twist.Twist.Linear.Y})
	}
	return dst
}

// Stamp returns a header stamp as a node time.
func Stamp(t time.Time) sensors.Time {
	if t.IsZero() {
		return 0 // a ROS stamp of 0, which goroslib decodes as the zero time
	}
	return sensors.Time(t.UnixNano())
}

// CompressedImage builds a sensor_msgs/CompressedImage of JPEG data.
func CompressedImage(stamp sensors.Time, frame string, jpeg []byte) *sensor_msgs.CompressedImage {
	return &sensor_msgs.CompressedImage{Header: header(stamp, frame), Format: "jpeg", Data: jpeg}
}

// AudioChunk builds an audio_common_msgs/AudioDataStamped of 16-bit
// little-endian samples, channels interleaved, scaled by gain and clipped.
func AudioChunk(stamp sensors.Time, frame string, channels [][]float64, gain float64) *audio_common_msgs.AudioDataStamped {
	n := len(channels[0])
	data := make([]byte, 0, 2*n*len(channels))
	for i := range n {
		for _, ch := range channels {
			v := math.Max(-1, math.Min(1, ch[i]*gain))
			data = binary.LittleEndian.AppendUint16(data, uint16(int16(math.Round(v*32767))))
		}
	}
	return &audio_common_msgs.AudioDataStamped{Header: header(stamp, frame), Audio: audio_common_msgs.AudioData{Data: data}}
}
