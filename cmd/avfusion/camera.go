//go:build cgo

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/perception/vision/tfjs"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/camera"
)

const cameraUsage = "usage: avfusion camera detect SOURCE [--detector auto|coco|hog|dnn --model F] [--every N] [--json] [--out DIR|FILE.mp4]\n" +
	"       avfusion camera convert MODEL.json --out DIR [--sizes 320,384,512]"

// cameraDetection is one detection of `camera detect --json`.
type cameraDetection struct {
	Class   string     `json:"class"`
	Score   float64    `json:"score"`
	Box     [4]float64 `json:"box"`
	Bearing float64    `json:"bearing_rad"`
}

type cameraFrame struct {
	Frame      int64             `json:"frame"`
	Stamp      float64           `json:"stamp"`
	Detections []cameraDetection `json:"detections"`
}

type cameraSummary struct {
	Frames     int     `json:"frames"`
	Detections int     `json:"detections"`
	MsPerFrame float64 `json:"ms_per_frame"`
	Skipped    int64   `json:"skipped,omitempty"`
}

// cameraOptions are the flags of `avfusion camera detect`.
type cameraOptions struct {
	detector         vision.DetectorConfig
	every, maxFrames int
	asJSON           bool
	out, infoPath    string
}

func parseCameraDetect(args []string) (*cameraOptions, string, error) {
	o := &cameraOptions{detector: vision.DefaultDetectorConfig()}
	d := &o.detector
	fs := flag.NewFlagSet("camera detect", flag.ContinueOnError)
	fs.StringVar(&d.Kind, "detector", d.Kind, "auto (coco when `make models` installed it, else hog), coco (CenterNet on COCO), hog (OpenCV's people detector) or dnn (a YOLOv5/YOLOv8 ONNX model)")
	model := fs.String("model", "", "ONNX model for --detector dnn or coco (coco: default the installed one)")
	fs.StringVar(&d.DNN.Layout, "layout", d.DNN.Layout, "YOLO output layout: auto, yolov5 or yolov8")
	size := fs.Int("input-size", 0, "the network's square input size, px (default: dnn 640, coco 512)")
	confidence := fs.Float64("confidence", 0, "lowest network score kept (default: dnn 0.25, coco 0.3)")
	fs.IntVar(&o.every, "every", 1, "process every Nth frame")
	fs.BoolVar(&o.asJSON, "json", false, "one JSON line per frame, then a summary line")
	fs.StringVar(&o.out, "out", "", "write annotated frames: a directory (one JPEG per frame) or a video file (.mp4, .avi, .mkv)")
	fs.StringVar(&o.infoPath, "camera-info", "", "camera_info YAML for the bearings (default: a 90° horizontal field of view, no distortion)")
	fs.IntVar(&o.maxFrames, "frames", 0, "stop after this many processed frames (0: until the source ends)")
	source, err := parseWithFile(fs, args, cameraUsage)
	if err != nil {
		return nil, "", err
	}
	if o.every < 1 {
		return nil, "", fmt.Errorf("--every: must be at least 1, got %d", o.every)
	}
	if *size != 0 {
		d.DNN.InputSize, d.COCO.InputSize = *size, *size
	}
	if *confidence != 0 {
		d.DNN.Confidence, d.COCO.Confidence = *confidence, *confidence
	}
	d.DNN.Model, d.COCO.Model = *model, *model
	if d.Kind == "auto" && *model != "" {
		return nil, "", errors.New("--model: name the detector too (--detector dnn or coco)")
	}
	return o, source, nil
}

// runCameraConvert converts a TensorFlow.js graph model to one ONNX
// model per input size, as `make models` does for the COCO detector.
func runCameraConvert(args []string) error {
	fs := flag.NewFlagSet("camera convert", flag.ContinueOnError)
	out := fs.String("out", "", "directory for the ONNX files (NAME-SIZE.onnx)")
	sizes := fs.String("sizes", "320,352,384,416,448,480,512", "input sizes, px, comma-separated")
	outputs := fs.String("outputs", "tower_0/keypoints,tower_0/wh", "the graph's output nodes, comma-separated")
	model, err := parseWithFile(fs, args, cameraUsage)
	if err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out: give a directory")
	}
	g, err := tfjs.Load(model)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	base := strings.TrimSuffix(filepath.Base(model), filepath.Ext(model))
	for _, field := range strings.Split(*sizes, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || size < 32 || size%32 != 0 {
			return fmt.Errorf("--sizes: %q is not a multiple of 32", field)
		}
		data, err := g.ToONNX(strings.Split(*outputs, ","), size)
		if err != nil {
			return err
		}
		path := filepath.Join(*out, fmt.Sprintf("%s-%d.onnx", base, size))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", path, len(data))
	}
	return nil
}

