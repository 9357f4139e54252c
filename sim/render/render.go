//go:build cgo

// Package render draws the simulator's world as a camera sees it, so the
// camera path (image → detector → projection) runs end to end in
// simulation: every actor is a solid box of its class's typical size and
// colour (vision.SimPalette) over a sky and a road, drawn far to near so
// nearer actors hide farther ones.
package render

import (
	"cmp"
	"image"
	"image/color"
	"math"
	"slices"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sim"
)

var (
	sky  = color.RGBA{150, 190, 230, 0}
	road = color.RGBA{95, 95, 95, 0}
)

// Renderer draws frames of one camera. It is not safe for concurrent use.
type Renderer struct {
	lens   calib.Pinhole
	mount  calib.Mount
	img    gocv.Mat
	actors []sim.Truth
	hull   []image.Point
}

// New returns a renderer for a camera with this lens and mount.
func New(lens calib.Pinhole, mount calib.Mount) *Renderer {
	return &Renderer{lens: lens, mount: mount, img: gocv.NewMatWithSize(lens.Height, lens.Width, gocv.MatTypeCV8UC3)}
}

// Render draws the world at t and returns the image, valid until the next
// call.
func (r *Renderer) Render(w *sim.World, t sensors.Time) gocv.Mat {
	horizon := int(math.Round(r.lens.Cy))
	r.img.SetTo(colourScalar(road))
	above := r.img.Region(image.Rect(0, 0, r.lens.Width, min(max(horizon, 0), r.lens.Height)))
	above.SetTo(colourScalar(sky))
	above.Close()

	pose := w.Ego(t).SensorPose(r.mount)
	r.actors = w.Present(r.actors[:0], t)
	dist := func(a sim.Truth) float64 { return math.Hypot(a.X-pose.X, a.Y-pose.Y) }
	slices.SortFunc(r.actors, func(a, b sim.Truth) int { return -cmp.Compare(dist(a), dist(b)) })
	sin, cos := math.Sincos(pose.Yaw)
	for _, a := range r.actors {
		size := perception.TypicalSize(a.Class)
		heading := 0.0
		if a.VX != 0 || a.VY != 0 {
			heading = math.Atan2(a.VY, a.VX)
		}
		hs, hc := math.Sincos(heading)
		r.hull = r.hull[:0]
		visible := true
		for _, corner := range [4][2]float64{{1, 1}, {1, -1}, {-1, -1}, {-1, 1}} {
			// A footprint corner in odom, then in the camera's frame.
			cx := a.X + hc*corner[0]*size[0]/2 - hs*corner[1]*size[1]/2
			cy := a.Y + hs*corner[0]*size[0]/2 + hc*corner[1]*size[1]/2
			dx, dy := cx-pose.X, cy-pose.Y
			forward, left := cos*dx+sin*dy, -sin*dx+cos*dy
			if forward < 0.5 {
				visible = false
				break
			}
			for _, up := range [2]float64{-r.mount.Z, size[2] - r.mount.Z} {
				u, v := r.lens.Project(-left/forward, -up/forward)
				r.hull = append(r.hull, image.Pt(int(math.Round(u)), int(math.Round(v))))
			}
		}
		if !visible || offImage(r.hull, r.lens) {
			continue
		}
		pts := gocv.NewPointsVectorFromPoints([][]image.Point{convexHull(r.hull)})
		gocv.FillPoly(&r.img, pts, vision.SimPalette[a.Class])
		pts.Close()
	}
	return r.img
}

// colourScalar turns an RGB colour into OpenCV's BGR scalar.
func colourScalar(c color.RGBA) gocv.Scalar {
	return gocv.NewScalar(float64(c.B), float64(c.G), float64(c.R), 0)
}

func offImage(pts []image.Point, lens calib.Pinhole) bool {
	minX, maxX, minY, maxY := math.MaxInt, math.MinInt, math.MaxInt, math.MinInt
	for _, p := range pts {
		minX, maxX = min(minX, p.X), max(maxX, p.X)
		minY, maxY = min(minY, p.Y), max(maxY, p.Y)
	}
	// Far outside the image (beyond OpenCV's comfortable coordinate range)
	// or not in it at all.
	return maxX < 0 || minX >= lens.Width || maxY < 0 || minY >= lens.Height || maxX-minX > 1<<15 || maxY-minY > 1<<15
}

// convexHull returns the hull of pts counter-clockwise (Andrew's monotone
// chain); it reorders pts.
func convexHull(pts []image.Point) []image.Point {
	slices.SortFunc(pts, func(a, b image.Point) int {
		if a.X != b.X {
			return a.X - b.X
		}
		return a.Y - b.Y
	})
	cross := func(o, a, b image.Point) int { return (a.X-o.X)*(b.Y-o.Y) - (a.Y-o.Y)*(b.X-o.X) }
	hull := make([]image.Point, 0, 2*len(pts))
	for pass := 0; pass < 2; pass++ {
		start := len(hull)
		for _, p := range pts {
			for len(hull) >= start+2 && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
				hull = hull[:len(hull)-1]
			}
			hull = append(hull, p)
		}
		hull = hull[:len(hull)-1]
		slices.Reverse(pts)
	}
	return hull
}

// Close frees the image.
func (r *Renderer) Close() { r.img.Close() }
