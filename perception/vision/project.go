// Package vision turns camera detections (image boxes with class scores)
// into object-level detections in the camera's ground-plane coordinates.
package vision

import (
	"math"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// Box is an image box: left, top, width, height in pixels.
type Box [4]float64

// Project turns a box into a camera detection: the bearing from the
// bottom edge's centre, the range from the bottom edge under the
// ground-plane assumption (the camera is mount.Z above flat ground, its
// axis level), plus half the object's depth along the line of sight
// estimated from the box width and the most likely class. Pixels are
// undistorted through the lens first. boxStdPx is the standard deviation of
// each box edge; the covariance follows from it (range uncertainty grows
// with the square of the distance). It reports false for a box whose
// bottom edge is not below the horizon or lies on the image's bottom
// border (the object's foot is out of view): neither can be ranged.
func Project(stamp sensors.Time, box Box, class perception.ClassProbs, score float64, lens calib.Pinhole, mount calib.Mount, boxStdPx float64) (perception.Detection, bool) {
	left, right, bottom := box[0], box[0]+box[2], box[1]+box[3]
	if mount.Z <= 0 || box[2] <= 0 || (lens.Height > 0 && bottom >= float64(lens.Height)-1) {
		return perception.Detection{}, false
	}
	xc, yb, ok := lens.Normalize((left+right)/2, bottom)
	xl, _, okL := lens.Normalize(left, bottom)
	xr, _, okR := lens.Normalize(right, bottom)
	if !ok || !okL || !okR || yb*lens.Fy < 1 {
		return perception.Detection{}, false
	}
	det := perception.Detection{Stamp: stamp, Sensor: perception.Camera, Dim: 2, Class: class, Score: score}
	det.Box = [4]float64{box[0], box[1], box[2], box[3]}
	bearing := math.Atan(-xc)
	depth := mount.Z / yb
	cls, _ := class.Argmax()
	wStd := boxStdPx * math.Sqrt2 * depth / lens.Fx
	objDepth, objDepthStd := perception.DepthFromWidth(cls, (xr-xl)*depth, wStd)
	det.Z[perception.CameraBearing] = bearing
	det.Z[perception.CameraRange] = depth/math.Cos(bearing) + objDepth/2
	// Bearing from the mean of two edges; range from the bottom edge.
	bStd := boxStdPx / math.Sqrt2 / lens.Fx
	rStd := depth * depth / (lens.Fy * mount.Z) * boxStdPx / math.Cos(bearing)
	det.R[0][0] = bStd * bStd
	det.R[1][1] = rStd*rStd + objDepthStd*objDepthStd/4
	return det, true
}
