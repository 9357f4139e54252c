//go:build cgo

package camera

import (
	"context"
	"errors"
	"io"
	"sync"

	"gocv.io/x/gocv"
)

// Stats counts what a Latest has seen.
type Stats struct {
	// Read is the number of frames read from the source.
	Read int64
	// Skipped is the number of frames replaced by a newer one before the
	// consumer took them: the work a slow detector shed.
	Skipped int64
}

// Latest keeps only the newest frame of a stream, so a consumer slower
// than the camera never works on a backlog: it gets the most recent image
// and the frames it could not keep up with are counted as skipped. Frames
// come from a Capture read by Run in its own goroutine, or are handed in
// with Offer (images arriving on ROS).
type Latest struct {
	capture *Capture

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever a frame arrives or reading ends
	slot    gocv.Mat
	info    Frame
	fresh   bool
	done    bool
	err     error
	stats   Stats
}

// NewLatest wraps c (nil when frames are offered); call Run to start
// reading it. Latest owns c from now on.
func NewLatest(c *Capture) *Latest {
	return &Latest{capture: c, slot: gocv.NewMat(), changed: make(chan struct{})}
}

// Run reads frames until ctx ends or the source does, then closes the
// capture. It returns nil at the end of the source or ctx.
func (l *Latest) Run(ctx context.Context) error {
	buf := gocv.NewMat()
	defer buf.Close()
	defer l.capture.Close()
	var err error
	for ctx.Err() == nil {
		var f Frame
		f, err = l.capture.Read(&buf)
		if err != nil {
			break
		}
		l.Offer(&buf, f)
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	l.End(err)
	return err
}

// Offer hands over a frame by swapping it into the slot: *img comes back
// holding the previous slot's Mat, for the caller to reuse. A frame not
// taken yet is replaced and counted as skipped.
func (l *Latest) Offer(img *gocv.Mat, f Frame) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fresh {
		l.stats.Skipped++
	}
	l.stats.Read++
	l.slot, *img = *img, l.slot
	l.info, l.fresh = f, true
	l.signal()
}

// End marks the stream finished: Next returns err (io.EOF when nil) once
// the last frame is taken.
func (l *Latest) End(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done, l.err = true, err
	l.signal()
}

// signal wakes Next; l.mu is held.
func (l *Latest) signal() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// Next waits for a frame newer than the last one it returned and swaps it
// into dst; dst's old contents become the reader's buffer. It returns
// io.EOF once the source has ended and every frame was taken.
func (l *Latest) Next(ctx context.Context, dst *gocv.Mat) (Frame, error) {
	for {
		l.mu.Lock()
		if l.fresh {
			*dst, l.slot = l.slot, *dst
			l.fresh = false
			f := l.info
			l.mu.Unlock()
			return f, nil
		}
		if l.done {
			err := l.err
			l.mu.Unlock()
			if err == nil {
				err = io.EOF
			}
			return Frame{}, err
		}
		wait := l.changed
		l.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		}
	}
}

// Stats returns the counts so far.
func (l *Latest) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

// Close frees the frame slot; call it after Run has returned.
func (l *Latest) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.slot.Close()
}
