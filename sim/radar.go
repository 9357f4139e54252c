package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
	"github.com/avfusion/avfusion/sim/mmwavesim"
)

// RadarMode selects how a run produces its radar detections.
type RadarMode string

// Radar modes.
const (
	// RadarTI runs a virtual TI mmWave radar on pseudo-terminals: the
	// world's point cloud goes out as TLV frames, comes back through the
	// serial driver and the parser, and is clustered into detections.
	RadarTI RadarMode = "ti"
	// RadarObjects hands the tracker the world's object-level detections.
	RadarObjects RadarMode = "objects"
)

// ParseRadarMode checks a mode name.
func ParseRadarMode(s string) (RadarMode, error) {
	switch RadarMode(s) {
	case RadarTI, RadarObjects:
		return RadarMode(s), nil
	}
	return "", fmt.Errorf("radar mode %q: want %q or %q", s, RadarTI, RadarObjects)
}

// BeyondTIConfig names, field by field, what a scenario with a radar asks
// of it that a TI configuration's chirps cannot see (mmwave.DeriveLimits):
// a range beyond the configuration's, closing speeds beyond its
// unambiguous velocity (their Doppler wraps around).
func BeyondTIConfig(sc *Scenario, cfg []mmwave.ConfigLine) []string {
	l, err := mmwave.DeriveLimits(cfg)
	if err != nil {
		return []string{fmt.Sprintf("radar configuration: its limits cannot be told (%v), so the scenario is not checked against them", err)}
	}
	var warn []string
	if sc.Radar.MaxRangeM > l.MaxRangeM {
		warn = append(warn, fmt.Sprintf("sensors.radar.max_range_m: %g m, but the TI configuration sees %.1f m (%v)", sc.Radar.MaxRangeM, l.MaxRangeM, l))
	}
	fastest, which := 0.0, -1
	for i, a := range sc.Actors {
		if s := closingBound(sc.Ego, a); s > fastest {
			fastest, which = s, i
		}
	}
	if fastest > l.MaxVelocityMps {
		warn = append(warn, fmt.Sprintf("actors[%d].velocity: actor %d and the ego (ego.speed %g m/s) close at up to %.1f m/s, but the TI configuration tells radial speeds within ±%.1f m/s only: faster ones wrap around (%v)",
			which, sc.Actors[which].ID, sc.Ego.Speed, fastest, l.MaxVelocityMps, l))
	}
	return warn
}

// closingBound bounds how fast an actor and the ego close along the line
// of sight: their relative speed when neither turns (the ego heads along
// +x), the sum of their speeds when one does.
func closingBound(ego EgoMotion, a Actor) float64 {
	if ego.YawRate == 0 && a.YawRate == 0 {
		return math.Hypot(a.Velocity[0]-ego.Speed, a.Velocity[1])
	}
	return math.Hypot(a.Velocity[0], a.Velocity[1]) + math.Abs(ego.Speed)
}

// radarScan is one radar frame's detections.
type radarScan struct {
	k      int
	stamp  sensors.Time
	dets   []perception.Detection
	points []radar.Point // what the radar reported, for recording
	err    error
}

// radarSource produces the radar scans of a run. emit is called when frame
// k is due at the node; collect returns the scans finished so far, waiting
// for all emitted ones when wait is set.
type radarSource interface {
	emit(ctx context.Context, k int)
	collect(dst []radarScan, wait bool) []radarScan
	close() error
}

// objectRadar is RadarObjects.
type objectRadar struct {
	world *World
	ready []radarScan
}

func (r *objectRadar) emit(_ context.Context, k int) {
	dets := r.world.RadarScan(nil, k)
	// An object-level radar reports one point per object.
	pts := make([]radar.Point, len(dets))
	for i, d := range dets {
		rng, az := d.Z[perception.RadarRange], d.Z[perception.RadarAzimuth]
		pts[i] = radar.Point{X: rng * math.Cos(az), Y: rng * math.Sin(az), Doppler: d.Z[perception.RadarRangeRate], SNR: 20}
	}
	r.ready = append(r.ready, radarScan{k: k, stamp: r.world.RadarStamp(k), dets: dets, points: pts})
}

func (r *objectRadar) collect(dst []radarScan, _ bool) []radarScan {
	dst = append(dst, r.ready...)
	r.ready = r.ready[:0]
	return dst
}

func (r *objectRadar) close() error { return nil }

// tiRadar is RadarTI: one worker goroutine per run owns the emulator's
// data port and the driver, so pacing at the baud rate never blocks the
// fusion cycle.
type tiRadar struct {
	world   *World
	emu     *mmwavesim.Emulator
	ports   []io.Closer
	dev     *mmwave.Dev
	clock   *sensors.VirtualClock
	cluster *radar.Clusterer
	latency time.Duration
	limits  *mmwave.Limits // what the uploaded configuration sees, with RunConfig.ConfigLimits

	requests chan int
	results  chan radarScan
	pending  int
	cancel   context.CancelFunc
	done     chan struct{}
}

