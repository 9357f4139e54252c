//go:build cgo

package camera

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gocv.io/x/gocv"
)

// FrameWriter writes frames (annotated ones, say) to a directory, one
// JPEG per frame, or to a video file (.mp4, .avi, .mkv).
type FrameWriter struct {
	dir    string
	writer *gocv.VideoWriter
}

// NewFrameWriter opens out for frames of w×h pixels at fps frames/s
// (used by video files; 10 when unknown).
func NewFrameWriter(out string, fps float64, w, h int) (*FrameWriter, error) {
	if err := CheckFrameOutput(out); err != nil {
		return nil, err
	}
	codec, video := videoCodecs[strings.ToLower(filepath.Ext(out))]
	if !video {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return nil, err
		}
		return &FrameWriter{dir: out}, nil
	}
	if !(fps > 0 && fps <= 240) {
		fps = 10
	}
	vw, err := gocv.VideoWriterFile(out, codec, fps, w, h, true)
	if err != nil || !vw.IsOpened() {
		return nil, fmt.Errorf("%s: OpenCV cannot write this video file", out)
	}
	return &FrameWriter{writer: vw}, nil
}

// Write appends a frame; seq names it in a directory.
func (s *FrameWriter) Write(img gocv.Mat, seq int64) error {
	if s.writer != nil {
		return s.writer.Write(img)
	}
	path := filepath.Join(s.dir, fmt.Sprintf("frame_%06d.jpg", seq))
	if !gocv.IMWrite(path, img) {
		return fmt.Errorf("cannot write %s", path)
	}
	return nil
}

// Close finishes a video file.
func (s *FrameWriter) Close() {
	if s.writer != nil {
		s.writer.Close()
	}
}
