//go:build cgo

package camera

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/sensors"
)

const vtestVideo = "../../testdata/video/vtest.avi"

func TestFileFramesAreStampedOnTheFileTimeline(t *testing.T) {
	clock := sensors.NewVirtualClock(1_000_000_000)
	c, err := Open(Config{Source: vtestVideo}, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.FPS() != 10 || c.FrameCount() != 795 {
		t.Fatalf("fps %g, frames %d; the footage is 795 frames at 10 fps", c.FPS(), c.FrameCount())
	}
	img := gocv.NewMat()
	defer img.Close()
	for i := range 3 {
		f, err := c.Read(&img)
		if err != nil {
			t.Fatal(err)
		}
		want := sensors.Time(1_000_000_000 + int64(i)*100_000_000)
		if f.Seq != int64(i) || f.Stamp != want || img.Cols() != 768 || img.Rows() != 576 {
			t.Fatalf("frame %d: %+v %dx%d, want stamp %d and 768x576", i, f, img.Cols(), img.Rows(), want)
		}
	}
	c.Skip(790)
	n := 0
	for {
		if _, err := c.Read(&img); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d frames after skipping to 793, want 2", n)
	}
}

func TestBadSourcesAreNamed(t *testing.T) {
	for _, c := range []struct{ source, says string }{
		{"missing.avi", `"missing.avi"`},
		{"capture.go", `cannot open file "capture.go"`},
		{"nosuchelement ! appsink", `cannot open gstreamer pipeline "nosuchelement ! appsink"`},
		{"/dev/video99", `"/dev/video99": no such device`},
		{"97", "cannot open device 97"},
	} {
		_, err := Open(Config{Source: c.source}, sensors.WallClock{})
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error saying %s", c.source, err, c.says)
		}
	}
	if _, err := Open(Config{Source: "0", FPS: -1}, sensors.WallClock{}); err == nil || !strings.Contains(err.Error(), "fps") {
		t.Errorf("negative fps: %v", err)
	}
}

// TestLatestSkipsWhatASlowConsumerCannotTake runs a live GStreamer test
// camera at 30 frames/s against a consumer that needs 100 ms a frame: the
// consumer always gets a recent frame and the rest are counted as skipped.
func TestLatestSkipsWhatASlowConsumerCannotTake(t *testing.T) {
	const latency = 20 * time.Millisecond
	c, err := Open(Config{
		Source:  "videotestsrc is-live=true num-buffers=45 ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! appsink",
		Latency: latency,
	}, sensors.WallClock{})
	if err != nil {
		t.Fatal(err)
	}
	l := NewLatest(c)
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(ctx) }()
	img := gocv.NewMat()
	defer img.Close()
	var got []Frame
	for {
		f, err := l.Next(ctx, &img)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		age := sensors.WallClock{}.Now().Sub(f.Stamp)
		if age > latency+150*time.Millisecond || age < latency {
			t.Errorf("frame %d is %v old when taken, want about %v", f.Seq, age, latency)
		}
		if img.Cols() != 320 || img.Rows() != 240 {
			t.Fatalf("frame %d is %dx%d", f.Seq, img.Cols(), img.Rows())
		}
		got = append(got, f)
		time.Sleep(100 * time.Millisecond)
	}
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	t.Logf("%d frames read, %d taken, %d skipped", st.Read, len(got), st.Skipped)
	if st.Read != 45 || st.Skipped+int64(len(got)) != st.Read || st.Skipped < 25 {
		t.Fatalf("read %d, taken %d, skipped %d; want 45 read, about 2 of 3 skipped", st.Read, len(got), st.Skipped)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq || got[i].Stamp <= got[i-1].Stamp {
			t.Fatalf("frames out of order: %+v then %+v", got[i-1], got[i])
		}
	}
}

// TestNetworkStreamIsLive reads the footage over HTTP from a local server
// (the FFmpeg path RTSP and HTTP cameras take): a stream is live, so its
// frames are stamped on the clock at the grab, minus the latency.
func TestNetworkStreamIsLive(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, vtestVideo)
	}))
	defer srv.Close()
	clock := sensors.NewVirtualClock(5_000_000_000)
	c, err := Open(Config{Source: srv.URL + "/vtest.avi", Latency: time.Second}, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Source().Live() || c.Source().Kind != Stream {
		t.Fatalf("source %v is not a live stream", c.Source())
	}
	img := gocv.NewMat()
	defer img.Close()
	for i := range 5 {
		f, err := c.Read(&img)
		if err != nil {
			t.Fatal(err)
		}
		if f.Seq != int64(i) || f.Stamp != 4_000_000_000 || img.Cols() != 768 {
			t.Fatalf("frame %d: %+v, %d px wide; want stamp 4 s (clock 5 s minus 1 s latency)", i, f, img.Cols())
		}
	}
}

// tickClock advances by step on every read: the node clock as a camera's
// frames see it when they arrive at a steady rate.
type tickClock struct {
	now  sensors.Time
	step time.Duration
}

func (c *tickClock) Now() sensors.Time {
	c.now = c.now.Add(c.step)
	return c.now
}

// TestLiveSourceClockDrift reads a GStreamer test camera (paced by its
// pipeline clock) whose own frame timestamps advance 40 ms a frame while
// the node clock sees a frame every 40.2 ms: the camera's clock runs
// 5000 ppm slow, and the capture reads the source's timestamps and fits
// them. GStreamer's position, which OpenCV reports, is read at the grab,
// so its jitter grows with the machine's load: this checks the wiring to
// 20 %; TestSourceClockFollowsDrift checks the fit itself.
func TestLiveSourceClockDrift(t *testing.T) {
	clock := &tickClock{now: 1e9, step: 40_200 * time.Microsecond}
	c, err := Open(Config{Source: "videotestsrc num-buffers=100 ! video/x-raw,width=64,height=48,framerate=25/1 ! videoconvert ! appsink"}, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	img := gocv.NewMat()
	defer img.Close()
	var last Frame
	for {
		f, err := c.Read(&img)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		last = f
	}
	ppm, ok := c.DriftPPM()
	if !ok || math.Abs(ppm-5000) > 1000 {
		t.Fatalf("drift %.0f ppm (known %v), want 5000", ppm, ok)
	}
	t.Logf("drift %.0f ppm over %d frames", ppm, last.Seq+1)
}