// newTIRadar starts the emulator, opens its ports through the serial
// driver, uploads the configuration (with the frame period set to the
// scenario's rate) and starts the worker. baud paces the data port (0:
// unpaced, for virtual time). limited: it reports only what the
// configuration sees (RunConfig.ConfigLimits).
func newTIRadar(world *World, cfg []mmwave.ConfigLine, params radar.Params, baud int, limited bool) (*tiRadar, error) {
	m := world.sc.Radar
	lines, err := atFrameRate(cfg, m.RateHz)
	if err != nil {
		return nil, err
	}
	cluster, err := radar.NewClusterer(params)
	if err != nil {
		return nil, err
	}
	r := &tiRadar{world: world, cluster: cluster, latency: m.Latency, clock: sensors.NewVirtualClock(0),
		requests: make(chan int, 64), results: make(chan radarScan, 64), done: make(chan struct{})}
	if l, err := mmwave.DeriveLimits(lines); err == nil && limited {
		r.limits = &l // else the world goes out as the scenario's model sees it
	}
	if r.emu, err = mmwavesim.New(baud); err != nil {
		return nil, err
	}
	r.ports = append(r.ports, r.emu)
	cli, err := mmwave.OpenSerial(r.emu.CLIPath(), mmwave.CLIBaud, 100*time.Millisecond)
	if err != nil {
		return nil, errors.Join(err, r.closePorts())
	}
	r.ports = append(r.ports, cli)
	data, err := mmwave.OpenSerial(r.emu.DataPath(), mmwave.DataBaud, 100*time.Millisecond)
	if err != nil {
		return nil, errors.Join(err, r.closePorts())
	}
	r.ports = append(r.ports, data)
	opts := mmwave.DefaultDevOpts()
	// The driver stamps on this clock, set to each frame's nominal arrival,
	// so stamps do not depend on how fast this machine runs.
	opts.Clock, opts.TransferLatency = r.clock, m.Latency
	// A frame that does not come through within seconds of wall time is
	// an error, not a wait.
	opts.FrameTimeout = 10 * time.Second
	if r.dev, err = mmwave.New(cli, data, &opts); err != nil {
		return nil, errors.Join(err, r.closePorts())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err = r.dev.Configure(ctx, lines)
	cancel()
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sim: configure the virtual radar: %w", err), r.closePorts())
	}
	wctx, wcancel := context.WithCancel(context.Background())
	r.cancel = wcancel
	go r.work(wctx)
	return r, nil
}

// seenWithin keeps the points a radar configured with limits l reports:
// those within its range, each Doppler wrapped into ±MaxVelocityMps, as a
// faster object's aliases. It filters pts in place; nil l keeps them all.
func seenWithin(pts []radar.Point, l *mmwave.Limits) []radar.Point {
	if l == nil {
		return pts
	}
	span := 2 * l.MaxVelocityMps
	keep := pts[:0]
	for _, p := range pts {
		if p.Range() > l.MaxRangeM {
			continue
		}
		p.Doppler -= span * math.Round(p.Doppler/span)
		keep = append(keep, p)
	}
	return keep
}

// atFrameRate returns a copy of a TI configuration with its frame period
// set to rateHz.
func atFrameRate(cfg []mmwave.ConfigLine, rateHz float64) ([]mmwave.ConfigLine, error) {
	if len(cfg) == 0 {
		return nil, errors.New("sim: the virtual TI radar needs a configuration (RunConfig.RadarConfig)")
	}
	lines := slices.Clone(cfg)
	for i, l := range lines {
		fields := strings.Fields(l.Command)
		if fields[0] == "frameCfg" && len(fields) == 8 {
			fields[5] = fmt.Sprintf("%g", 1000/rateHz)
			lines[i].Command = strings.Join(fields, " ")
		}
	}
	return lines, nil
}

func (r *tiRadar) work(ctx context.Context) {
	defer close(r.done)
	var frame mmwave.StampedFrame
	var pts []radar.Point
	var pkt []byte
	for {
		var k int
		select {
		case <-ctx.Done():
			return
		case k = <-r.requests:
		}
		stamp := r.world.RadarStamp(k)
		pts = seenWithin(r.world.RadarPoints(pts[:0], k), r.limits)
		pkt = mmwavesim.EncodeFrame(pkt[:0], uint32(k), stamp.Sub(r.world.start), pts)
		r.clock.Set(stamp.Add(r.latency))
		// Write and read at once (a frame can be larger than the
		// pseudo-terminal's buffer); a failed write stops the read.
		rctx, stop := context.WithCancel(ctx)
		werr := make(chan error, 1)
		go func() {
			err := r.emu.WriteFrame(rctx, pkt)
			if err != nil {
				stop()
			}
			werr <- err
		}()
		err := r.dev.ReadFrame(rctx, &frame)
		err = errors.Join(err, <-werr)
		stop()
		if err != nil {
			err = fmt.Errorf("frame of %d bytes: %w (parser: %d frames, errors %v, %d bytes waiting)",
				len(pkt), err, r.dev.Frames(), r.dev.Errors(), r.dev.Buffered())
		}
		scan := radarScan{k: k, stamp: frame.Stamp, err: err}
		if err == nil {
			pts = radar.FromTIFrame(pts[:0], &frame.Frame)
			scan.points = append([]radar.Point(nil), pts...)
			vx, vy := r.world.Ego(frame.Stamp).SensorPose(r.world.rig.Radar).OwnVelocity()
			scan.dets, _ = r.cluster.Detect(nil, nil, frame.Stamp, pts, vx, vy)
		}
		select {
		case r.results <- scan:
		case <-ctx.Done():
			return
		}
	}
}

func (r *tiRadar) emit(ctx context.Context, k int) {
	select {
	case r.requests <- k:
		r.pending++
	case <-ctx.Done():
	}
}

func (r *tiRadar) collect(dst []radarScan, wait bool) []radarScan {
	for r.pending > 0 {
		if wait {
			dst = append(dst, <-r.results)
			r.pending--
			continue
		}
		select {
		case s := <-r.results:
			dst = append(dst, s)
			r.pending--
		default:
			return dst
		}
	}
	return dst
}

func (r *tiRadar) close() error {
	r.cancel()
	<-r.done
	return r.closePorts()
}

func (r *tiRadar) closePorts() error {
	var errs []error
	for i := len(r.ports) - 1; i >= 0; i-- {
		errs = append(errs, r.ports[i].Close())
	}
	r.ports = nil
	return errors.Join(errs...)
}
