//go:build cgo

package vision

import (
	"sync"
	"time"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors"
)

// Stage turns camera images into camera detections: it runs a detector,
// then projects each box through the lens and the camera's mount. It times
// the detector for diagnostics. Process is for one goroutine; SetLens and
// TakeTiming may be called from others.
type Stage struct {
	det       Detector
	mount     calib.Mount
	boxStdPx  float64
	maxRangeM float64

	mu     sync.Mutex
	lens   calib.Pinhole
	timing StageTiming
}

// StageTiming is the detector time over a window.
type StageTiming struct {
	Frames int     // frames processed
	MeanMs float64 // mean detector time per frame
	MaxMs  float64
}

// NewStage builds a stage around det; boxStdPx is the standard deviation
// of a box edge, in pixels, and detections ranged beyond maxRangeM (the
// camera's useful range: a metre of ground spans a fraction of a pixel out
// there) are dropped.
func NewStage(det Detector, lens calib.Pinhole, mount calib.Mount, boxStdPx, maxRangeM float64) *Stage {
	return &Stage{det: det, lens: lens, mount: mount, boxStdPx: boxStdPx, maxRangeM: maxRangeM}
}

// SetLens replaces the intrinsics (from a camera_info message, say).
func (s *Stage) SetLens(lens calib.Pinhole) {
	s.mu.Lock()
	s.lens = lens
	s.mu.Unlock()
}

// Detector names the detector.
func (s *Stage) Detector() string { return s.det.Name() }

// Process detects objects in img, captured at stamp, and appends their
// projections to dst; it also returns the image boxes. Boxes that cannot
// be ranged (not below the horizon) or lie beyond the useful range are
// left out of dst.
func (s *Stage) Process(dst []perception.Detection, img gocv.Mat, stamp sensors.Time) ([]perception.Detection, []ImageDetection, error) {
	began := time.Now()
	boxes, err := s.det.Detect(img)
	took := float64(time.Since(began).Microseconds()) / 1e3
	s.mu.Lock()
	lens := s.lens
	t := &s.timing
	t.MeanMs += (took - t.MeanMs) / float64(t.Frames+1)
	t.MaxMs = max(t.MaxMs, took)
	t.Frames++
	s.mu.Unlock()
	if err != nil {
		return dst, nil, err
	}
	for _, b := range boxes {
		if d, ok := Project(stamp, b.Box, ClassScores(b.Class, b.Score), b.Score, lens, s.mount, s.boxStdPx); ok && d.Z[perception.CameraRange] <= s.maxRangeM {
			dst = append(dst, d)
		}
	}
	return dst, boxes, nil
}

// TakeTiming returns the timing since the last call and starts a new
// window.
func (s *Stage) TakeTiming() StageTiming {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.timing
	s.timing = StageTiming{}
	return t
}

// Close closes the detector.
func (s *Stage) Close() { s.det.Close() }
