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

// Project turns a box into a camera detection. The bottom edge's centre,
// under the ground-plane assumption (the camera is mount.Z above flat
// ground, its axis level), is the middle of the object's nearest face;
// the object's centre lies half its depth further along the camera axis,
// the depth estimated from the box width and the most likely class.
// (Taking the centre along the ray through the box instead would put a
// long object beside the road further out than it is.) Pixels are
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
	depth := mount.Z / yb
	cls, _ := class.Argmax()
	wStd := boxStdPx * math.Sqrt2 * depth / lens.Fx
	objDepth, objDepthStd := perception.DepthFromWidth(cls, (xr-xl)*depth, wStd)
	forward, lateral := depth+objDepth/2, -xc*depth
	rng := math.Hypot(forward, lateral)
	bearing := math.Atan2(lateral, forward)
	det.Z[perception.CameraBearing] = bearing
	det.Z[perception.CameraRange] = rng
	// The bottom edge's row gives the near face's depth, the mean of the
	// two side edges its lateral offset; the half depth moves the centre
	// along the axis. Propagate the three through (forward, lateral) →
	// (bearing, range).
	depthStd := depth * depth / (lens.Fy * mount.Z) * boxStdPx
	latStd := boxStdPx / math.Sqrt2 / lens.Fx * depth
	fVar := depthStd*depthStd + objDepthStd*objDepthStd/4
	lVar := latStd*latStd + xc*xc*depthStd*depthStd
	flCov := -xc * depthStd * depthStd // both move with the bottom edge
	r2 := rng * rng
	// J = ∂(bearing, range)/∂(forward, lateral).
	jb := [2]float64{-lateral / r2, forward / r2}
	jr := [2]float64{forward / rng, lateral / rng}
	cov := func(a, b [2]float64) float64 {
		return a[0]*b[0]*fVar + (a[0]*b[1]+a[1]*b[0])*flCov + a[1]*b[1]*lVar
	}
	det.R[0][0] = cov(jb, jb)
	det.R[0][1] = cov(jb, jr)
	det.R[1][0] = det.R[0][1]
	det.R[1][1] = cov(jr, jr)
	return det, true
}
