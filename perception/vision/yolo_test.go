package vision

import (
	"strings"
	"testing"
)

func TestDecodeYOLORefusesShapesItCannotRead(t *testing.T) {
	for _, c := range []struct {
		dims []int
		n    int
		says string
	}{
		{[]int{2, 10, 85}, 1700, "want [1, rows, cols]"},
		{[]int{1, 10, 85}, 849, "does not hold 849"},
		{[]int{1, 2, 3, 4}, 24, "want [1, rows, cols]"},
	} {
		if _, err := DecodeYOLO(nil, make([]float32, c.n), c.dims, LayoutAuto, 0.25); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: %v, want %q", c.dims, err, c.says)
		}
	}
	if _, err := DecodeYOLO(nil, make([]float32, 20), []int{1, 4, 5}, LayoutV5, 0.25); err == nil {
		t.Error("a v5 head of 5 values per row was accepted")
	}
	if _, err := ParseLayout("yolov9"); err == nil || !strings.Contains(err.Error(), "layout") {
		t.Errorf("layout yolov9: %v", err)
	}
}

func TestNMSIsClassWise(t *testing.T) {
	c := []Candidate{
		{ClassID: 0, Score: 0.5, Box: Box{0, 0, 10, 10}},
		{ClassID: 0, Score: 0.9, Box: Box{1, 1, 10, 10}},
		{ClassID: 1, Score: 0.7, Box: Box{1, 1, 10, 10}},
		{ClassID: 0, Score: 0.6, Box: Box{50, 50, 10, 10}},
	}
	kept := NMS(c, 0.45)
	if len(kept) != 3 || kept[0].Score != 0.9 || kept[1].ClassID != 1 || kept[2].Score != 0.6 {
		t.Fatalf("kept %+v", kept)
	}
}

func TestLetterboxRoundTrips(t *testing.T) {
	lb := FitLetterbox(768, 576, 640) // scale 5/6, 480 rows, 80 px above
	if lb.Width != 640 || lb.Height != 480 || lb.PadX != 0 || lb.PadY != 80 {
		t.Fatalf("%+v", lb)
	}
	got := lb.ToImage(Box{100, 180, 50, 100})
	want := Box{120, 120, 60, 120}
	if IoU(got, want) < 0.9999 {
		t.Fatalf("%v, want %v", got, want)
	}
}
