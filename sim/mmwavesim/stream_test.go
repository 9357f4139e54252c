package mmwavesim

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// TestCorruptedStreamLosesNoUndamagedFrame streams ten minutes of 20 Hz
// frames through the pseudo-terminal data port with 1% of the bytes
// replaced by random ones, and checks that every frame that came through
// undamaged is decoded exactly, and that the damage is counted.
func TestCorruptedStreamLosesNoUndamagedFrame(t *testing.T) {
	tier.Integration(t)
	e, dev := startEmulator(t, 0)
	rng := rand.New(rand.NewPCG(10, 60))
	const frames = 10 * 60 * 20
	type sent struct {
		pts     []radar.Point
		damaged bool
	}
	want := make([]sent, frames)
	var stream []byte
	for k := range frames {
		pts := make([]radar.Point, rng.IntN(9))
		for i := range pts {
			pts[i] = radar.Point{X: 1 + 60*rng.Float64(), Y: 20*rng.Float64() - 10, Z: rng.Float64(), Doppler: 10*rng.Float64() - 5, SNR: float64(rng.IntN(300)) / 10}
		}
		pkt := EncodeFrame(nil, uint32(k), time.Duration(k)*50*time.Millisecond, pts)
		damaged := false
		for i := range pkt {
			if rng.Float64() < 0.01 {
				b := byte(rng.IntN(256))
				damaged = damaged || b != pkt[i]
				pkt[i] = b
			}
		}
		want[k] = sent{pts, damaged}
		stream = append(stream, pkt...)
	}
	// An undamaged sentinel frame ends the stream.
	stream = EncodeFrame(stream, frames, 0, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go func() { _ = e.WriteFrame(ctx, stream) }()

	// A damaged frame number can repeat an undamaged frame's: keep all.
	got := map[uint32][][]radar.Point{}
	decoded := 0
	var f mmwave.StampedFrame
	var last uint32
	for last != frames {
		if err := dev.ReadFrame(ctx, &f); err != nil {
			t.Fatalf("after frame %d: %v", last, err)
		}
		last = f.FrameNumber
		got[f.FrameNumber] = append(got[f.FrameNumber], radar.FromTIFrame(nil, &f.Frame))
		decoded++
	}
	undamaged, lost := 0, 0
	for k, w := range want {
		if w.damaged {
			continue
		}
		undamaged++
		if !slices.ContainsFunc(got[uint32(k)], func(pts []radar.Point) bool { return samePoints(w.pts, pts) }) {
			lost++
		}
	}
	errs := dev.Errors()
	var counted uint64
	for _, n := range errs {
		counted += n
	}
	t.Logf("%d frames, %d undamaged, %d decoded, damage counted by kind %v", frames, undamaged, decoded, errs)
	if lost > 0 {
		t.Fatalf("%d undamaged frames lost", lost)
	}
	if undamaged < frames/20 || counted == 0 {
		t.Fatalf("the test corrupted too much or too little: %d undamaged, %d counted", undamaged, counted)
	}
}

// samePoints compares sent and decoded points; values went through float32.
func samePoints(sent, got []radar.Point) bool {
	if len(sent) != len(got) {
		return false
	}
	for i := range sent {
		p, q := sent[i], got[i]
		if float32(p.X) != float32(q.X) || float32(p.Y) != float32(q.Y) || float32(p.Z) != float32(q.Z) || float32(p.Doppler) != float32(q.Doppler) {
			return false
		}
	}
	return true
}

// TestStampIsArrivalMinusLatency checks the capture stamp on a virtual
// clock: arrival of the first byte minus the transfer latency.
func TestStampIsArrivalMinusLatency(t *testing.T) {
	tier.Integration(t)
	e, err := New(0)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close() //nolint:errcheck // test cleanup
	data, err := mmwave.OpenSerial(e.DataPath(), mmwave.DataBaud, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close() //nolint:errcheck // test cleanup
	clock := sensors.NewVirtualClock(1_000_000_000)
	opts := mmwave.DefaultDevOpts()
	opts.Clock, opts.TransferLatency = clock, 30*time.Millisecond
	dev, err := mmwave.New(data, data, &opts)
	if err != nil {
		t.Fatal(err)
	}
	for k, at := range []sensors.Time{1_100_000_000, 1_150_000_000} {
		clock.Set(at)
		if err := e.WriteFrame(context.Background(), EncodeFrame(nil, uint32(k), 0, []radar.Point{{X: 5, Doppler: 1}})); err != nil {
			t.Fatal(err)
		}
		var f mmwave.StampedFrame
		if err := dev.ReadFrame(context.Background(), &f); err != nil {
			t.Fatal(err)
		}
		if f.Arrival != at || f.Stamp != at-30_000_000 {
			t.Fatalf("frame %d: arrival %d stamp %d, want %d and 30 ms before", k, f.Arrival, f.Stamp, at)
		}
	}
}

func TestUnplugFailsTheRead(t *testing.T) {
	tier.Integration(t)
	e, dev := startEmulator(t, 0)
	done := make(chan error, 1)
	go func() {
		var f mmwave.StampedFrame
		done <- dev.ReadFrame(context.Background(), &f)
	}()
	time.Sleep(50 * time.Millisecond)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("read after unplug succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read did not notice the unplug")
	}
}
