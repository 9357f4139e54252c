//go:build cgo

package vision

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/perception"
)

// installedCOCO opens the COCO detector `make models` installs; a test
// that needs it fails, naming `make models`, when it is missing.
func installedCOCO(t testing.TB, opts COCOOptions) *COCO {
	t.Helper()
	d, err := NewCOCO(opts)
	if err != nil {
		t.Fatalf("%v (make test runs make models first)", err)
	}
	return d
}

// darknetPhotos are the sample photos of Debian's darknet package (make
// deps installs it) with COCO classes each must be found holding.
var darknetPhotos = []struct {
	file string
	want []string
}{
	{"dog.jpg", []string{"dog", "bicycle", "car|truck"}},
	{"person.jpg", []string{"person", "dog", "horse"}},
	{"horses.jpg", []string{"horse"}},
}

// TestCOCOOnRealPhotos: on real photos the CenterNet detector finds the
// objects they hold, at 512 and at 384 pixels, scoring 0.25 or more (the
// horse in person.jpg, half out of the picture, scores 0.28); of those,
// the obstacles are mapped to our classes (a bicycle to a cyclist, a
// person to a pedestrian) and the animals are not.
func TestCOCOOnRealPhotos(t *testing.T) {
	for _, size := range []int{512, 384} {
		opts := DefaultCOCOOptions()
		opts.InputSize, opts.Confidence = size, 0.25
		d := installedCOCO(t, opts)
		for _, p := range darknetPhotos {
			img := gocv.IMRead(filepath.Join("/usr/share/darknet/data", p.file), gocv.IMReadColor)
			if img.Empty() {
				t.Fatalf("%s: cannot read it (Debian's darknet package: make deps)", p.file)
			}
			dets, err := d.Detect(img)
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]bool{}
			for _, c := range d.Found() {
				found[COCONames[c.ClassID]] = true
				b := c.Box
				if b[2] <= 0 || b[3] <= 0 || b[0]+b[2] < 0 || b[1]+b[3] < 0 || b[0] > float64(img.Cols()) || b[1] > float64(img.Rows()) {
					t.Errorf("%d %s: %s box %v is off the %d×%d image", size, p.file, COCONames[c.ClassID], b, img.Cols(), img.Rows())
				}
			}
			t.Logf("%d %s: %v; ours %v", size, p.file, found, dets)
			for _, want := range p.want {
				if !slices.ContainsFunc(strings.Split(want, "|"), func(w string) bool { return found[w] }) {
					t.Errorf("%d %s: no %s among %v", size, p.file, want, found)
				}
			}
			for _, det := range dets {
				if det.Class == perception.Unknown {
					t.Errorf("%d %s: an unmapped class published", size, p.file)
				}
			}
			img.Close()
		}
		d.Close()
	}
}

// TestCOCOModelMissingNamesMakeModels: without the model the error says
// how to install it.
func TestCOCOModelMissingNamesMakeModels(t *testing.T) {
	t.Setenv("AVFUSION_MODELS", t.TempDir())
	t.Chdir(t.TempDir())
	opts := DefaultCOCOOptions()
	_, err := NewCOCO(opts) // nor is there one beside the test binary, in go test's build directory
	if err == nil || !strings.Contains(err.Error(), "make models") {
		t.Fatalf("error %v does not name make models", err)
	}
	if cfg := (DetectorConfig{Kind: "auto", COCO: opts, HOG: DefaultHOGOptions()}).Resolved(); cfg.Kind != "hog" {
		t.Errorf("auto without the model resolved to %s, want hog", cfg.Kind)
	}
}

