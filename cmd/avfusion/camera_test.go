//go:build cgo

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

const vtestVideo = "../../testdata/video/vtest.avi"

// TestCameraDetectOnRealFootage runs `camera detect` on vtest.avi, every
// 30th frame: one JSON line per frame in the documented shape, a summary
// that adds up, and annotated frames written to a directory and a video.
func TestCameraDetectOnRealFootage(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	frames := filepath.Join(dir, "frames")
	video := filepath.Join(dir, "annotated.mp4")
	cmd := exec.Command(bin, "camera", "detect", vtestVideo, "--detector", "hog", "--every", "30", "--frames", "8", "--json", "--out", frames)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderrOf(err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 9 {
		t.Fatalf("%d lines, want 8 frames and a summary:\n%s", len(lines), out)
	}
	total := 0
	for i, line := range lines[:8] {
		var f map[string]any
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatal(err)
		}
		if got := keys(f); !reflect.DeepEqual(got, []string{"detections", "frame", "stamp"}) {
			t.Fatalf("frame keys %v", got)
		}
		if f["frame"].(float64) != float64(30*i) || math.Abs(f["stamp"].(float64)-3*float64(i)) > 1e-9 {
			t.Fatalf("line %d: frame %v at %v s, want frame %d at %d s (10 fps)", i, f["frame"], f["stamp"], 30*i, 3*i)
		}
		dets := f["detections"].([]any)
		total += len(dets)
		for _, d := range dets {
			d := d.(map[string]any)
			if got := keys(d); !reflect.DeepEqual(got, []string{"bearing_rad", "box", "class", "score"}) {
				t.Fatalf("detection keys %v", got)
			}
			box := d["box"].([]any)
			centre := box[0].(float64) + box[2].(float64)/2
			// 90° field of view by default: the bearing follows the centre.
			if want := math.Atan((384 - centre) / 384); math.Abs(d["bearing_rad"].(float64)-want) > 0.002 || d["class"] != "pedestrian" {
				t.Fatalf("detection %v: bearing should be %.3f", d, want)
			}
		}
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(lines[8]), &sum); err != nil {
		t.Fatal(err)
	}
	if sum["frames"].(float64) != 8 || sum["detections"].(float64) != float64(total) || !(sum["ms_per_frame"].(float64) > 0) {
		t.Fatalf("summary %v, want 8 frames and %d detections", sum, total)
	}
	if total < 16 {
		t.Fatalf("%d people in 8 frames of a busy plaza", total)
	}
	jpgs, _ := filepath.Glob(filepath.Join(frames, "frame_*.jpg"))
	if len(jpgs) != 8 {
		t.Fatalf("%d annotated frames written, want 8", len(jpgs))
	}
	img := gocv.IMRead(jpgs[3], gocv.IMReadColor)
	defer img.Close()
	if img.Cols() != 768 || img.Rows() != 576 {
		t.Fatalf("annotated frame is %dx%d", img.Cols(), img.Rows())
	}

	if out, err := exec.Command(bin, "camera", "detect", vtestVideo, "--every", "100", "--out", video).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	vc, err := gocv.OpenVideoCapture(video)
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	if n := vc.Get(gocv.VideoCaptureFrameCount); n != 8 {
		t.Fatalf("annotated video has %v frames, want 8 (795 frames, every 100th)", n)
	}
}

// TestCameraDetectLiveSourceSkipsInsteadOfLagging reads a live 60 fps
// GStreamer test camera, which HOG (about 55 ms a 640×480 frame) cannot
// keep up with: the frames it could not take are reported as skipped.
func TestCameraDetectLiveSourceSkipsInsteadOfLagging(t *testing.T) {
	bin := sharedBinary(t)
	src := "videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=480,framerate=60/1 ! videoconvert ! appsink"
	out, err := exec.Command(bin, "camera", "detect", src, "--detector", "hog", "--frames", "6", "--json").Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderrOf(err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var sum cameraSummary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatal(err)
	}
	var last cameraFrame
	if err := json.Unmarshal([]byte(lines[len(lines)-2]), &last); err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v; last frame %d", sum, last.Frame)
	if sum.Frames != 6 || sum.Skipped < 6 || last.Frame < 10 {
		t.Fatalf("summary %+v, last frame %d: a 60 fps camera outruns HOG, frames must be skipped", sum, last.Frame)
	}
}

