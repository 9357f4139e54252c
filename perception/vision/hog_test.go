//go:build cgo

package vision

import (
	"math"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// TestDefaultPeopleDetectorIsSane checks the coefficients against
// OpenCV's source (modules/objdetect/src/hog.cpp,
// getDefaultPeopleDetector): 3780 weights of the 64×128 window plus a bias,
// the first weight 0.05359386, the bias -6.6657914.
func TestDefaultPeopleDetectorIsSane(t *testing.T) {
	coef := DefaultPeopleDetector()
	if len(coef) != 3781 {
		t.Fatalf("%d coefficients, want 3781", len(coef))
	}
	if math.Abs(float64(coef[0])-0.05359386) > 1e-7 {
		t.Fatalf("first coefficient %g, want 0.05359386", coef[0])
	}
	if math.Abs(float64(coef[3780])+6.6657914) > 1e-6 {
		t.Fatalf("bias %g, want -6.6657914", coef[3780])
	}
	for i, c := range coef[:3780] {
		if math.IsNaN(float64(c)) || math.Abs(float64(c)) > 1 {
			t.Fatalf("coefficient %d is %g; the weights all lie in [-1, 1]", i, c)
		}
	}
}

func TestHOGRefusesWhatWouldAbortOpenCV(t *testing.T) {
	hog, err := NewHOG(DefaultHOGOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer hog.Close()
	empty := gocv.NewMat()
	defer empty.Close()
	if _, err := hog.Detect(empty); err == nil || !strings.Contains(err.Error(), "empty image") {
		t.Fatalf("empty image: %v", err)
	}
	float := gocv.NewMatWithSize(480, 640, gocv.MatTypeCV32FC3)
	defer float.Close()
	if _, err := hog.Detect(float); err == nil || !strings.Contains(err.Error(), "8-bit") {
		t.Fatalf("float image: %v", err)
	}
	tiny := gocv.NewMatWithSize(20, 20, gocv.MatTypeCV8UC3)
	defer tiny.Close()
	if dets, err := hog.Detect(tiny); err != nil || len(dets) != 0 {
		t.Fatalf("image smaller than the window: %v, %v", dets, err)
	}
	for _, bad := range []struct {
		opts  HOGOptions
		field string
	}{
		{HOGOptions{Stride: 12}, "stride_px"},
		{HOGOptions{Scale: 0.9}, "scale"},
		{HOGOptions{Upscale: 10}, "upscale"},
		{HOGOptions{Top: 0.6, Bottom: 0.5}, "roi_top"},
		{HOGOptions{MaxHeightPx: -1}, "max_height_px"},
	} {
		if _, err := NewHOG(bad.opts); err == nil || !strings.Contains(err.Error(), bad.field) {
			t.Errorf("%+v: %v, want an error naming %s", bad.opts, err, bad.field)
		}
	}
}
