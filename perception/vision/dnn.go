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
	"image/color"
	"unsafe"

	"gocv.io/x/gocv"
)

// maxOutput bounds the output tensor we copy out (a 1280-pixel YOLOv5 has
// 102000×85 values).
const maxOutput = 16 << 20

// DNN runs a YOLOv5 or YOLOv8 ONNX model through OpenCV's DNN module:
// letterbox, forward, decode, class-wise NMS, COCO classes mapped to ours.
// It is not safe for concurrent use.
type DNN struct {
	opts   DNNOptions
	layout Layout
	net    unsafe.Pointer
	input  gocv.Mat // letterboxed network input
	scaled gocv.Mat
	out    []float32
	dims   [8]C.int
	cands  []Candidate
	dets   []ImageDetection
	errBuf [512]C.char
}

// NewDNN loads the model. A missing, empty or unreadable model is an error
// naming the file, never an abort inside OpenCV.
func NewDNN(opts DNNOptions) (*DNN, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("dnn: %w", err)
	}
	layout, _ := ParseLayout(opts.Layout)
	d := &DNN{opts: opts, layout: layout}
	var err error
	if d.net, err = loadONNX(opts.Model, d.errBuf[:]); err != nil {
		return nil, fmt.Errorf("dnn: %w", err)
	}
	d.input = gocv.NewMat()
	d.scaled = gocv.NewMat()
	return d, nil
}

// loadONNX reads an ONNX model into OpenCV; errBuf takes OpenCV's reason
// when it refuses the file.
func loadONNX(model string, errBuf []C.char) (unsafe.Pointer, error) {
	path := C.CString(model)
	defer C.free(unsafe.Pointer(path))
	net := C.avf_dnn_load(path, &errBuf[0], C.int(len(errBuf)))
	if net == nil {
		return nil, fmt.Errorf("model %q: OpenCV cannot read it: %s", model, C.GoString(&errBuf[0]))
	}
	return net, nil
}

// checkBGR refuses an image a network cannot take: one OpenCV would
// throw on, or one without three channels.
func checkBGR(img gocv.Mat) error {
	if err := checkImage(img); err != nil {
		return err
	}
	if img.Channels() != 3 {
		return fmt.Errorf("want a 3-channel BGR image, got %d channels", img.Channels())
	}
	return nil
}

// Name returns "dnn".
func (d *DNN) Name() string { return "dnn" }

// Detect finds objects in a BGR image. The returned slice is reused by the
// next call.
func (d *DNN) Detect(img gocv.Mat) ([]ImageDetection, error) {
	if err := checkBGR(img); err != nil {
		return nil, fmt.Errorf("dnn: %w", err)
	}
	size := d.opts.InputSize
	lb := FitLetterbox(img.Cols(), img.Rows(), size)
	gocv.Resize(img, &d.scaled, image.Pt(lb.Width, lb.Height), 0, 0, gocv.InterpolationLinear)
	gocv.CopyMakeBorder(d.scaled, &d.input, lb.PadY, size-lb.Height-lb.PadY, lb.PadX, size-lb.Width-lb.PadX,
		gocv.BorderConstant, color.RGBA{114, 114, 114, 0})
	if d.out == nil {
		d.out = make([]float32, 1<<20)
	}
	var ndims C.int
	for {
		n := int(C.avf_dnn_forward(d.net, unsafe.Pointer(d.input.Ptr()), (*C.float)(unsafe.Pointer(&d.out[0])), C.long(len(d.out)),
			&d.dims[0], &ndims, &d.errBuf[0], C.int(len(d.errBuf))))
		if n < 0 {
			return nil, fmt.Errorf("dnn: model %q: forward: %s", d.opts.Model, C.GoString(&d.errBuf[0]))
		}
		if n <= len(d.out) {
			d.out = d.out[:cap(d.out)]
			return d.decode(d.out[:n], int(ndims), lb)
		}
		if n > maxOutput {
			return nil, fmt.Errorf("dnn: model %q: output of %d values is not a detection head", d.opts.Model, n)
		}
		d.out = make([]float32, n)
	}
}

func (d *DNN) decode(out []float32, ndims int, lb Letterbox) ([]ImageDetection, error) {
	dims := make([]int, ndims)
	for i := range dims {
		dims[i] = int(d.dims[i])
	}
	var err error
	d.cands, err = DecodeYOLO(d.cands[:0], out, dims, d.layout, d.opts.Confidence)
	if err != nil {
		return nil, fmt.Errorf("dnn: model %q: %w", d.opts.Model, err)
	}
	d.dets = d.dets[:0]
	for _, c := range NMS(d.cands, d.opts.NMSIoU) {
		if cls, ok := COCOClass(c.ClassID); ok {
			d.dets = append(d.dets, ImageDetection{Class: cls, Score: c.Score, Box: lb.ToImage(c.Box)})
		}
	}
	return d.dets, nil
}

// Close releases the network.
func (d *DNN) Close() {
	if d.net != nil {
		C.avf_dnn_free(d.net)
		d.net = nil
		d.input.Close()
		d.scaled.Close()
	}
}
