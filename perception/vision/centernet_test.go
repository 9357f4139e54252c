package vision

import (
	"testing"
)

// TestDecodeCenterNet: a peak becomes a box around its cell (stride 4),
// a weaker neighbour of a peak and a cell under the threshold do not, and
// only the topK best are kept.
func TestDecodeCenterNet(t *testing.T) {
	const classes, rows, cols = 2, 8, 8
	heat := make([]float32, classes*rows*cols)
	wh := make([]float32, 4*rows*cols)
	set := func(c, y, x int, v float32, l, t, r, b float32) {
		heat[(c*rows+y)*cols+x] = v
		for k, e := range []float32{l, t, r, b} {
			wh[(k*rows+y)*cols+x] = e
		}
	}
	set(0, 2, 3, 0.9, 4, 8, 6, 10) // a peak: box (12−4, 8−8) to (12+6, 8+10)
	set(0, 2, 4, 0.8, 1, 1, 1, 1)  // its weaker neighbour
	set(1, 6, 6, 0.5, 2, 2, 2, 2)  // another class's peak
	set(1, 0, 0, 0.05, 1, 1, 1, 1) // under the threshold
	got, err := DecodeCenterNet(nil, heat, wh, classes, rows, cols, 10, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d candidates %v, want 2", len(got), got)
	}
	if got[0].ClassID != 0 || got[0].Box != (Box{8, 0, 10, 18}) || got[0].Score < 0.89 {
		t.Errorf("first %+v, want class 0 box [8 0 10 18] score 0.9", got[0])
	}
	if got[1].ClassID != 1 || got[1].Box != (Box{22, 22, 4, 4}) {
		t.Errorf("second %+v, want class 1 box [22 22 4 4]", got[1])
	}
	if top, _ := DecodeCenterNet(nil, heat, wh, classes, rows, cols, 1, 0.1); len(top) != 1 || top[0].ClassID != 0 {
		t.Errorf("top 1: %v", top)
	}
	if _, err := DecodeCenterNet(nil, heat[:10], wh, classes, rows, cols, 10, 0.1); err == nil {
		t.Error("a short heatmap accepted")
	}
}
