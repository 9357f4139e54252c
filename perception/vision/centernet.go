package vision

import (
	"fmt"
	"math"
	"slices"
)

// COCONames are the 80 COCO classes in the order detectors trained on
// COCO number them.
var COCONames = [80]string{
	"person", "bicycle", "car", "motorbike", "aeroplane", "bus", "train",
	"truck", "boat", "traffic light", "fire hydrant", "stop sign",
	"parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
	"elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag",
	"tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
	"baseball bat", "baseball glove", "skateboard", "surfboard",
	"tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon",
	"bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot",
	"hot dog", "pizza", "donut", "cake", "chair", "sofa", "pottedplant",
	"bed", "diningtable", "toilet", "tvmonitor", "laptop", "mouse", "remote",
	"keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
	"refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
	"hair drier", "toothbrush",
}

// cocoPlatt is the Platt scaling (a, b) of the COCO detector's scores:
// refitted by TestCOCOScoreCalibration to the hand-annotated people of
// vtest.avi (the only annotated real footage here, one class).
var cocoPlatt = [2]float64{29.72, -12.54}

// CalibratedCOCOScore turns the CenterNet's score into the probability
// that its box is a true object: 1/(1+exp(−(a·score+b))) with cocoPlatt.
// The raw scores are cautious: on the vtest people a raw 0.55 is right
// 97 % of the time.
func CalibratedCOCOScore(raw float64) float64 {
	return 1 / (1 + math.Exp(-(cocoPlatt[0]*raw + cocoPlatt[1])))
}

// CenterNetStride is how many input pixels one cell of a CenterNet's
// output maps spans.
const CenterNetStride = 4

// DecodeCenterNet appends to dst the objects a CenterNet found: heat is
// its keypoint heatmap (classes × rows × cols, sigmoid applied) and wh its
// box extents (4 × rows × cols: left, top, right and bottom of the box
// from the cell's centre, in input pixels). A cell is an object of a
// class when its score reaches minScore and is the largest of its 3×3
// neighbourhood; of those the topK best are kept, as boxes in input
// pixels.
func DecodeCenterNet(dst []Candidate, heat, wh []float32, classes, rows, cols, topK int, minScore float64) ([]Candidate, error) {
	plane := rows * cols
	if classes <= 0 || rows <= 0 || cols <= 0 || len(heat) != classes*plane || len(wh) != 4*plane {
		return dst, fmt.Errorf("centernet: a %d×%d×%d heatmap and a 4×%d×%d box map do not fit %d and %d values",
			classes, rows, cols, rows, cols, len(heat), len(wh))
	}
	first := len(dst)
	for c := range classes {
		h := heat[c*plane : (c+1)*plane]
		for y := range rows {
			for x := range cols {
				v := h[y*cols+x]
				if float64(v) < minScore || !peak(h, rows, cols, y, x) {
					continue
				}
				cx, cy := float64(CenterNetStride*x), float64(CenterNetStride*y)
				l, t := cx-float64(wh[y*cols+x]), cy-float64(wh[plane+y*cols+x])
				r, b := cx+float64(wh[2*plane+y*cols+x]), cy+float64(wh[3*plane+y*cols+x])
				if r <= l || b <= t {
					continue
				}
				dst = append(dst, Candidate{ClassID: c, Score: float64(v), Box: Box{l, t, r - l, b - t}})
			}
		}
	}
	found := dst[first:]
	slices.SortStableFunc(found, func(a, b Candidate) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if len(found) > topK {
		dst = dst[:first+topK]
	}
	return dst, nil
}

// peak reports whether cell (y, x) of map h is the largest of its 3×3
// neighbourhood (ties count as peaks, as a max-pool comparison does).
func peak(h []float32, rows, cols, y, x int) bool {
	v := h[y*cols+x]
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			yy, xx := y+dy, x+dx
			if yy >= 0 && yy < rows && xx >= 0 && xx < cols && h[yy*cols+xx] > v {
				return false
			}
		}
	}
	return true
}
