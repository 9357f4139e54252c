//go:build cgo

package vision

import (
	"fmt"
	"image"
	"image/color"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/perception"
)

// classColours are BGR-agnostic RGBA colours per class, chosen to be told
// apart on street scenes.
var classColours = [perception.NumClasses]color.RGBA{
	perception.Unknown:          {200, 200, 200, 0},
	perception.Car:              {0, 160, 255, 0},
	perception.Truck:            {0, 90, 200, 0},
	perception.Pedestrian:       {255, 60, 60, 0},
	perception.Cyclist:          {255, 200, 0, 0},
	perception.EmergencyVehicle: {255, 0, 255, 0},
}

// Draw annotates img with each detection's box, class and score, and its
// track id when ids[i] > 0 (ids may be nil).
func Draw(img *gocv.Mat, dets []ImageDetection, ids []int) {
	for i, d := range dets {
		c := classColours[d.Class]
		r := image.Rect(int(d.Box[0]+0.5), int(d.Box[1]+0.5), int(d.Box[0]+d.Box[2]+0.5), int(d.Box[1]+d.Box[3]+0.5))
		gocv.Rectangle(img, r, c, 2)
		label := fmt.Sprintf("%s %.2f", d.Class, d.Score)
		if i < len(ids) && ids[i] > 0 {
			label = fmt.Sprintf("#%d %s", ids[i], label)
		}
		size := gocv.GetTextSize(label, gocv.FontHersheySimplex, 0.45, 1)
		top := max(r.Min.Y-size.Y-6, 0)
		gocv.Rectangle(img, image.Rect(r.Min.X, top, r.Min.X+size.X+4, top+size.Y+6), c, -1)
		gocv.PutText(img, label, image.Pt(r.Min.X+2, top+size.Y+2), gocv.FontHersheySimplex, 0.45, color.RGBA{0, 0, 0, 0}, 1)
	}
}