func runCamera(args []string) error {
	if len(args) > 0 && args[0] == "convert" {
		return runCameraConvert(args[1:])
	}
	if len(args) == 0 || args[0] != "detect" {
		return errors.New(cameraUsage)
	}
	camera.QuietOpenCV()
	o, source, err := parseCameraDetect(args[1:])
	if err != nil {
		return err
	}
	det, err := vision.NewDetector(o.detector)
	if err != nil {
		return err
	}
	defer det.Close()
	src, err := camera.ParseSource(source)
	if err != nil {
		return err
	}
	// A file is stamped on its own timeline from 0; a live source on the
	// wall clock.
	var clock sensors.Clock = sensors.WallClock{}
	if !src.Live() {
		clock = sensors.NewVirtualClock(0)
	}
	capture, err := camera.Open(camera.Config{Source: source}, clock)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	frames := newFrameSource(ctx, capture, o.every)
	defer func() { _ = frames.close() }()

	img := gocv.NewMat()
	defer img.Close()
	f, err := frames.next(&img)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%v has no frames", capture.Source())
	} else if err != nil {
		return err
	}
	lens := calib.PinholeForFOV(img.Cols(), img.Rows(), math.Pi/2)
	if o.infoPath != "" {
		if lens, err = calib.ReadCameraInfo(o.infoPath); err != nil {
			return err
		}
	}
	var sink *camera.FrameWriter
	if o.out != "" {
		if sink, err = camera.NewFrameWriter(o.out, capture.FPS()/float64(o.every), img.Cols(), img.Rows()); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer sink.Close()
	}

	enc := json.NewEncoder(os.Stdout)
	var sum cameraSummary
	var busy time.Duration
	for ; err == nil; f, err = frames.next(&img) {
		start := time.Now()
		dets, derr := det.Detect(img)
		if derr != nil {
			return fmt.Errorf("frame %d: %w", f.Seq, derr)
		}
		busy += time.Since(start)
		sum.Frames++
		sum.Detections += len(dets)
		if err := o.emit(enc, frameReport(f, dets, lens)); err != nil {
			return err
		}
		if sink != nil {
			vision.Draw(&img, dets, nil)
			if err := sink.Write(img, f.Seq); err != nil {
				return err
			}
		}
		if o.maxFrames > 0 && sum.Frames >= o.maxFrames {
			err = io.EOF
			break
		}
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
		return err
	}
	if sum.Frames > 0 {
		sum.MsPerFrame = math.Round(float64(busy.Microseconds())/float64(sum.Frames)) / 1000
	}
	sum.Skipped = frames.skipped()
	if o.asJSON {
		return enc.Encode(sum)
	}
	fmt.Printf("%d frames, %d detections, %.1f ms per frame (%s), %d frames skipped\n", sum.Frames, sum.Detections, sum.MsPerFrame, det.Name(), sum.Skipped)
	return nil
}

// frameReport is what camera detect prints of one frame: each box, its
// class and score, and the bearing of its bottom centre.
func frameReport(f camera.Frame, dets []vision.ImageDetection, lens calib.Pinhole) cameraFrame {
	line := cameraFrame{Frame: f.Seq, Stamp: f.Stamp.Seconds(), Detections: make([]cameraDetection, len(dets))}
	for i, d := range dets {
		x, _, _ := lens.Normalize(d.Box[0]+d.Box[2]/2, d.Box[1]+d.Box[3])
		box := [4]float64{round1(d.Box[0]), round1(d.Box[1]), round1(d.Box[2]), round1(d.Box[3])}
		line.Detections[i] = cameraDetection{Class: d.Class.String(), Score: round3(d.Score), Box: box, Bearing: round3(math.Atan(-x))}
	}
	return line
}

// emit prints one frame's report: a JSON line, or a sentence.
func (o *cameraOptions) emit(enc *json.Encoder, line cameraFrame) error {
	if o.asJSON {
		return enc.Encode(line)
	}
	fmt.Println(describeFrame(line))
	return nil
}

func describeFrame(f cameraFrame) string {
	var b strings.Builder
	fmt.Fprintf(&b, "frame %d at %.3f s: %d detections", f.Frame, f.Stamp, len(f.Detections))
	for _, d := range f.Detections {
		fmt.Fprintf(&b, "; %s %.2f at %.0f,%.0f %.0fx%.0f (%.1f°)", d.Class, d.Score, d.Box[0], d.Box[1], d.Box[2], d.Box[3], d.Bearing*180/math.Pi)
	}
	return b.String()
}

// frameSource hands out every Nth frame: in order from a file, the
// newest from a live source (a slow detector then skips frames rather
// than falling behind).
type frameSource struct {
	capture *camera.Capture
	every   int
	latest  *camera.Latest
	cancel  context.CancelFunc
	done    chan error
	ctx     context.Context
}

func newFrameSource(ctx context.Context, c *camera.Capture, every int) *frameSource {
	s := &frameSource{capture: c, every: every, ctx: ctx}
	if c.Source().Live() {
		ctx, s.cancel = context.WithCancel(ctx)
		s.latest = camera.NewLatest(c)
		s.done = make(chan error, 1)
		go func() { s.done <- s.latest.Run(ctx) }()
	}
	return s
}

func (s *frameSource) next(dst *gocv.Mat) (camera.Frame, error) {
	if s.latest != nil {
		for {
			f, err := s.latest.Next(s.ctx, dst)
			if err != nil || f.Seq%int64(s.every) == 0 || s.every == 1 {
				return f, err
			}
		}
	}
	if s.ctx.Err() != nil {
		return camera.Frame{}, s.ctx.Err()
	}
	f, err := s.capture.Read(dst)
	if err == nil {
		s.capture.Skip(s.every - 1)
	}
	return f, err
}

func (s *frameSource) skipped() int64 {
	if s.latest == nil {
		return 0
	}
	return s.latest.Stats().Skipped
}

// close stops the reader; it returns the live reader's error, which Next
// has already handed out.
func (s *frameSource) close() error {
	if s.latest != nil {
		s.cancel()
		err := <-s.done
		s.latest.Close()
		return err
	}
	s.capture.Close()
	return nil
}
