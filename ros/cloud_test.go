package ros

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
)

// cloudOf builds a cloud of one point per row of values, each field of
// the given names float64 (wide) or float32, in the byte order given, with
// pad bytes after each point.
func cloudOf(names []string, wide, bigEndian bool, pad int, rows ...[]float64) *sensor_msgs.PointCloud2 {
	size, dt := 4, uint8(sensor_msgs.PointField_FLOAT32)
	if wide {
		size, dt = 8, sensor_msgs.PointField_FLOAT64
	}
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	msg := &sensor_msgs.PointCloud2{Height: 1, Width: uint32(len(rows)), IsBigendian: bigEndian, PointStep: uint32(len(names)*size + pad)}
	for i, n := range names {
		msg.Fields = append(msg.Fields, sensor_msgs.PointField{Name: n, Offset: uint32(i * size), Datatype: dt, Count: 1})
	}
	for _, row := range rows {
		point := make([]byte, msg.PointStep)
		for i, v := range row {
			if wide {
				order.PutUint64(point[i*size:], math.Float64bits(v))
			} else {
				order.PutUint32(point[i*size:], math.Float32bits(float32(v)))
			}
		}
		msg.Data = append(msg.Data, point...)
	}
	msg.RowStep = msg.PointStep * msg.Width
	return msg
}

// TestRadarPointsInEveryLayout: clouds from other drivers — big-endian,
// float64, snr and doppler for intensity and velocity, padded points, no
// z — give the same points; one without y is refused, naming it.
func TestRadarPointsInEveryLayout(t *testing.T) {
	for _, c := range []struct {
		name  string
		cloud *sensor_msgs.PointCloud2
	}{
		{"ti_mmwave_rospkg", cloudOf([]string{"x", "y", "z", "intensity", "velocity"}, false, false, 12, []float64{3, -1, 0.5, 17, -2})},
		{"big-endian float64", cloudOf([]string{"x", "y", "z", "intensity", "velocity"}, true, true, 0, []float64{3, -1, 0.5, 17, -2})},
		{"snr and doppler", cloudOf([]string{"x", "y", "z", "snr", "doppler"}, false, true, 3, []float64{3, -1, 0.5, 17, -2})},
	} {
		pts, err := RadarPoints(nil, c.cloud)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		p := pts[0]
		if len(pts) != 1 || p.X != 3 || p.Y != -1 || p.Z != 0.5 || p.SNR != 17 || p.Doppler != -2 {
			t.Errorf("%s: %+v", c.name, pts)
		}
	}
	flat, err := RadarPoints(nil, cloudOf([]string{"y", "x"}, false, false, 0, []float64{-1, 3}))
	if err != nil || flat[0].X != 3 || flat[0].Y != -1 || flat[0].Z != 0 {
		t.Fatalf("x and y only: %+v %v", flat, err)
	}
	if _, err := RadarPoints(nil, cloudOf([]string{"x", "z"}, false, false, 0, []float64{1, 2})); !errors.Is(err, ErrMissingField) {
		t.Fatalf("cloud without y: %v", err)
	}
	short := cloudOf([]string{"x", "y"}, false, false, 0, []float64{1, 2})
	short.PointStep = 6
	if _, err := RadarPoints(nil, short); err == nil {
		t.Fatal("a point step shorter than the fields was accepted")
	}
}
