//go:build cgo

package vision

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include <stdlib.h>
#include "dnn.h"
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"

	"gocv.io/x/gocv"
)

// COCO runs the CenterNet network trained on COCO (MobileNetV3 backbone,
// from the @vladmandic/human package, converted by `make models`)
// through OpenCV's DNN module: the image stretched to the square input
// (as the package itself feeds it: letterboxing loses the dog in
// darknet's dog.jpg), forward, CenterNet decoding, class-wise NMS, COCO
// classes mapped to ours, scores calibrated (CalibratedCOCOScore). It is
// not safe for concurrent use.
type COCO struct {
	opts  COCOOptions
	model string
	net   unsafe.Pointer
	input gocv.Mat // the image resized to the network's input
	// heat and wh view C memory that the network's two outputs are
	// copied into; names and outs are the C arrays naming those outputs
	// and pointing at those buffers. All are allocated once, in NewCOCO.
	heat, wh []float32
	names    **C.char
	outs     **C.float
	cands    []Candidate
	found    []Candidate
	dets     []ImageDetection
	errBuf   [512]C.char
}

// cocoOutputs are the converted model's output names: the keypoint
// heatmap and the box extents.
var cocoOutputs = [2]string{"tower_0/keypoints", "tower_0/wh"}

// cocoTopK is how many peaks of the heatmap are decoded, as the
// network's own graph did.
const cocoTopK = 100

// NewCOCO loads the model. A missing model is an error naming `make
// models`; an unreadable one an error naming the file, never an abort
// inside OpenCV.
func NewCOCO(opts COCOOptions) (*COCO, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("coco: %w", err)
	}
	model := opts.Model
	if model == "" {
		model, _ = InstalledCOCOModel(opts.InputSize)
	}
	d := &COCO{opts: opts, model: model}
	var err error
	if d.net, err = loadONNX(model, d.errBuf[:]); err != nil {
		return nil, fmt.Errorf("coco: %w", err)
	}
	d.input = gocv.NewMat()
	cells := (opts.InputSize / CenterNetStride) * (opts.InputSize / CenterNetStride)
	heat, wh := cFloats(80*cells), cFloats(4*cells)
	d.heat, d.wh = unsafe.Slice((*float32)(unsafe.Pointer(heat)), 80*cells), unsafe.Slice((*float32)(unsafe.Pointer(wh)), 4*cells)
	d.outs = (**C.float)(C.malloc(C.size_t(2 * unsafe.Sizeof(heat))))
	d.names = (**C.char)(C.malloc(C.size_t(2 * unsafe.Sizeof(heat))))
	outs, names := unsafe.Slice(d.outs, 2), unsafe.Slice(d.names, 2)
	outs[0], outs[1] = heat, wh
	for k, n := range cocoOutputs {
		names[k] = C.CString(n)
	}
	return d, nil
}

// cFloats allocates n floats in C memory.
func cFloats(n int) *C.float {
	return (*C.float)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.float(0)))))
}

// Name returns "coco".
func (d *COCO) Name() string { return "coco" }

// Detect finds objects in a BGR image. The returned slice is reused by the
// next call.
func (d *COCO) Detect(img gocv.Mat) ([]ImageDetection, error) {
	if err := checkBGR(img); err != nil {
		return nil, fmt.Errorf("coco: %w", err)
	}
	size := d.opts.InputSize
	gocv.Resize(img, &d.input, image.Pt(size, size), 0, 0, gocv.InterpolationLinear)
	sx, sy := float64(img.Cols())/float64(size), float64(img.Rows())/float64(size)
	caps := [2]C.long{C.long(len(d.heat)), C.long(len(d.wh))}
	var totals [2]C.long
	var dims [8]C.int
	if C.avf_dnn_forward_outputs(d.net, unsafe.Pointer(d.input.Ptr()), 1.0, d.names, 2, d.outs, &caps[0],
		&totals[0], &dims[0], &d.errBuf[0], C.int(len(d.errBuf))) != 0 {
		return nil, fmt.Errorf("coco: model %q: forward: %s", d.model, C.GoString(&d.errBuf[0]))
	}
	classes, rows, cols := int(dims[1]), int(dims[2]), int(dims[3])
	if int(totals[0]) != len(d.heat) || int(totals[1]) != len(d.wh) || classes != 80 || int(dims[5]) != 4 {
		return nil, fmt.Errorf("coco: model %q: outputs of %d and %d values (%d classes) are not a CenterNet at %d pixels",
			d.model, totals[0], totals[1], classes, size)
	}
	var err error
	d.cands, err = DecodeCenterNet(d.cands[:0], d.heat, d.wh, classes, rows, cols, cocoTopK, d.opts.Confidence)
	if err != nil {
		return nil, fmt.Errorf("coco: model %q: %w", d.model, err)
	}
	d.dets, d.found = d.dets[:0], d.found[:0]
	for _, c := range NMS(d.cands, d.opts.NMSIoU) {
		c.Box = Box{c.Box[0] * sx, c.Box[1] * sy, c.Box[2] * sx, c.Box[3] * sy}
		d.found = append(d.found, c)
		if cls, ok := COCOClass(c.ClassID); ok && !d.labelled(c.Box) {
			d.dets = append(d.dets, ImageDetection{Class: cls, Score: CalibratedCOCOScore(c.Score), Box: c.Box})
		}
	}
	return d.dets, nil
}

// sameObjectIoU is the overlap above which two boxes of different
// classes are one object the network could not name (a pickup as car
// and as truck): only the better-scoring one is reported.
const sameObjectIoU = 0.8

// labelled reports whether a better-scoring detection of this frame
// already covers box (the candidates come best first).
func (d *COCO) labelled(box Box) bool {
	for _, o := range d.dets {
		if IoU(o.Box, box) > sameObjectIoU {
			return true
		}
	}
	return false
}

// Found returns everything the last Detect found, of all 80 COCO classes
// (ClassID indexes COCONames), boxes in image pixels, with the network's
// own scores; the slice is reused by the next call.
func (d *COCO) Found() []Candidate { return d.found }

// Close releases the network and its buffers.
func (d *COCO) Close() {
	if d.net == nil {
		return
	}
	C.avf_dnn_free(d.net)
	d.net = nil
	d.input.Close()
	for _, n := range unsafe.Slice(d.names, 2) {
		C.free(unsafe.Pointer(n))
	}
	C.free(unsafe.Pointer(&d.heat[0]))
	C.free(unsafe.Pointer(&d.wh[0]))
	C.free(unsafe.Pointer(d.names))
	C.free(unsafe.Pointer(d.outs))
	d.heat, d.wh = nil, nil
}
