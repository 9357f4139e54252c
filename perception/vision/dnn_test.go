//go:build cgo

package vision

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/perception"
)

// writeModel writes an ONNX test model into a temporary directory.
func writeModel(t testing.TB, model []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(path, model, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// v5Head builds a YOLOv5 output [1, rows, 85] holding the given rows (cx,
// cy, w, h, objectness, class, class score) in network pixels; the rest
// are empty anchors.
func v5Head(rows int, boxes [][7]float32) ([]int64, []float32) {
	out := make([]float32, rows*85)
	for i, b := range boxes {
		r := out[i*85 : (i+1)*85]
		copy(r, b[:5])
		r[5+int(b[5])] = b[6]
	}
	return []int64{1, int64(rows), 85}, out
}

// TestDNNDecodesAKnownYOLOv5Output runs a test network whose output is a
// known YOLOv5 tensor through the whole DNN path on a 1280×720 image: the
// letterbox to 320×320 (scale 0.25, 70 px of padding above and below), the
// objectness × class score, the class-wise NMS and the COCO mapping.
func TestDNNDecodesAKnownYOLOv5Output(t *testing.T) {
	dims, out := v5Head(50, [][7]float32{
		{160, 160, 40, 80, 0.9, 0, 0.9},   // person, score 0.81
		{162, 161, 40, 80, 0.9, 0, 0.8},   // the same person, suppressed by NMS
		{162, 161, 40, 80, 0.9, 2, 0.7},   // a car on the same spot: another class, kept
		{40, 100, 20, 20, 0.2, 0, 0.9},    // below the confidence threshold
		{300, 200, 30, 30, 0.95, 9, 0.95}, // a traffic light: not ours
		{100, 250, 60, 30, 0.8, 7, 0.5},   // truck, score 0.4
	})
	path := writeModel(t, constantOutputModel(320, dims, out))
	opts := DefaultDNNOptions()
	opts.Model, opts.InputSize = path, 320
	d, err := NewDNN(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	img := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC3)
	defer img.Close()
	dets, err := d.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	want := []ImageDetection{
		{Class: perception.Pedestrian, Score: 0.81, Box: Box{(140) * 4, (120 - 70) * 4, 160, 320}},
		{Class: perception.Car, Score: 0.63, Box: Box{(142) * 4, (121 - 70) * 4, 160, 320}},
		{Class: perception.Truck, Score: 0.4, Box: Box{70 * 4, (235 - 70) * 4, 240, 120}},
	}
	if len(dets) != len(want) {
		t.Fatalf("got %+v, want %+v", dets, want)
	}
	for i := range want {
		g, w := dets[i], want[i]
		if g.Class != w.Class || math.Abs(g.Score-w.Score) > 1e-5 || IoU(g.Box, w.Box) < 0.999 {
			t.Errorf("detection %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestDNNDecodesAKnownYOLOv8Output does the same with the transposed,
// objectness-free YOLOv8 head [1, 84, N].
func TestDNNDecodesAKnownYOLOv8Output(t *testing.T) {
	const n = 300
	out := make([]float32, 84*n)
	set := func(i int, cx, cy, w, h float32, cls int, score float32) {
		out[i], out[n+i], out[2*n+i], out[3*n+i] = cx, cy, w, h
		out[(4+cls)*n+i] = score
	}
	set(0, 320, 320, 64, 128, 0, 0.9) // person in the centre
	set(5, 100, 320, 60, 40, 1, 0.6)  // bicycle
	set(6, 102, 322, 60, 40, 1, 0.5)  // the same bicycle
	set(9, 500, 320, 60, 40, 2, 0.2)  // a car below the threshold
	path := writeModel(t, constantOutputModel(640, []int64{1, 84, n}, out))
	opts := DefaultDNNOptions()
	opts.Model = path
	d, err := NewDNN(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	img := gocv.NewMatWithSize(480, 640, gocv.MatTypeCV8UC3) // letterbox: scale 1, 80 px above and below
	defer img.Close()
	dets, err := d.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) != 2 || dets[0].Class != perception.Pedestrian || dets[1].Class != perception.Cyclist {
		t.Fatalf("got %+v", dets)
	}
	if IoU(dets[0].Box, Box{288, 176, 64, 128}) < 0.999 || IoU(dets[1].Box, Box{70, 220, 60, 40}) < 0.999 {
		t.Fatalf("boxes %v and %v", dets[0].Box, dets[1].Box)
	}
}

func TestDNNBadModelsAreNamedNotFatal(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.onnx")
	if err := os.WriteFile(garbage, []byte("this is not a protobuf"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.onnx")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		model, says string
	}{
		{"", "model: give the path"},
		{filepath.Join(dir, "missing.onnx"), "missing.onnx: no such file"},
		{dir, "is not a file"},
		{empty, "is empty"},
		{garbage, `"` + garbage + `": OpenCV cannot read it`},
	} {
		opts := DefaultDNNOptions()
		opts.Model = c.model
		if _, err := NewDNN(opts); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("model %q: %v, want an error saying %q", c.model, err, c.says)
		}
	}
	opts := DefaultDNNOptions()
	opts.Model, opts.InputSize = garbage, 100
	if _, err := NewDNN(opts); err == nil || !strings.Contains(err.Error(), "input_size") {
		t.Errorf("input size 100: %v", err)
	}
}
