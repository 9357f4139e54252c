package camera

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSource(t *testing.T) {
	file := filepath.Join(t.TempDir(), "clip.avi")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		want Source
	}{
		{"0", Source{Kind: Device, Index: 0}},
		{" 2 ", Source{Kind: Device, Index: 2}},
		{"/dev/null", Source{Kind: Device, Location: "/dev/null"}}, // a character device
		{file, Source{Kind: File, Location: file}},
		{"rtsp://10.0.0.2:554/cam", Source{Kind: Stream, Location: "rtsp://10.0.0.2:554/cam"}},
		{"HTTP://cam/mjpg", Source{Kind: Stream, Location: "HTTP://cam/mjpg"}},
		{"videotestsrc ! appsink", Source{Kind: Pipeline, Location: "videotestsrc ! appsink"}},
		{"gst:v4l2src ! videoconvert", Source{Kind: Pipeline, Location: "v4l2src ! videoconvert ! videoconvert ! video/x-raw,format=BGR ! appsink"}},
	} {
		got, err := ParseSource(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSource(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ in, says string }{
		{"", "empty source"},
		{"-1", "negative"},
		{"/dev/video99", `"/dev/video99": no such device`},
		{"missing.mp4", `"missing.mp4"`},
		{t.TempDir(), "directory"},
		{"gst:", "empty GStreamer pipeline"},
	} {
		if _, err := ParseSource(c.in); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseSource(%q): %v, want an error saying %q", c.in, err, c.says)
		}
	}
}
