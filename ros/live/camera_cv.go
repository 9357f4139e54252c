//go:build cgo

package live

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"go.uber.org/zap"
	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/pipeline"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/camera"
)

// cameraImages runs the camera detector on the newest image, from a camera
// on this machine or from ROS image topics; images that arrive while the
// detector is busy replace the waiting one and are counted as skipped.
type cameraImages struct {
	n      *node
	stage  *vision.Stage
	latest *camera.Latest

	mu      sync.Mutex // guards the decode buffer and the counters below
	decoded gocv.Mat
	seq     int64
	lastErr string
	prev    camera.Stats

	// Annotated output (camera.annotate): the tracks of the latest cycle,
	// to label boxes with, and the writer, opened with the first frame.
	tracksMu sync.Mutex
	tracks   []trackAt
	ego      fusion.Ego
	writer   *camera.FrameWriter
	ids      []int
}

// trackAt is a confirmed track's id and odom position.
type trackAt struct {
	id   int
	x, y float64
}

// labelRadiusM is how near a box's ground point must be to a track for
// the annotated frame to label the box with the track's id, at least; far
// boxes, ranged less certainly, reach three standard deviations.
const labelRadiusM = 3.0

// startCamera starts the camera stage on the local camera.source, or on
// the image topics when there is none, and returns its health report.
func (n *node) startCamera(ctx context.Context, wg *sync.WaitGroup) (func() []fusion.StageHealth, error) {
	c := &n.cfg.Node
	camera.QuietOpenCV()
	if c.Camera.Detector.Kind == "sim" {
		return nil, errors.New("live: camera.detector.kind: sim only works inside the simulator; use hog or dnn")
	}
	det, err := vision.NewDetector(c.Camera.Detector)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	n.mu.Lock()
	ci := &cameraImages{n: n, stage: vision.NewStage(det, n.lens, c.Rig.Camera, c.CameraBoxStdPx, c.Tracker.Camera.MaxRangeM), decoded: gocv.NewMat()}
	n.onLens = ci.stage.SetLens
	if c.Camera.Annotate != "" {
		n.onCycle = ci.keepTracks
	}
	n.mu.Unlock()
	if c.Camera.Source != "" {
		capture, err := camera.Open(camera.Config{Source: c.Camera.Source, Width: c.Camera.Width, Height: c.Camera.Height,
			FPS: c.Camera.FPS, Latency: c.Camera.Latency}, n.clock)
		if err != nil {
			det.Close()
			return nil, fmt.Errorf("live: camera.source: %w", err)
		}
		ci.latest = camera.NewLatest(capture)
		n.mu.Lock()
		n.cameraDevice = func() fusion.DeviceHealth {
			drift, ok := capture.DriftPPM()
			if !ok {
				drift = math.NaN()
			}
			return fusion.DeviceHealth{Name: "camera " + c.Camera.Source, Connected: true, ClockDriftPPM: drift}
		}
		n.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ci.latest.Run(ctx); err != nil {
				n.log.Error("camera stopped", zap.Error(err))
			} else if ctx.Err() == nil {
				n.log.Warn("camera source ended", zap.String("source", c.Camera.Source))
			}
		}()
	} else {
		ci.latest = camera.NewLatest(nil)
		if err := n.ros.Subscribe(c.Topics.CameraImage, ci.onImage); err != nil {
			det.Close()
			return nil, err
		}
		if err := n.ros.Subscribe(c.Topics.CameraCompressed, ci.onCompressed); err != nil {
			det.Close()
			return nil, err
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		ci.detectLoop(ctx)
	}()
	n.log.Info("camera detector ready", zap.String("detector", det.Name()), zap.String("source", c.Camera.Source))
	return ci.health, nil
}

// detectLoop takes the newest image, detects, projects and hands the
// detections (an empty scan too: the camera saw nothing) to the fusion
// loop.
func (ci *cameraImages) detectLoop(ctx context.Context) {
	defer ci.stage.Close()
	defer func() {
		if ci.writer != nil {
			ci.writer.Close()
		}
	}()
	defer ci.latest.Close()
	img := gocv.NewMat()
	defer img.Close()
	var dets []perception.Detection
	for {
		f, err := ci.latest.Next(ctx, &img)
		if err != nil {
			return
		}
		var boxes []vision.ImageDetection
		dets, boxes, err = ci.stage.Process(dets[:0], img, f.Stamp)
		if err != nil {
			ci.mu.Lock()
			ci.lastErr = err.Error()
			ci.mu.Unlock()
			ci.n.refuse("camera image", err)
			continue
		}
		if ci.n.cfg.Node.Camera.Annotate != "" {
			if err := ci.annotate(&img, boxes, f); err != nil {
				ci.n.refuse("camera.annotate", err)
			}
		}
		scan := make([]perception.Detection, len(dets))
		copy(scan, dets)
		ci.n.runner.Submit(pipeline.Input{Scan: &fusion.Scan{Sensor: perception.Camera, Stamp: f.Stamp, Dets: scan}, Arrival: ci.n.clock.Now()})
	}
}

