// Package camera reads a camera through OpenCV (gocv): a V4L2 device, a
// video file, a GStreamer pipeline or a network stream (RTSP, HTTP), and
// images arriving as ROS messages. Every frame is stamped at capture on the
// node clock; a slow consumer reads only the newest frame (see Latest).
//
// The OpenCV parts need cgo; a CGO_ENABLED=0 build keeps only the source
// parsing and reports the camera as compiled out.
package camera

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Kind says what a video source is.
type Kind int

// The kinds of video source.
const (
	Device   Kind = iota // a V4L2 device by index or /dev path
	File                 // a video file
	Pipeline             // a GStreamer pipeline ending in appsink
	Stream               // a network URL (rtsp://, http://, ...)
)

var kindNames = [...]string{"device", "file", "gstreamer pipeline", "stream"}

func (k Kind) String() string { return kindNames[k] }

// Source is a parsed video source.
type Source struct {
	Kind Kind
	// Index is the V4L2 device number (Device given as a number).
	Index int
	// Location is the device path, file path, pipeline or URL.
	Location string
}

func (s Source) String() string {
	if s.Kind == Device && s.Location == "" {
		return fmt.Sprintf("device %d", s.Index)
	}
	return fmt.Sprintf("%s %q", s.Kind, s.Location)
}

// Live reports whether frames come at the source's own pace (everything
// but a file).
func (s Source) Live() bool { return s.Kind != File }

var streamSchemes = []string{"rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://"}

// ParseSource recognises a source the way a user writes it: "0" or
// "/dev/video0" (device), a string with "!" (GStreamer; "gst:" may prefix
// it and "! appsink" is added when missing), a URL (stream), anything else
// a file, which must exist. Errors name the source.
func ParseSource(s string) (Source, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Source{}, errors.New("camera: empty source: give a device index, /dev/videoN, a file, a GStreamer pipeline or a URL")
	case strings.HasPrefix(s, "gst:") || strings.Contains(s, "!"):
		p := strings.TrimSpace(strings.TrimPrefix(s, "gst:"))
		if p == "" {
			return Source{}, fmt.Errorf("camera: source %q: empty GStreamer pipeline", s)
		}
		if !strings.Contains(p, "appsink") {
			p += " ! videoconvert ! video/x-raw,format=BGR ! appsink"
		}
		return Source{Kind: Pipeline, Location: p}, nil
	}
	for _, scheme := range streamSchemes {
		if strings.HasPrefix(strings.ToLower(s), scheme) {
			return Source{Kind: Stream, Location: s}, nil
		}
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return Source{}, fmt.Errorf("camera: source %q: device index must not be negative", s)
		}
		return Source{Kind: Device, Index: n}, nil
	}
	info, err := os.Stat(s)
	switch {
	case err != nil && strings.HasPrefix(s, "/dev/"):
		return Source{}, fmt.Errorf("camera: source %q: no such device", s)
	case err != nil:
		return Source{}, fmt.Errorf("camera: source %q: %w", s, err)
	case info.Mode()&os.ModeCharDevice != 0:
		return Source{Kind: Device, Location: s}, nil
	case info.IsDir():
		return Source{}, fmt.Errorf("camera: source %q is a directory, not a video file", s)
	}
	return Source{Kind: File, Location: s}, nil
}
