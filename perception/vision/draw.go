//go:build cgo

package vision

import (
	"fmt"
	"image"
	"image/color"

	"gocv.io/x/gocv"
)

// Draw annotates img with each detection's box, class and score, and its
// track id when ids[i] > 0 (ids may be nil).
func Draw(img *gocv.Mat, dets []ImageDetection, ids []int) {
	for i, d := range dets {
		c := SimPalette[d.Class] // one colour per class, the same as the simulator paints
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
