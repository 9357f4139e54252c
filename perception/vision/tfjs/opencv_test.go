//go:build cgo

package tfjs

import (
	"image"
	"testing"

	"gocv.io/x/gocv"
)

// TestOpenCVRunsTheConversion: OpenCV reads the converted model and
// computes what TensorFlow would: on a constant 8×8 image of 2s, the 3×3
// stride-2 convolution (weights 0.5, biases +1 and −1) sums 27 inputs
// inside and 18 in the last row and column, where TensorFlow's SAME
// padding puts its one padded pixel (at the end, not the start).
func TestOpenCVRunsTheConversion(t *testing.T) {
	g, err := Load(writeModel(t, "Relu"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := g.ToONNX([]string{"out"}, 8)
	if err != nil {
		t.Fatal(err)
	}
	net, err := gocv.ReadNetFromONNXBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(2, 2, 2, 0), 8, 8, gocv.MatTypeCV8UC3)
	defer img.Close()
	blob := gocv.BlobFromImage(img, 1, image.Pt(8, 8), gocv.NewScalar(0, 0, 0, 0), true, false)
	defer blob.Close()
	net.SetInput(blob, "")
	out := net.Forward("out")
	defer out.Close()
	if got := out.Size(); len(got) != 4 || got[0] != 1 || got[1] != 2 || got[2] != 4 || got[3] != 4 {
		t.Fatalf("output shape %v, want [1 2 4 4]", got)
	}
	vals, err := out.DataPtrFloat32()
	if err != nil {
		t.Fatal(err)
	}
	at := func(c, y, x int) float32 { return vals[(c*4+y)*4+x] }
	for _, c := range []struct {
		ch, y, x int
		want     float32
	}{
		{0, 0, 0, 28}, {1, 0, 0, 26}, {0, 1, 2, 28}, {0, 3, 0, 19}, {0, 3, 3, 13}, {1, 3, 3, 11},
	} {
		if got := at(c.ch, c.y, c.x); got != c.want {
			t.Errorf("channel %d at (%d, %d) = %g, want %g", c.ch, c.y, c.x, got, c.want)
		}
	}
}