// keepTracks remembers the confirmed tracks of a cycle for annotate.
func (ci *cameraImages) keepTracks(out *fusion.Output) {
	ci.tracksMu.Lock()
	defer ci.tracksMu.Unlock()
	ci.tracks = ci.tracks[:0]
	for i := range out.Tracks {
		tr := &out.Tracks[i]
		ci.tracks = append(ci.tracks, trackAt{id: int(tr.ID), x: tr.X[0], y: tr.X[1]})
	}
	ci.ego = out.Ego
}

// annotate draws the boxes, labelled with the id of the nearest track to
// each box's ground point, and writes the frame.
func (ci *cameraImages) annotate(img *gocv.Mat, boxes []vision.ImageDetection, f camera.Frame) error {
	c := &ci.n.cfg.Node
	if ci.writer == nil {
		w, err := camera.NewFrameWriter(c.Camera.Annotate, c.Camera.FPS, img.Cols(), img.Rows())
		if err != nil {
			return err
		}
		ci.writer = w
	}
	ci.n.mu.Lock()
	lens := ci.n.lens
	ci.n.mu.Unlock()
	ci.tracksMu.Lock()
	pose := ci.ego.At(f.Stamp).SensorPose(c.Rig.Camera)
	ci.ids = ci.ids[:0]
	for _, b := range boxes {
		id := 0
		if d, ok := vision.Project(f.Stamp, b.Box, vision.ClassScores(b.Class, b.Score), b.Score, lens, c.Rig.Camera, c.CameraBoxStdPx); ok {
			bearing, rng := d.Z[perception.CameraBearing], d.Z[perception.CameraRange]
			x, y := pose.X+rng*math.Cos(pose.Yaw+bearing), pose.Y+rng*math.Sin(pose.Yaw+bearing)
			best := max(labelRadiusM, 3*math.Sqrt(d.R[1][1]))
			for _, tr := range ci.tracks {
				if dist := math.Hypot(tr.x-x, tr.y-y); dist < best {
					best, id = dist, tr.id
				}
			}
		}
		ci.ids = append(ci.ids, id)
	}
	ci.tracksMu.Unlock()
	vision.Draw(img, boxes, ci.ids)
	return ci.writer.Write(*img, f.Seq)
}

func (ci *cameraImages) onImage(msg *sensor_msgs.Image) {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	topic := ci.n.cfg.Node.Topics.CameraImage
	if err := camera.ImageToBGR(&ci.decoded, int(msg.Width), int(msg.Height), int(msg.Step), msg.Encoding, msg.Data); err != nil {
		ci.n.inputs.Refused(topic, fusion.RefusedBad, err)
		return
	}
	ci.offer(ci.n.inputs.Stamp(topic, ros.Stamp(msg.Header.Stamp), ci.n.clock.Now(), ci.n.cfg.Node.Camera.Latency))
	ci.n.inputs.Fused(topic, 1)
}

func (ci *cameraImages) onCompressed(msg *sensor_msgs.CompressedImage) {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	topic := ci.n.cfg.Node.Topics.CameraCompressed
	if err := camera.DecodeCompressed(&ci.decoded, msg.Data); err != nil {
		ci.n.inputs.Refused(topic, fusion.RefusedDecode, err)
		return
	}
	ci.offer(ci.n.inputs.Stamp(topic, ros.Stamp(msg.Header.Stamp), ci.n.clock.Now(), ci.n.cfg.Node.Camera.Latency))
	ci.n.inputs.Fused(topic, 1)
}

// offer hands the decoded image over; ci.mu is held.
func (ci *cameraImages) offer(stamp sensors.Time) {
	ci.latest.Offer(&ci.decoded, camera.Frame{Seq: ci.seq, Stamp: stamp})
	ci.seq++
}

// health reports the stage for /diagnostics.
func (ci *cameraImages) health() []fusion.StageHealth {
	st := ci.latest.Stats()
	timing := ci.stage.TakeTiming()
	ci.mu.Lock()
	defer ci.mu.Unlock()
	h := fusion.StageHealth{
		Name: "camera detector", Detector: ci.stage.Detector(),
		FramesTotal: uint64(st.Read), SkippedTotal: uint64(st.Skipped),
		ProcessedWindow: timing.Frames, SkippedWindow: int(st.Skipped - ci.prev.Skipped),
		MeanMs: timing.MeanMs, MaxMs: timing.MaxMs, Err: ci.lastErr,
	}
	ci.prev, ci.lastErr = st, ""
	return []fusion.StageHealth{h}
}