// BenchmarkCOCO is one frame of vtest.avi (768×576) through the COCO
// detector at each input size.
func BenchmarkCOCO(b *testing.B) {
	vc, err := gocv.OpenVideoCaptureWithAPI(vtestVideo, gocv.VideoCaptureAny)
	if err != nil {
		b.Fatal(err)
	}
	img := gocv.NewMat()
	defer img.Close()
	if !vc.Read(&img) {
		b.Fatal("no frame")
	}
	vc.Close()
	for _, size := range []int{320, 384, 512} {
		b.Run(fmt.Sprintf("input=%d", size), func(b *testing.B) {
			opts := DefaultCOCOOptions()
			opts.InputSize = size
			d := installedCOCO(b, opts)
			defer d.Close()
			for b.Loop() {
				if _, err := d.Detect(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// fitPlatt fits p = 1/(1+exp(−(a·s+b))) to scores s and outcomes y by
// Newton's method on the log-likelihood.
func fitPlatt(s []float64, y []bool) (a, b float64) {
	for range 50 {
		var ga, gb, haa, hab, hbb float64
		for i := range s {
			p := 1 / (1 + math.Exp(-(a*s[i] + b)))
			t := 0.0
			if y[i] {
				t = 1
			}
			ga += (t - p) * s[i]
			gb += t - p
			w := p * (1 - p)
			haa += w * s[i] * s[i]
			hab += w * s[i]
			hbb += w
		}
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		a += (hbb*ga - hab*gb) / det
		b += (haa*gb - hab*ga) / det
	}
	return a, b
}

// TestCOCOScoreCalibration refits the calibration of the COCO detector's
// scores (Platt scaling) to the hand-annotated people of vtest.avi, every
// box scoring 0.2 or more, and checks the shipped constants against the
// fit and the calibrated probabilities against the outcomes (expected
// calibration error over five bins).
func TestCOCOScoreCalibration(t *testing.T) {
	opts := DefaultCOCOOptions()
	opts.Confidence = 0.2
	d := installedCOCO(t, opts)
	defer d.Close()
	var scores []float64
	var right []bool
	eachAnnotatedFrame(t, 70, func(img gocv.Mat, people []annotatedPerson) {
		if _, err := d.Detect(img); err != nil {
			t.Fatal(err)
		}
		var dets []ImageDetection // the people, with the network's own scores
		for _, c := range d.Found() {
			if c.ClassID == 0 {
				dets = append(dets, ImageDetection{Class: perception.Pedestrian, Score: c.Score, Box: c.Box})
			}
		}
		for i, o := range matchEach(dets, people, 0.5) {
			if o != dontCare {
				scores, right = append(scores, dets[i].Score), append(right, o == hit)
			}
		}
	})
	a, b := fitPlatt(scores, right)
	t.Logf("%d boxes: fitted a %.2f, b %.2f; shipped %.2f, %.2f", len(scores), a, b, cocoPlatt[0], cocoPlatt[1])
	if math.Abs(a-cocoPlatt[0]) > 0.5 || math.Abs(b-cocoPlatt[1]) > 0.25 {
		t.Errorf("the shipped calibration %.2f, %.2f is not the fit %.2f, %.2f", cocoPlatt[0], cocoPlatt[1], a, b)
	}
	var bins [5]struct{ n, right, p float64 }
	for i, s := range scores {
		p := CalibratedCOCOScore(s)
		k := min(int(p*5), 4)
		bins[k].n++
		bins[k].p += p
		if right[i] {
			bins[k].right++
		}
	}
	ece := 0.0
	for k, bin := range bins {
		if bin.n > 0 {
			t.Logf("calibrated %.1f-%.1f: %3.0f boxes, mean %.3f, right %.3f", float64(k)/5, float64(k+1)/5, bin.n, bin.p/bin.n, bin.right/bin.n)
			ece += math.Abs(bin.p-bin.right) / float64(len(scores))
		}
	}
	t.Logf("expected calibration error %.3f", ece)
	if len(scores) < 100 || ece > 0.05 {
		t.Errorf("%d boxes, expected calibration error %.3f (want ≤ 0.05)", len(scores), ece)
	}
}
