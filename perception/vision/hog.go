//go:build cgo

package vision

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include <stdlib.h>
#include "hog.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"math"
	"unsafe"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/perception"
)

// DefaultPeopleDetector returns the linear SVM of OpenCV's default 64×128
// HOG people detector (3780 weights, then the bias), copied out of OpenCV
// by our own cgo call: gocv v0.31's HOGDefaultPeopleDetector hands back a
// Mat over a vector that is already destroyed.
func DefaultPeopleDetector() []float32 {
	coef := make([]float32, 4096)
	n := int(C.avf_hog_default_people((*C.float)(unsafe.Pointer(&coef[0])), C.int(len(coef))))
	if n < 0 {
		coef = make([]float32, -n)
		n = int(C.avf_hog_default_people((*C.float)(unsafe.Pointer(&coef[0])), C.int(len(coef))))
	}
	return coef[:n]
}

// HOG finds pedestrians with OpenCV's HOG descriptor and its default
// people SVM. It is not safe for concurrent use.
type HOG struct {
	opts   HOGOptions
	hog    unsafe.Pointer
	scaled gocv.Mat
	grey   gocv.Mat
	hits   []C.avf_hit
	out    []ImageDetection
	errBuf [256]C.char
}

// NewHOG builds the detector; options left zero take their defaults.
func NewHOG(opts HOGOptions) (*HOG, error) {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("hog: %w", err)
	}
	svm := DefaultPeopleDetector()
	h := &HOG{opts: opts, scaled: gocv.NewMat(), grey: gocv.NewMat(), hits: make([]C.avf_hit, 256)}
	h.hog = C.avf_hog_new((*C.float)(unsafe.Pointer(&svm[0])), C.int(len(svm)), C.int(opts.levels()), &h.errBuf[0], C.int(len(h.errBuf)))
	if h.hog == nil {
		h.scaled.Close()
		h.grey.Close()
		return nil, fmt.Errorf("hog: opencv: %s", C.GoString(&h.errBuf[0]))
	}
	return h, nil
}

// Name returns "hog".
func (h *HOG) Name() string { return "hog" }

// Detect finds people in a BGR or grey image. The returned slice is
// reused by the next call.
func (h *HOG) Detect(img gocv.Mat) ([]ImageDetection, error) {
	if err := checkImage(img); err != nil {
		return nil, fmt.Errorf("hog: %w", err)
	}
	o := h.opts
	top := int(math.Floor(o.Top * float64(img.Rows())))
	bottom := int(math.Ceil(o.Bottom * float64(img.Rows())))
	roi := img.Region(image.Rect(0, top, img.Cols(), bottom))
	defer roi.Close()
	src := roi
	if roi.Channels() == 3 {
		gocv.CvtColor(roi, &h.grey, gocv.ColorBGRToGray)
		src = h.grey
	}
	if o.Upscale != 1 {
		size := image.Pt(int(float64(roi.Cols())*o.Upscale+0.5), int(float64(roi.Rows())*o.Upscale+0.5))
		gocv.Resize(src, &h.scaled, size, 0, 0, gocv.InterpolationLinear)
		src = h.scaled
	}
	if src.Cols() < 64 || src.Rows() < hogWindowPx {
		return h.out[:0], nil
	}
	n := int(C.avf_hog_detect(h.hog, unsafe.Pointer(src.Ptr()), C.double(o.HitThreshold), C.int(o.Stride),
		C.double(o.Scale), C.double(o.GroupThreshold), &h.hits[0], C.int(len(h.hits)), &h.errBuf[0], C.int(len(h.errBuf))))
	if n < 0 {
		return nil, fmt.Errorf("hog: opencv: %s", C.GoString(&h.errBuf[0]))
	}
	n = min(n, len(h.hits))
	h.out = h.out[:0]
	for _, hit := range h.hits[:n] {
		// The window frames the person with a margin. Where the person
		// sits inside it was measured on the 90 matches in the vtest
		// annotation (testdata/vtest_people.csv): the bottom edge has to
		// sit at the feet, since ranging depends on it.
		x := (float64(hit.x) + 0.24*float64(hit.w)) / o.Upscale
		y := (float64(hit.y)+0.14*float64(hit.h))/o.Upscale + float64(top)
		w := 0.52 * float64(hit.w) / o.Upscale
		ht := 0.71 * float64(hit.h) / o.Upscale
		h.out = append(h.out, ImageDetection{Class: perception.Pedestrian, Score: marginScore(float64(hit.weight)), Box: Box{x, y, w, ht}})
	}
	return h.out, nil
}

// marginScore maps an SVM margin to (0, 1): 0.5 at the decision boundary.
func marginScore(margin float64) float64 { return 1 / (1 + math.Exp(-2*margin)) }

// Close releases the OpenCV objects.
func (h *HOG) Close() {
	if h.hog != nil {
		C.avf_hog_free(h.hog)
		h.hog = nil
	}
	h.grey.Close()
	h.scaled.Close()
}

// checkImage refuses what would make OpenCV throw.
func checkImage(img gocv.Mat) error {
	if img.Empty() {
		return errors.New("empty image")
	}
	switch img.Type() {
	case gocv.MatTypeCV8UC3, gocv.MatTypeCV8UC1:
	default:
		return fmt.Errorf("image type %v: want 8-bit BGR or grey", img.Type())
	}
	return nil
}
