package ros

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros/msgs/timmwave"
	"github.com/avfusion/avfusion/sensors"
)

// ErrMissingField is wrapped by the error for a radar cloud without a
// float x or y field: it cannot be placed.
var ErrMissingField = errors.New("ros: radar cloud without a field it needs")

// CloudRefusal is why RadarPoints refused a cloud, for the input
// accounting: fusion.RefusedFields without x or y, else
// fusion.RefusedBad.
func CloudRefusal(err error) string {
	if errors.Is(err, ErrMissingField) {
		return fusion.RefusedFields
	}
	return fusion.RefusedBad
}

// cloudField is where one field of a cloud's points is, and how wide.
type cloudField struct {
	off, size int // bytes; size 0: absent
}

// cloudLayout locates the fields a radar point needs in a cloud's points,
// under the names the drivers in use give them.
type cloudLayout struct {
	x, y, z, snr, doppler cloudField
	order                 binary.ByteOrder
	step                  int
}

// field finds the first float field (float32 or float64, one element) of
// the names given; a field of that name of another type is refused.
func field(msg *sensor_msgs.PointCloud2, names ...string) (cloudField, error) {
	for _, name := range names {
		for _, f := range msg.Fields {
			if f.Name != name {
				continue
			}
			size := 0
			switch f.Datatype {
			case sensor_msgs.PointField_FLOAT32:
				size = 4
			case sensor_msgs.PointField_FLOAT64:
				size = 8
			default:
				return cloudField{}, fmt.Errorf("ros: radar cloud field %s has datatype %d, want float32 or float64", name, f.Datatype)
			}
			if f.Count > 1 {
				return cloudField{}, fmt.Errorf("ros: radar cloud field %s has %d elements, want 1", name, f.Count)
			}
			return cloudField{off: int(f.Offset), size: size}, nil
		}
	}
	return cloudField{}, nil
}

func layoutOf(msg *sensor_msgs.PointCloud2) (cloudLayout, error) {
	l := cloudLayout{order: binary.LittleEndian, step: int(msg.PointStep)}
	if msg.IsBigendian {
		l.order = binary.BigEndian
	}
	var err error
	for _, f := range []struct {
		dst   *cloudField
		names []string
	}{
		{&l.x, []string{"x"}}, {&l.y, []string{"y"}}, {&l.z, []string{"z"}},
		{&l.snr, []string{"intensity", "snr"}}, {&l.doppler, []string{"velocity", "doppler"}},
	} {
		if *f.dst, err = field(msg, f.names...); err != nil {
			return l, err
		}
		if f.dst.size > 0 && l.step < f.dst.off+f.dst.size {
			return l, fmt.Errorf("ros: radar cloud point step %d too small for field %s at %d", l.step, f.names[0], f.dst.off)
		}
	}
	switch {
	case l.x.size == 0:
		return l, fmt.Errorf("%w: x", ErrMissingField)
	case l.y.size == 0:
		return l, fmt.Errorf("%w: y", ErrMissingField)
	}
	return l, nil
}

// get reads field f of the point at b (0 when the cloud lacks it).
func (l *cloudLayout) get(b []byte, f cloudField) float64 {
	switch f.size {
	case 4:
		return float64(math.Float32frombits(l.order.Uint32(b[f.off:])))
	case 8:
		return math.Float64frombits(l.order.Uint64(b[f.off:]))
	}
	return 0
}

// RadarPoints appends the points of a sensor_msgs/PointCloud2 to dst. It
// takes any layout with float x and y (float32 or float64): z, intensity
// or snr (as the SNR) and velocity or doppler (the radial velocity) when
// present, any point_step, either byte order — ti_mmwave_rospkg's x y z
// intensity velocity, 32 bytes a point, among them. A cloud without x or
// y (ErrMissingField), or whose data is shorter than its points, is
// refused with an error naming what is wrong.
func RadarPoints(dst []radar.Point, msg *sensor_msgs.PointCloud2) ([]radar.Point, error) {
	l, err := layoutOf(msg)
	if err != nil {
		return dst, err
	}
	n := int(msg.Width) * int(msg.Height)
	if n > 0 && (l.step <= 0 || n*l.step > len(msg.Data)) {
		return dst, fmt.Errorf("ros: radar cloud of %d points of %d bytes has %d bytes", n, l.step, len(msg.Data))
	}
	for i := 0; i < n; i++ {
		b := msg.Data[i*l.step:]
		dst = append(dst, radar.Point{X: l.get(b, l.x), Y: l.get(b, l.y), Z: l.get(b, l.z), SNR: l.get(b, l.snr), Doppler: l.get(b, l.doppler)})
	}
	return dst, nil
}

// TIRadarPoint is the radar point of one ti_mmwave_rospkg/RadarScan
// message (its intensity as the SNR).
func TIRadarPoint(msg *timmwave.RadarScan) radar.Point {
	return radar.Point{X: float64(msg.X), Y: float64(msg.Y), Z: float64(msg.Z), SNR: float64(msg.Intensity), Doppler: float64(msg.Velocity)}
}

// TIFrameGap is the arrival gap after which a per-point scan's frame is
// taken to be complete: TI's driver publishes a frame's points in one
// burst.
const TIFrameGap = 20 * time.Millisecond

// TIFrame gathers the per-point ti_mmwave_rospkg/RadarScan messages of one
// radar frame. A frame ends where point_id starts again (at 0, or at no
// more than the previous point's) or no point follows within TIFrameGap.
type TIFrame struct {
	FrameID string
	Stamp   sensors.Time // the first point's header stamp
	Last    sensors.Time // arrival of the newest point
	Points  []radar.Point
	lastID  int
}

// Starts reports whether msg, arriving at t, begins a new frame, so that
// the points gathered so far are a whole one.
func (f *TIFrame) Starts(msg *timmwave.RadarScan, t sensors.Time) bool {
	return len(f.Points) > 0 && (int(msg.PointID) <= f.lastID || t.Sub(f.Last) > TIFrameGap)
}

// Add gathers msg's point, arrived at t.
func (f *TIFrame) Add(msg *timmwave.RadarScan, t sensors.Time) {
	if len(f.Points) == 0 {
		f.FrameID, f.Stamp = msg.Header.FrameId, Stamp(msg.Header.Stamp)
	}
	f.Points = append(f.Points, TIRadarPoint(msg))
	f.Last, f.lastID = t, int(msg.PointID)
}

// Reset empties the frame for the next one.
func (f *TIFrame) Reset() { f.Points = f.Points[:0] }
