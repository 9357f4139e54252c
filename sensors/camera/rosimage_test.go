//go:build cgo

package camera

import (
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

func TestImageToBGRHandlesEncodingsAndPadding(t *testing.T) {
	// A 3×2 rgb8 image with two bytes of padding per row: red, green,
	// blue on top, white, black, grey below.
	data := []byte{
		255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9,
		255, 255, 255, 0, 0, 0, 128, 128, 128, 9, 9,
	}
	dst := gocv.NewMat()
	defer dst.Close()
	if err := ImageToBGR(&dst, 3, 2, 11, "rgb8", data); err != nil {
		t.Fatal(err)
	}
	if dst.Cols() != 3 || dst.Rows() != 2 || dst.Type() != gocv.MatTypeCV8UC3 {
		t.Fatalf("%dx%d type %v", dst.Cols(), dst.Rows(), dst.Type())
	}
	v := dst.GetVecbAt(0, 0) // BGR of the red pixel
	if v[0] != 0 || v[1] != 0 || v[2] != 255 {
		t.Fatalf("red pixel came out %v", v)
	}
	if v := dst.GetVecbAt(1, 2); v[0] != 128 || v[2] != 128 {
		t.Fatalf("grey pixel came out %v", v)
	}
	if err := ImageToBGR(&dst, 2, 1, 2, "mono8", []byte{10, 200}); err != nil || dst.GetVecbAt(0, 1)[1] != 200 {
		t.Fatalf("mono8: %v", err)
	}
	for _, c := range []struct {
		w, h, step int
		enc        string
		n          int
		says       string
	}{
		{3, 2, 9, "yuv422", 18, "encoding"},
		{3, 2, 8, "rgb8", 18, "step 8"},
		{3, 2, 9, "rgb8", 17, "holds 17 bytes"},
		{0, 2, 9, "rgb8", 18, "size"},
	} {
		if err := ImageToBGR(&dst, c.w, c.h, c.step, c.enc, make([]byte, c.n)); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestDecodeCompressed(t *testing.T) {
	src := gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8UC3)
	defer src.Close()
	buf, err := gocv.IMEncode(gocv.JPEGFileExt, src)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	if err := DecodeCompressed(&dst, buf.GetBytes()); err != nil || dst.Cols() != 64 || dst.Rows() != 48 {
		t.Fatalf("%v, %dx%d", err, dst.Cols(), dst.Rows())
	}
	if err := DecodeCompressed(&dst, []byte("definitely not a jpeg")); err == nil || !strings.Contains(err.Error(), "not a JPEG or PNG") {
		t.Fatalf("garbage: %v", err)
	}
}
