//go:build cgo

package vision

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/perception"
)

// vtestVideo is real footage from OpenCV's sample data (see
// testdata/README.md at the repository root).
const vtestVideo = "../../testdata/video/vtest.avi"

// annotatedPerson is one hand-annotated person; dontCare marks people cut
// by the border, mostly hidden, or shorter than the evaluation's minimum.
type annotatedPerson struct {
	box      Box
	dontCare bool
}

// readAnnotation loads testdata/vtest_people.csv by frame.
func readAnnotation(t testing.TB, minHeightPx float64) map[int][]annotatedPerson {
	t.Helper()
	data, err := os.ReadFile("testdata/vtest_people.csv")
	if err != nil {
		t.Fatal(err)
	}
	frames := map[int][]annotatedPerson{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		var frame int
		var b Box
		var visible string
		if _, err := fmt.Sscanf(strings.ReplaceAll(line, ",", " "), "%d %g %g %g %g %s", &frame, &b[0], &b[1], &b[2], &b[3], &visible); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		frames[frame] = append(frames[frame], annotatedPerson{box: b, dontCare: visible != "ok" || b[3] < minHeightPx})
	}
	return frames
}

// matchFrame matches detections to people greedily by score at IoU ≥
// minIoU, PASCAL-style. A detection on a don't-care person is neither a
// hit nor a false alarm.
func matchFrame(dets []ImageDetection, people []annotatedPerson, minIoU float64) (tp, fp, fn int) {
	for _, o := range matchEach(dets, people, minIoU) {
		switch o {
		case hit:
			tp++
		case falseAlarm:
			fp++
		}
	}
	matched := 0
	for _, p := range people {
		if !p.dontCare {
			matched++
		}
	}
	return tp, fp, matched - tp
}

// The outcomes of one detection against the annotation.
const (
	falseAlarm = iota
	hit
	dontCare
)

// matchEach matches detections to people greedily by score at IoU ≥
// minIoU and returns each detection's outcome.
func matchEach(dets []ImageDetection, people []annotatedPerson, minIoU float64) []int {
	outcome := make([]int, len(dets))
	order := make([]int, len(dets))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return dets[order[i]].Score > dets[order[j]].Score })
	taken := make([]bool, len(people))
	for _, i := range order {
		best, bestIoU := -1, minIoU
		for j, p := range people {
			if o := IoU(dets[i].Box, p.box); !taken[j] && o >= bestIoU {
				best, bestIoU = j, o
			}
		}
		switch {
		case best < 0:
			outcome[i] = falseAlarm
		case people[best].dontCare:
			taken[best], outcome[i] = true, dontCare
		default:
			taken[best], outcome[i] = true, hit
		}
	}
	return outcome
}

func TestMatchFrameCountsDontCareAsNeither(t *testing.T) {
	people := []annotatedPerson{{box: Box{0, 0, 10, 20}}, {box: Box{100, 0, 10, 20}, dontCare: true}, {box: Box{200, 0, 10, 20}}}
	dets := []ImageDetection{
		{Score: 0.9, Box: Box{1, 1, 10, 20}},   // hit
		{Score: 0.8, Box: Box{0, 0, 10, 20}},   // duplicate: false alarm
		{Score: 0.7, Box: Box{100, 0, 10, 20}}, // don't care
		{Score: 0.6, Box: Box{400, 0, 10, 20}}, // false alarm
	}
	tp, fp, fn := matchFrame(dets, people, 0.5)
	if tp != 1 || fp != 2 || fn != 1 {
		t.Fatalf("tp, fp, fn = %d, %d, %d; want 1, 2, 1", tp, fp, fn)
	}
}

// eachAnnotatedFrame reads vtest.avi up to its last annotated frame and
// calls fn with each annotated frame and its people (at least
// minHeightPx tall; the shorter are don't-care).
func eachAnnotatedFrame(t testing.TB, minHeightPx float64, fn func(img gocv.Mat, people []annotatedPerson)) {
	t.Helper()
	truth := readAnnotation(t, minHeightPx)
	if _, err := os.Stat(vtestVideo); err != nil {
		t.Fatalf("the shared footage is missing: %v", err)
	}
	vc, err := gocv.OpenVideoCaptureWithAPI(vtestVideo, gocv.VideoCaptureAny)
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	img := gocv.NewMat()
	defer img.Close()
	last := 0
	for f := range truth {
		last = max(last, f)
	}
	for f := 0; f <= last; f++ {
		if !vc.Read(&img) {
			t.Fatalf("frame %d: end of video", f)
		}
		if people, ok := truth[f]; ok {
			fn(img, people)
		}
	}
}

// scoreOnVtest runs a detector over the annotated frames; only its
// pedestrians count.
func scoreOnVtest(t testing.TB, det Detector, minHeightPx float64) (recall, precision float64, frames int) {
	t.Helper()
	var tp, fp, fn int
	eachAnnotatedFrame(t, minHeightPx, func(img gocv.Mat, people []annotatedPerson) {
		found, err := det.Detect(img)
		if err != nil {
			t.Fatal(err)
		}
		var dets []ImageDetection
		for _, d := range found {
			if d.Class == perception.Pedestrian {
				dets = append(dets, d)
			}
		}
		a, b, c := matchFrame(dets, people, 0.5)
		tp, fp, fn = tp+a, fp+b, fn+c
		frames++
	})
	return float64(tp) / float64(tp+fn), float64(tp) / float64(tp+fp), frames
}

// TestHOGFindsPeopleInVtest checks the HOG detector against the hand
// annotation of 20 frames of real footage (testdata/vtest_people.csv):
// people at least 70 px tall, PASCAL matching at IoU ≥ 0.5, with the
// default (real-time) and the thorough options.
func TestHOGFindsPeopleInVtest(t *testing.T) {
	for _, c := range []struct {
		name                  string
		opts                  HOGOptions
		minRecall, minPrecise float64
	}{
		{"default", DefaultHOGOptions(), 0.8, 0.9},
		{"thorough", ThoroughHOGOptions(), 0.85, 0.9},
	} {
		hog, err := NewHOG(c.opts)
		if err != nil {
			t.Fatal(err)
		}
		recall, precision, frames := scoreOnVtest(t, hog, 70)
		hog.Close()
		t.Logf("%s: %d frames: recall %.3f, precision %.3f", c.name, frames, recall, precision)
		if frames < 20 {
			t.Fatalf("only %d annotated frames", frames)
		}
		if recall < c.minRecall || precision < c.minPrecise {
			t.Errorf("%s: recall %.3f (want ≥ %g), precision %.3f (want ≥ %g)", c.name, recall, c.minRecall, precision, c.minPrecise)
		}
	}
}

// TestCOCOFindsMorePeopleInVtestThanHOG: the CenterNet COCO detector
// finds more of the annotated people than HOG's 0.83 (default options),
// at precision 0.9 or better, at its default 512-pixel input.
func TestCOCOFindsMorePeopleInVtestThanHOG(t *testing.T) {
	coco := installedCOCO(t, DefaultCOCOOptions())
	defer coco.Close()
	recall, precision, frames := scoreOnVtest(t, coco, 70)
	t.Logf("coco: %d frames: recall %.3f, precision %.3f", frames, recall, precision)
	if frames < 20 || recall <= 0.83 || precision < 0.9 {
		t.Errorf("coco: %d frames, recall %.3f (want > 0.83, HOG's), precision %.3f (want ≥ 0.9)", frames, recall, precision)
	}
}
