//go:build cgo

package vision

import (
	"image/color"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/perception"
)

// SimPalette is the colour the simulator paints each class with (RGB);
// the sim detector finds actors by it. The colours are far apart from each
// other and from the rendered sky and road, so JPEG compression does not
// confuse them.
var SimPalette = [perception.NumClasses]color.RGBA{
	perception.Unknown:          {0, 255, 255, 0},
	perception.Car:              {0, 0, 255, 0},
	perception.Truck:            {0, 255, 0, 0},
	perception.Pedestrian:       {255, 0, 0, 0},
	perception.Cyclist:          {255, 255, 0, 0},
	perception.EmergencyVehicle: {255, 0, 255, 0},
}

// simTolerance is how far (per channel) a pixel may be from its class
// colour and still count.
const simTolerance = 40

// SimDetector finds the simulator's rendered actors: every blob of a class
// colour is one detection of that class (actors of one class that overlap
// in the image merge, as they would for a real detector). It is the `sim`
// detector; it is not safe for concurrent use.
type SimDetector struct {
	mask gocv.Mat
	out  []ImageDetection
}

// NewSimDetector returns the sim detector.
func NewSimDetector() *SimDetector { return &SimDetector{mask: gocv.NewMat()} }

// Name returns "sim".
func (d *SimDetector) Name() string { return "sim" }

// Detect finds class-coloured blobs in a BGR image.
func (d *SimDetector) Detect(img gocv.Mat) ([]ImageDetection, error) {
	if err := checkImage(img); err != nil {
		return nil, err
	}
	d.out = d.out[:0]
	if img.Channels() != 3 {
		return d.out, nil
	}
	for cls, c := range SimPalette {
		lo := gocv.NewScalar(float64(c.B)-simTolerance, float64(c.G)-simTolerance, float64(c.R)-simTolerance, 0)
		hi := gocv.NewScalar(float64(c.B)+simTolerance, float64(c.G)+simTolerance, float64(c.R)+simTolerance, 255)
		gocv.InRangeWithScalar(img, lo, hi, &d.mask)
		contours := gocv.FindContours(d.mask, gocv.RetrievalExternal, gocv.ChainApproxSimple)
		for i := range contours.Size() {
			r := gocv.BoundingRect(contours.At(i))
			if r.Dx() < 2 || r.Dy() < 4 {
				continue // a sliver peeking out from behind another actor
			}
			d.out = append(d.out, ImageDetection{Class: perception.Class(cls), Score: 0.9,
				Box: Box{float64(r.Min.X), float64(r.Min.Y), float64(r.Dx()), float64(r.Dy())}})
		}
		contours.Close()
	}
	return d.out, nil
}

// Close releases the mask.
func (d *SimDetector) Close() { d.mask.Close() }
