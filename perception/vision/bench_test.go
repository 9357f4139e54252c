//go:build cgo

package vision

import (
	"image"
	"testing"

	"gocv.io/x/gocv"
)

// vtestFrame returns frame n of the shared footage, resized to size (the
// native 768×576 when size is zero).
func vtestFrame(tb testing.TB, n int, size image.Point) gocv.Mat {
	tb.Helper()
	vc, err := gocv.OpenVideoCapture(vtestVideo)
	if err != nil {
		tb.Fatal(err)
	}
	defer vc.Close()
	img := gocv.NewMat()
	for i := 0; i <= n; i++ {
		if !vc.Read(&img) {
			tb.Fatalf("frame %d: end of video", i)
		}
	}
	if size != (image.Point{}) {
		gocv.Resize(img, &img, size, 0, 0, gocv.InterpolationArea)
	}
	return img
}

// BenchmarkHOG reports milliseconds per frame of the default HOG people
// detector on real footage, at 640×480 and at the footage's 768×576, and
// with the pyramid capped at people 160 px tall.
func BenchmarkHOG(b *testing.B) {
	capped := DefaultHOGOptions()
	capped.MaxHeightPx = 160
	for _, bc := range []struct {
		name string
		size image.Point
		opts HOGOptions
	}{
		{"640x480", image.Pt(640, 480), DefaultHOGOptions()},
		{"768x576", image.Point{}, DefaultHOGOptions()},
		{"768x576/max_height=160", image.Point{}, capped},
	} {
		b.Run(bc.name, func(b *testing.B) {
			img := vtestFrame(b, 300, bc.size)
			defer img.Close()
			hog, err := NewHOG(bc.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer hog.Close()
			b.ResetTimer()
			for b.Loop() {
				if _, err := hog.Detect(img); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/frame")
		})
	}
}
