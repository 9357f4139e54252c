package vision

import (
	"fmt"
	"sort"

	"github.com/avfusion/avfusion/perception"
)

// Layout is how a YOLO network lays out its output tensor.
type Layout int

// The YOLO output layouts.
const (
	// LayoutAuto tells them apart by the tensor's shape (see guessLayout).
	LayoutAuto Layout = iota
	// LayoutV5 is [1, N, 5+C]: per row cx, cy, w, h, objectness, then C
	// class scores (YOLOv5, YOLOv7).
	LayoutV5
	// LayoutV8 is [1, 4+C, N]: per column cx, cy, w, h, then C class
	// scores, no objectness (YOLOv8, YOLO11).
	LayoutV8
)

// ParseLayout reads "auto", "yolov5" or "yolov8".
func ParseLayout(s string) (Layout, error) {
	switch s {
	case "", "auto":
		return LayoutAuto, nil
	case "yolov5":
		return LayoutV5, nil
	case "yolov8":
		return LayoutV8, nil
	}
	return 0, fmt.Errorf("layout: want auto, yolov5 or yolov8, got %q", s)
}

// Candidate is one box a network proposes, in network input pixels.
type Candidate struct {
	ClassID int
	Score   float64
	Box     Box
}

// DecodeYOLO appends to dst every candidate of the output tensor (shape
// dims) whose score (class score times objectness for v5) reaches minScore.
func DecodeYOLO(dst []Candidate, out []float32, dims []int, layout Layout, minScore float64) ([]Candidate, error) {
	if len(dims) == 2 {
		dims = []int{1, dims[0], dims[1]}
	}
	if len(dims) != 3 || dims[0] != 1 {
		return dst, fmt.Errorf("yolo: output shape %v: want [1, rows, cols]", dims)
	}
	if dims[1]*dims[2] != len(out) {
		return dst, fmt.Errorf("yolo: output shape %v does not hold %d values", dims, len(out))
	}
	if layout == LayoutAuto {
		layout = guessLayout(dims)
	}
	switch layout {
	case LayoutV5:
		n, width := dims[1], dims[2]
		if width < 6 {
			return dst, fmt.Errorf("yolo: v5 output %v: want at least 6 values per row", dims)
		}
		for i := range n {
			row := out[i*width : (i+1)*width]
			obj := float64(row[4])
			if obj < minScore {
				continue
			}
			best, cls := bestClass(row[5:], 1)
			if s := obj * best; s >= minScore {
				dst = append(dst, Candidate{ClassID: cls, Score: s, Box: centreBox(row[0], row[1], row[2], row[3])})
			}
		}
	case LayoutV8:
		channels, n := dims[1], dims[2]
		if channels < 5 {
			return dst, fmt.Errorf("yolo: v8 output %v: want at least 5 channels", dims)
		}
		for i := range n {
			best, cls := -1.0, 0
			for c := 4; c < channels; c++ {
				if s := float64(out[c*n+i]); s > best {
					best, cls = s, c-4
				}
			}
			if best >= minScore {
				dst = append(dst, Candidate{ClassID: cls, Score: best, Box: centreBox(out[i], out[n+i], out[2*n+i], out[3*n+i])})
			}
		}
	default:
		return dst, fmt.Errorf("yolo: unknown layout %d", layout)
	}
	return dst, nil
}

// guessLayout tells the heads apart by shape: a COCO v8 head has 84
// channels first, a COCO v5 head 85 values per row last; otherwise the
// anchors (thousands) outnumber the channels, last for v8, first for v5.
func guessLayout(dims []int) Layout {
	switch {
	case dims[1] == 4+80:
		return LayoutV8
	case dims[2] == 5+80:
		return LayoutV5
	case dims[2] > dims[1]:
		return LayoutV8
	}
	return LayoutV5
}

// bestClass returns the highest score (times scale) and its index.
func bestClass(scores []float32, scale float64) (float64, int) {
	best, cls := -1.0, 0
	for c, s := range scores {
		if v := float64(s) * scale; v > best {
			best, cls = v, c
		}
	}
	return best, cls
}

func centreBox(cx, cy, w, h float32) Box {
	return Box{float64(cx - w/2), float64(cy - h/2), float64(w), float64(h)}
}

// NMS keeps, within each class, the best-scoring candidates that overlap
// no better one by more than maxIoU. It reorders c by descending score and
// returns the kept prefix (reusing c's memory).
func NMS(c []Candidate, maxIoU float64) []Candidate {
	sort.SliceStable(c, func(i, j int) bool { return c[i].Score > c[j].Score })
	kept := 0
	for i := range c {
		keep := true
		for j := range kept {
			if c[j].ClassID == c[i].ClassID && IoU(c[j].Box, c[i].Box) > maxIoU {
				keep = false
				break
			}
		}
		if keep {
			c[kept] = c[i]
			kept++
		}
	}
	return c[:kept]
}

// IoU is the intersection over union of two boxes.
func IoU(a, b Box) float64 {
	ix := min(a[0]+a[2], b[0]+b[2]) - max(a[0], b[0])
	iy := min(a[1]+a[3], b[1]+b[3]) - max(a[1], b[1])
	if ix <= 0 || iy <= 0 {
		return 0
	}
	inter := ix * iy
	return inter / (a[2]*a[3] + b[2]*b[3] - inter)
}

// COCOClass maps a COCO class index (the 80 classes YOLO models are
// trained on) to ours: person → pedestrian, bicycle and motorcycle →
// cyclist, car → car, bus, train and truck → truck. Other classes are not
// obstacles we track.
func COCOClass(id int) (perception.Class, bool) {
	switch id {
	case 0:
		return perception.Pedestrian, true
	case 1, 3:
		return perception.Cyclist, true
	case 2:
		return perception.Car, true
	case 5, 6, 7: // bus, train, truck
		return perception.Truck, true
	}
	return perception.Unknown, false
}

// Letterbox is how an image was fitted into a square network input:
// scaled by Scale, then padded by PadX, PadY on the left and top.
type Letterbox struct {
	Scale      float64
	PadX, PadY int
	// Width and Height are the scaled image's size.
	Width, Height int
}

// FitLetterbox fits a w×h image into a size×size input, keeping its
// aspect ratio and centring it.
func FitLetterbox(w, h, size int) Letterbox {
	s := min(float64(size)/float64(w), float64(size)/float64(h))
	lw, lh := max(1, int(float64(w)*s+0.5)), max(1, int(float64(h)*s+0.5))
	return Letterbox{Scale: s, PadX: (size - lw) / 2, PadY: (size - lh) / 2, Width: lw, Height: lh}
}

// ToImage maps a box in network pixels back to the original image.
func (l Letterbox) ToImage(b Box) Box {
	return Box{(b[0] - float64(l.PadX)) / l.Scale, (b[1] - float64(l.PadY)) / l.Scale, b[2] / l.Scale, b[3] / l.Scale}
}