// TestCameraDetectCOCOOnPhotosAndFootage: the default detector, with the
// COCO model installed, is CenterNet; on darknet's dog.jpg it lists a
// cyclist (the bicycle) and a vehicle with their boxes, and on vtest.avi,
// every 10th frame, it finds people in at least 90 % of the frames.
func TestCameraDetectCOCOOnPhotosAndFootage(t *testing.T) {
	bin := sharedBinary(t)
	out, err := exec.Command(bin, "camera", "detect", "/usr/share/darknet/data/dog.jpg", "--json").Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderrOf(err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var photo cameraFrame
	if err := json.Unmarshal([]byte(lines[0]), &photo); err != nil {
		t.Fatal(err)
	}
	classes := map[string]bool{}
	for _, d := range photo.Detections {
		classes[d.Class] = true
		if d.Box[2] <= 0 || d.Box[3] <= 0 || d.Box[0]+d.Box[2] > 768+1 || d.Box[1]+d.Box[3] > 576+1 {
			t.Errorf("%s box %v is not on the 768×576 photo", d.Class, d.Box)
		}
	}
	t.Logf("dog.jpg: %v", photo.Detections)
	if !classes["cyclist"] || (!classes["car"] && !classes["truck"]) {
		t.Errorf("dog.jpg: classes %v, want a cyclist and a car or truck", classes)
	}

	out, err = exec.Command(bin, "camera", "detect", vtestVideo, "--detector", "coco", "--every", "10", "--json").Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderrOf(err))
	}
	lines = strings.Split(strings.TrimSpace(string(out)), "\n")
	frames, withPeople := 0, 0
	for _, line := range lines[:len(lines)-1] {
		var f cameraFrame
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatal(err)
		}
		frames++
		if slices.ContainsFunc(f.Detections, func(d cameraDetection) bool { return d.Class == "pedestrian" }) {
			withPeople++
		}
	}
	t.Logf("vtest.avi: people in %d of %d frames", withPeople, frames)
	if frames != 80 || float64(withPeople) < 0.9*float64(frames) {
		t.Errorf("vtest.avi: people in %d of %d frames, want 80 frames and 90 %%", withPeople, frames)
	}
}

func TestCameraDetectBadInputsAreNamed(t *testing.T) {
	bin := sharedBinary(t)
	garbage := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(garbage, []byte("not a model"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"missing.avi"}, `"missing.avi": stat missing.avi: no such file`},
		{[]string{"nosuchelement ! appsink"}, `cannot open gstreamer pipeline "nosuchelement ! appsink"`},
		{[]string{vtestVideo, "--detector", "dnn", "--model", garbage}, garbage + `": OpenCV cannot read it`},
		{[]string{vtestVideo, "--detector", "dnn"}, "model: give the path"},
		{[]string{vtestVideo, "--detector", "yolo"}, "kind: want auto, coco, hog, dnn or sim"},
		{[]string{vtestVideo, "--detector", "coco", "--input-size", "300"}, "coco.input_size: must be a multiple of 32 in [320, 512]"},
		{[]string{vtestVideo, "--model", garbage}, "--model: name the detector too"},
		{[]string{vtestVideo, "--every", "0"}, "--every"},
		{[]string{vtestVideo, "--out", "x.gif"}, ".mp4, .avi or .mkv"},
	} {
		cmd := exec.Command(bin, append([]string{"camera", "detect"}, c.args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		if code != 1 || !strings.Contains(lastLine(stderr.String()), c.says) {
			t.Errorf("%v: exit %d, %q; want exit 1 saying %q", c.args, code, lastLine(stderr.String()), c.says)
		}
	}
}

func lastLine(s string) string {
	var last string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			last = sc.Text()
		}
	}
	return last
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}
