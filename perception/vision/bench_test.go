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

// BenchmarkDetect reports milliseconds per frame on real footage: the
// default HOG people detector at 640×480 and at the footage's 768×576
// (and the thorough options there),
// and the DNN path (letterbox, forward, decode, NMS) at 640×480 with a
// test model of YOLOv8's output shape. The test model is only a global
// pool and a 1×1 convolution, so its number is the cost around a real
// network, not a real network's.
func BenchmarkDetect(b *testing.B) {
	const anchors = 8400
	out := make([]float32, 84*anchors)
	for i := 0; i < anchors; i += 37 { // a few hundred weak and strong candidates
		out[i], out[anchors+i], out[2*anchors+i], out[3*anchors+i] = float32(i%640), float32(i%480), 40, 80
		out[(4+i%80)*anchors+i] = float32(i%10) / 10
	}
	dnn := DefaultDNNOptions()
	dnn.Model = writeModel(b, constantOutputModel(640, []int64{1, 84, anchors}, out))
	for _, bc := range []struct {
		name string
		size image.Point
		cfg  DetectorConfig
	}{
		{"hog/640x480", image.Pt(640, 480), DefaultDetectorConfig()},
		{"hog/768x576", image.Point{}, DefaultDetectorConfig()},
		{"hog-thorough/768x576", image.Point{}, DetectorConfig{Kind: "hog", HOG: ThoroughHOGOptions()}},
		{"dnn-test-model/640x480", image.Pt(640, 480), DetectorConfig{Kind: "dnn", DNN: dnn}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			img := vtestFrame(b, 300, bc.size)
			defer img.Close()
			d, err := NewDetector(bc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			b.ResetTimer()
			for b.Loop() {
				if _, err := d.Detect(img); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/frame")
		})
	}
}
