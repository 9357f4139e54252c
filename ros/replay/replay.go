// Package replay runs the node on a recorded bag: its sensor topics go
// through the same perception and fusion as live operation, on a virtual
// clock driven by the bag's record times, and everything the node
// publishes is written to an output bag. As fast as possible, the output
// is byte-identical from run to run.
package replay

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/audio_common_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/diagnostic_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/nav_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/visualization_msgs"
	"go.uber.org/zap"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/pipeline"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/ros/msgs/radarmsgs"
	"github.com/avfusion/avfusion/ros/msgs/timmwave"
	"github.com/avfusion/avfusion/ros/record"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sim/eval"
)

// Config configures a replay.
type Config struct {
	In, Out string
	// Rate is the replay speed relative to real time; Fast ignores it and
	// runs as fast as possible.
	Rate float64
	Fast bool
	// Start and End cut the bag, as offsets from its first message; End 0
	// means to the end.
	Start, End time.Duration
	// Remap renames input topics, from → to.
	Remap map[string]string
	Node  config.Config
	// Progress, when set, is called about every second of bag time.
	Progress func(done, total time.Duration)
	// Logger, when set, hears of the first repaired or refused input on
	// each topic.
	Logger *zap.Logger
}

// Result summarises a replay.
type Result struct {
	Cycles   int
	Messages int // messages on the topics the node reads (Inputs says what became of them)
	// Tracking is scored when the bag has ground truth; nil otherwise.
	Tracking  *eval.Metrics
	LatencyMs fusion.Percentiles
	// DeliveryMs and NodeMs split the latency into the sensors' delivery
	// (capture to record time) and the node's part; OverBudget counts the
	// cycles over the latency budget.
	DeliveryMs, NodeMs fusion.Percentiles
	OverBudget         int
	// Unused lists input topics the node has no use for.
	Unused []string
	// BadImages counts camera images that could not be decoded or
	// detected in; each is skipped.
	BadImages int
	// Inputs says, per input topic, how many messages were fused, had
	// their stamp repaired or their frame assumed, or were refused and why.
	Inputs []fusion.InputHealth
	// ClusteredAhead counts the radar point clouds clustered beside the
	// pipeline, ahead of it (the others it clustered itself).
	ClusteredAhead int
}

// images runs the camera detector on recorded images (nil when the build
// has no OpenCV).
type images interface {
	detect(dst []perception.Detection, m *bag.Message, compressed bool, lens calib.Pinhole) ([]perception.Detection, sensors.Time, error)
	close()
}

// ParseRemap parses "from:=to" arguments.
func ParseRemap(args []string) (map[string]string, error) {
	m := map[string]string{}
	for _, a := range args {
		from, to, ok := strings.Cut(a, ":=")
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("replay: remap %q: want from:=to", a)
		}
		m[from] = to
	}
	return m, nil
}

// outputs writes what the node publishes to the output bag.
type outputs struct {
	w                                    *bag.Writer
	obstacles, tracks, markers, diagConn *bag.Connection
	cfg                                  *config.Config
}

func absolute(topic string) string {
	if strings.HasPrefix(topic, "/") {
		return topic
	}
	return "/" + topic
}

func newOutputs(path string, cfg *config.Config) (*outputs, error) {
	w, err := bag.Create(path, bag.WriterOpts{Compression: bag.CompressionLZ4})
	if err != nil {
		return nil, err
	}
	o := &outputs{w: w, cfg: cfg}
	hdr := map[string]string{"callerid": "/avfusion"}
	for _, c := range []struct {
		dst   **bag.Connection
		topic string
		msg   any
	}{
		{&o.obstacles, cfg.Topics.Obstacles, vision_msgs.Detection3DArray{}},
		{&o.tracks, cfg.Topics.Tracks, derivedobject.ObjectWithCovarianceArray{}},
		{&o.markers, cfg.Topics.Markers, visualization_msgs.MarkerArray{}},
		{&o.diagConn, cfg.Topics.Diagnostics, diagnostic_msgs.DiagnosticArray{}},
	} {
		if *c.dst, err = w.AddTyped(absolute(c.topic), c.msg, hdr); err != nil {
			return nil, errors.Join(err, w.Close())
		}
	}
	return o, nil
}

func at(t sensors.Time) bag.Time { return bag.Time{Sec: uint32(t / 1e9), Nsec: uint32(t % 1e9)} }

// Publish writes one cycle's output (pipeline.Sink).
func (o *outputs) Publish(out *fusion.Output) error {
	t := at(out.Stamp)
	frame := o.cfg.Frames.Odom
	return errors.Join(
		o.w.WriteMsg(o.obstacles, t, ros.Obstacles(out, frame)),
		o.w.WriteMsg(o.tracks, t, ros.Tracks(out, frame)),
		o.w.WriteMsg(o.markers, t, ros.Markers(out, frame)),
	)
}

// PublishDiagnostics writes the node's health (pipeline.Sink).
func (o *outputs) PublishDiagnostics(d *fusion.Diagnostics) error {
	return o.w.WriteMsg(o.diagConn, at(d.Stamp), ros.DiagnosticArray(d, "avfusion"))
}

// Run replays the bag.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if !cfg.Fast && !(cfg.Rate > 0) {
		return nil, fmt.Errorf("replay: rate must be positive, got %g", cfg.Rate)
	}
	if err := cfg.Node.Validate(); err != nil {
		return nil, fmt.Errorf("replay: config: %w", err)
	}
	in, err := bag.Open(cfg.In)
	if err != nil {
		return nil, err
	}
	defer in.Close() //nolint:errcheck // read-only
	info := in.Info()
	if info.Start == nil {
		return nil, fmt.Errorf("replay: %s has no messages", cfg.In)
	}

	r, err := newReplayer(&cfg, in, info)
	if err != nil {
		return nil, err
	}
	err = r.play(ctx, in)
	if err = errors.Join(err, r.close()); err != nil {
		return r.res, err
	}
	st := r.pipe.Stats()
	r.res.LatencyMs, r.res.DeliveryMs, r.res.NodeMs, r.res.OverBudget = st.Latency.Percentiles(), st.Delivery.Percentiles(), st.Node.Percentiles(), st.OverBudget
	r.res.Inputs = r.inputs.Health()
	if m := r.acc.Metrics(); m.GroundTruthFrames > 0 {
		r.res.Tracking = &m
	}
	for _, c := range in.Conns {
		if !r.used[c.Topic] {
			r.res.Unused = append(r.res.Unused, c.Topic)
		}
	}
	return r.res, nil
}

// newReplayer sets up the replay of a bag: the pipeline (radar comes as
// point clouds, through the clustering), the camera detector when the
// bag has images, the output bag, and the window of bag time to play.
func newReplayer(cfg *Config, in *bag.File, info bag.Info) (r *replayer, err error) {
	node := cfg.Node
	engine, err := pipeline.NewEngine(&node, true)
	if err != nil {
		return nil, err
	}
	cluster, err := radar.NewClusterer(node.RadarPerception)
	if err != nil {
		return nil, err
	}
	r = &replayer{cfg: cfg, node: &node, params: node.Tracker.WithClusteredRadar(node.RadarPerception), engine: engine, cluster: cluster, lens: node.Rig.Lens,
		period: sensors.Time(float64(time.Second) / node.OutputHz), res: &Result{},
		acc: eval.NewAccumulator(eval.GroundDistance(node.MatchDistanceM)), used: map[string]bool{},
		inputs: pipeline.NewInputs(node.MaxLatency, node.SensorTimeout, cfg.Logger),
		radar:  pipeline.Source{Mount: node.Frames.Radar, Latency: node.RadarLatency}}
	defer func() {
		if err != nil {
			err = errors.Join(err, r.close())
		}
	}()
	for _, c := range in.Conns {
		topic := c.Topic
		if to, ok := cfg.Remap[topic]; ok {
			topic = to
		}
		if (topic == record.TopicCameraImage || topic == record.TopicCameraJPEG) && r.images == nil {
			if r.images, err = newCameraImages(&node); err != nil {
				return r, err
			}
		}
	}
	if cfg.Out != "" {
		if r.out, err = newOutputs(cfg.Out, &node); err != nil {
			return r, err
		}
	}
	r.window(info)
	r.clock = sensors.NewVirtualClock(r.from)
	pcfg := pipeline.Config{Engine: engine, Clock: r.clock, Deadline: node.Deadline, LatencyBudget: node.LatencyBudget,
		Sensors: []perception.Sensor{perception.Radar, perception.Camera}, Untimed: true, FirstDiagnostics: r.from, Inputs: r.inputs}
	if r.out != nil {
		pcfg.Sink = r.out
	}
	if r.pipe, err = pipeline.New(pcfg, r.from); err != nil {
		return r, err
	}
	return r, nil
}

// window sets the stretch of bag time to play, from the options' Start
// and End.
func (r *replayer) window(info bag.Info) {
	first := sensors.Time(*info.Start * 1e9)
	r.from = first.Add(r.cfg.Start)
	r.to = sensors.Time(math.MaxInt64)
	r.total = sensors.Time(*info.End * 1e9).Sub(r.from)
	if r.cfg.End > 0 {
		r.to = first.Add(r.cfg.End)
		r.total = r.to.Sub(r.from)
	}
}

// play runs the bag's messages in the window through the pipeline, with
// the cycles due between them, and the last cycle. The messages are read
// (and their radar clouds clustered) ahead, beside the pipeline.
func (r *replayer) play(ctx context.Context, in *bag.File) (err error) {
	r.wallStart = time.Now()
	batches, stop := make(chan aheadBatch, 2), make(chan struct{})
	go r.readAhead(ctx, in, batches, stop)
	defer func() {
		close(stop)
		for range batches { // until the read-ahead has let go of the bag
		}
	}()
	for b := range batches {
		for i := range b.msgs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := r.step(&b.msgs[i]); err != nil {
				return err
			}
		}
		if b.end {
			if b.err != nil {
				return b.err
			}
			break
		}
	}
	r.flushTI()
	if r.next != 0 {
		return r.cycle(r.next)
	}
	return nil
}

// step runs one message through the pipeline, with the cycles due before
// it and the one its scan brings on.
func (r *replayer) step(a *aheadMsg) error {
	r.flushTIAfter(a.t)
	if err := r.cycleOnScan(); err != nil {
		return err
	}
	if err := r.cyclesUntil(a.t); err != nil {
		return err
	}
	if err := r.dispatch(a); err != nil {
		return err
	}
	return r.cycleOnScan()
}

// close releases the camera detector and finishes the output bag.
func (r *replayer) close() error {
	if r.images != nil {
		r.images.close()
		r.images = nil
	}
	if r.out == nil {
		return nil
	}
	err := r.out.w.Close()
	r.out = nil
	return err
}

type replayer struct {
	cfg     *Config
	node    *config.Config
	params  fusion.Params
	engine  *fusion.Engine
	cluster *radar.Clusterer
	pipe    *pipeline.Pipeline
	inputs  *pipeline.Inputs
	radar   pipeline.Source // the radar's mount and latency, for stamps to repair
	ti      ros.TIFrame     // per-point ti_mmwave_rospkg scans of the frame being gathered
	tiTopic string
	out     *outputs // nil without an output bag
	clock   *sensors.VirtualClock
	lens    calib.Pinhole
	period  sensors.Time
	next    sensors.Time // next cycle time; 0 before the first message
	last    sensors.Time // the latest cycle's time
	// radarArrived is the arrival of the radar scan ingested since the
	// last cycleOnScan (0: none).
	radarArrived sensors.Time
	from, to     sensors.Time
	total        time.Duration
	wallStart    time.Time
	lastShown    sensors.Time
	res          *Result
	acc          *eval.Accumulator
	truth        map[sensors.Time][]eval.Object
	truthAt      []sensors.Time // the truth's stamps, oldest first
	used         map[string]bool
	points       []radar.Point
	dets         []perception.Detection
	images       images
	sound        *acoustic.Listener
	noSound      bool // audio present but no array geometry to locate it with
	audioRate    int  // from audio_info, for raw audio
}

// cyclesUntil runs every cycle due before t.
func (r *replayer) cyclesUntil(t sensors.Time) error {
	if r.next == 0 {
		// Cycles fall on multiples of the period, as the simulator's do.
		r.next = (t/r.period + 1) * r.period
	}
	for r.next < t {
		if err := r.cycle(r.next); err != nil {
			return err
		}
		r.next += r.period
	}
	return nil
}

func (r *replayer) cycle(now sensors.Time) error {
	if !r.cfg.Fast {
		due := r.wallStart.Add(time.Duration(float64(now.Sub(r.from)) / r.cfg.Rate))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
	}
	r.clock.Set(now)
	r.last = now
	rep, err := r.pipe.Cycle(now, nil)
	if err != nil {
		return err
	}
	if n, err := r.pipe.PublishErrors(); n > 0 {
		return fmt.Errorf("replay: writing the output bag: %w", err)
	}
	r.res.Cycles++
	r.score(now, rep.Out)
	if r.cfg.Progress != nil && now-r.lastShown >= 1e9 {
		r.cfg.Progress(now.Sub(r.from), r.total)
		r.lastShown = now
	}
	return nil
}

// score scores a cycle's output against the newest recorded truth at or
// before its time, less than a period old (the truth of its own time when
// cycles keep the recording's rate), if any. As in the simulator, tracks
// coasting outside every sensor's view are published but not scored (the
// truth there is not either).
func (r *replayer) score(now sensors.Time, out *fusion.Output) {
	best, k := sensors.Time(-1), 0
	for ; k < len(r.truthAt) && r.truthAt[k] <= now; k++ {
		best = r.truthAt[k]
	}
	for _, s := range r.truthAt[:k] {
		if s != best {
			delete(r.truth, s) // no cycle of its own: not scored
		}
	}
	r.truthAt = r.truthAt[k:]
	gt, ok := r.truth[best]
	if !ok || now.Sub(best) >= time.Duration(r.period) {
		delete(r.truth, best)
		return
	}
	var hyp []eval.Object
	p, rig := &r.params, &r.node.Rig
	for i := range out.Tracks {
		tr := &out.Tracks[i]
		if p.Radar.Sees(out.Ego, rig.Radar, tr.X[0], tr.X[1]) || p.Camera.Sees(out.Ego, rig.Camera, tr.X[0], tr.X[1]) {
			hyp = append(hyp, eval.Object{ID: int(tr.ID), X: tr.X[0], Y: tr.X[1]})
		}
	}
	r.acc.Update(gt, hyp)
	delete(r.truth, best)
}

// clusterRadar turns r.points, captured at stamp, into detections and
// hands them to the engine: the read-ahead's (nil for none) where it
// clustered them at that stamp and the same own velocity.
func (r *replayer) clusterRadar(stamp, arrival sensors.Time, ahead *aheadCloud) {
	vx, vy := r.engine.EgoAt(stamp).SensorPose(r.node.Rig.Radar).OwnVelocity()
	var dets []perception.Detection
	if ahead != nil && ahead.stamp == stamp && ahead.vx == vx && ahead.vy == vy {
		dets = ahead.dets
		r.res.ClusteredAhead++
	} else {
		r.dets, _ = r.cluster.Detect(r.dets[:0], nil, stamp, r.points, vx, vy)
		dets = r.dets
	}
	r.engine.Ingest(fusion.Scan{Sensor: perception.Radar, Stamp: stamp, Dets: dets}, arrival)
	r.radarArrived = arrival
}

// cycleOnScan runs, with cycle_on_scan, a cycle as soon as a radar scan
// (the leading sensor's) has been ingested, at its arrival, and puts the
// next one a period later: output_hz is then the minimum rate.
func (r *replayer) cycleOnScan() error {
	at := r.radarArrived
	r.radarArrived = 0
	if !r.node.CycleOnScan || at == 0 || at <= r.last {
		return nil
	}
	if err := r.cycle(at); err != nil {
		return err
	}
	// A scan due within a millisecond of the period's end is waited for:
	// no cycle a hair before it publishes nothing new.
	r.next = at + r.period + sensors.Time(time.Millisecond)
	return nil
}

// dispatch hands one bag message to the handler of its topic (after
// remapping) and, on the radar's topics, of its type. A message that
// cannot be used costs that message, counted, not the replay: only
// failures of the replay itself are returned.
func (r *replayer) dispatch(a *aheadMsg) error {
	m, t := &a.m, a.t
	topic := r.remapped(m.Conn.Topic)
	var err error
	switch topic {
	case record.TopicOdometry:
		r.onOdometry(m, topic)
	case record.TopicRadarPoints, record.TopicRadarScan:
		r.onRadar(m, t, topic, a.cloud)
	case record.TopicCameraInfo:
		r.onCameraInfo(m, topic)
	case record.TopicCameraImage, record.TopicCameraJPEG:
		r.onImage(m, t, topic)
	case record.TopicCameraBoxes:
		r.onCameraBoxes(m, t, topic)
	case record.TopicAudio:
		err = r.onAudio(m, t, topic)
	case record.TopicAudioInfo:
		r.onAudioInfo(m, topic)
	case record.TopicTruth:
		r.onTruth(m, topic)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	r.used[m.Conn.Topic] = true
	r.res.Messages++
	return nil
}

// remapped is the topic a bag's topic is played as.
func (r *replayer) remapped(topic string) string {
	if to, ok := r.cfg.Remap[topic]; ok {
		return to
	}
	return topic
}

// decode decodes m into msg; a message that cannot be decoded is refused
// (counted) and costs only itself.
func (r *replayer) decode(m *bag.Message, topic string, msg any) bool {
	if err := m.Decode(msg); err != nil {
		r.inputs.Refused(topic, fusion.RefusedDecode, err)
		return false
	}
	return true
}

func (r *replayer) onOdometry(m *bag.Message, topic string) {
	var msg nav_msgs.Odometry
	if r.decode(m, topic, &msg) {
		r.engine.PushEgo(ros.EgoFromOdometry(&msg))
		r.inputs.Fused(topic, 1)
	}
}

// onRadar takes a radar message by its type: a point cloud, a
// radar_msgs/RadarScan, or one point of a ti_mmwave_rospkg/RadarScan.
func (r *replayer) onRadar(m *bag.Message, t sensors.Time, topic string, ahead *aheadCloud) {
	switch m.Conn.Type {
	case "sensor_msgs/PointCloud2":
		r.onRadarPoints(m, t, topic, ahead)
	case "radar_msgs/RadarScan":
		r.onRadarScan(m, t, topic)
	case timmwave.RadarScanType:
		r.onTIPoint(m, t, topic)
	default:
		r.inputs.Refused(topic, fusion.RefusedDecode, fmt.Errorf("replay: %s on a radar topic: want sensor_msgs/PointCloud2, radar_msgs/RadarScan or %s", m.Conn.Type, timmwave.RadarScanType))
	}
}

// onRadarPoints fuses a point cloud: the read-ahead's decoding of it
// (nil: decoded here).
func (r *replayer) onRadarPoints(m *bag.Message, t sensors.Time, topic string, ahead *aheadCloud) {
	var stamp sensors.Time
	var frame string
	if ahead == nil {
		var msg sensor_msgs.PointCloud2
		if !r.decode(m, topic, &msg) {
			return
		}
		pts, err := ros.RadarPoints(r.points[:0], &msg)
		if err != nil {
			r.inputs.Refused(topic, ros.CloudRefusal(err), err)
			return
		}
		r.points, stamp, frame = pts, ros.Stamp(msg.Header.Stamp), msg.Header.FrameId
	} else {
		r.points, stamp, frame = ahead.pts, ahead.headerStamp, ahead.frameID
	}
	r.clusterRadar(r.inputs.Admit(topic, r.radar, stamp, frame, t), t, ahead)
	r.inputs.Fused(topic, 1)
}

func (r *replayer) onRadarScan(m *bag.Message, t sensors.Time, topic string) {
	var msg radarmsgs.RadarScan
	if !r.decode(m, topic, &msg) {
		return
	}
	r.points = ros.RadarScanPoints(r.points[:0], &msg)
	r.clusterRadar(r.inputs.Admit(topic, r.radar, ros.Stamp(msg.Header.Stamp), msg.Header.FrameId, t), t, nil)
	r.inputs.Fused(topic, 1)
}

// onTIPoint gathers one point of a per-point ti_mmwave_rospkg scan,
// fusing the frame before it once it is complete (see ros.TIFrame).
func (r *replayer) onTIPoint(m *bag.Message, t sensors.Time, topic string) {
	if md5 := m.Conn.Header["md5sum"]; md5 != "" && md5 != timmwave.RadarScanMD5 {
		r.inputs.Refused(topic, fusion.RefusedDecode, fmt.Errorf("replay: %s definition with MD5 %s, want %s", timmwave.RadarScanType, md5, timmwave.RadarScanMD5))
		return
	}
	var msg timmwave.RadarScan
	if !r.decode(m, topic, &msg) {
		return
	}
	if r.ti.Starts(&msg, t) || (len(r.ti.Points) > 0 && topic != r.tiTopic) {
		r.flushTI()
	}
	r.tiTopic = topic
	r.ti.Add(&msg, t)
}

// flushTIAfter fuses the gathered ti_mmwave_rospkg frame when no point of
// it came within ros.TIFrameGap before t.
func (r *replayer) flushTIAfter(t sensors.Time) {
	if len(r.ti.Points) > 0 && t.Sub(r.ti.Last) > ros.TIFrameGap {
		r.flushTI()
	}
}

// flushTI fuses the gathered ti_mmwave_rospkg frame, arrived with its
// last point.
func (r *replayer) flushTI() {
	f := &r.ti
	if len(f.Points) == 0 {
		return
	}
	r.points = append(r.points[:0], f.Points...)
	r.clusterRadar(r.inputs.Admit(r.tiTopic, r.radar, f.Stamp, f.FrameID, f.Last), f.Last, nil)
	r.inputs.Fused(r.tiTopic, len(f.Points))
	f.Reset()
}

func (r *replayer) onCameraInfo(m *bag.Message, topic string) {
	var msg sensor_msgs.CameraInfo
	if !r.decode(m, topic, &msg) {
		return
	}
	lens, err := ros.LensFromCameraInfo(&msg)
	if err != nil {
		r.inputs.Refused(topic, fusion.RefusedBad, err)
		return
	}
	r.lens = lens
}

// onImage runs the camera detector on a recorded image; one that cannot
// be decoded or detected in is counted and skipped.
func (r *replayer) onImage(m *bag.Message, t sensors.Time, topic string) {
	if r.images == nil {
		return
	}
	dets, stamp, err := r.images.detect(r.dets[:0], m, topic == record.TopicCameraJPEG, r.lens)
	if err != nil {
		r.res.BadImages++
		r.inputs.Refused(topic, fusion.RefusedBad, err)
		return
	}
	r.dets = dets
	stamp = r.inputs.Stamp(topic, stamp, t, r.node.Camera.Latency)
	for i := range r.dets {
		r.dets[i].Stamp = stamp
	}
	r.engine.Ingest(fusion.Scan{Sensor: perception.Camera, Stamp: stamp, Dets: r.dets}, t)
	r.inputs.Fused(topic, 1)
}

func (r *replayer) onCameraBoxes(m *bag.Message, t sensors.Time, topic string) {
	var msg vision_msgs.Detection2DArray
	if !r.decode(m, topic, &msg) {
		return
	}
	stamp := r.inputs.Stamp(topic, ros.Stamp(msg.Header.Stamp), t, r.node.Camera.Latency)
	r.dets = ros.CameraDetections(r.dets[:0], &msg, stamp, r.lens, r.node.Rig.Camera, r.node.CameraBoxStdPx)
	r.engine.Ingest(fusion.Scan{Sensor: perception.Camera, Stamp: stamp, Dets: r.dets}, t)
	r.inputs.Fused(topic, 1)
}

// onAudio hands recorded sound to the listener, which classifies and
// locates each analysis window; audio without an array geometry to
// locate it with is passed over.
func (r *replayer) onAudio(m *bag.Message, t sensors.Time, topic string) error {
	if r.noSound {
		return nil
	}
	if r.sound == nil {
		rate := r.node.Mic.RateHz
		if r.audioRate > 0 {
			rate = r.audioRate
		}
		var err error
		if r.sound, err = newListener(r.node.Mic.Array, m.Conn.Header[record.MicArrayHeader], rate, r.node.Mic.SirenConfirmS); err != nil {
			return err
		}
		if r.sound == nil {
			r.noSound = true
			return nil
		}
	}
	data, stamp, err := audioData(m)
	if err != nil {
		r.inputs.Refused(topic, fusion.RefusedDecode, err)
		return nil
	}
	err = r.sound.Push(data, stamp, t, func(stamp sensors.Time, dets []perception.Detection) {
		r.engine.Ingest(fusion.Scan{Sensor: perception.Mic, Stamp: stamp, Dets: dets}, t) // Ingest copies dets
	})
	if err != nil {
		r.inputs.Refused(topic, fusion.RefusedBad, err)
		return nil
	}
	r.inputs.Fused(topic, 1)
	return nil
}

// audioData decodes stamped or unstamped audio; unstamped audio has stamp
// 0, and the listener anchors it on its record time.
func audioData(m *bag.Message) ([]byte, sensors.Time, error) {
	if m.Conn.Type == "audio_common_msgs/AudioData" {
		var msg audio_common_msgs.AudioData
		if err := m.Decode(&msg); err != nil {
			return nil, 0, err
		}
		return msg.Data, 0, nil
	}
	var msg audio_common_msgs.AudioDataStamped
	if err := m.Decode(&msg); err != nil {
		return nil, 0, err
	}
	return msg.Audio.Data, ros.Stamp(msg.Header.Stamp), nil
}

func (r *replayer) onAudioInfo(m *bag.Message, topic string) {
	var msg audio_common_msgs.AudioInfo
	if r.decode(m, topic, &msg) {
		r.audioRate = int(msg.SampleRate)
	}
}

func (r *replayer) onTruth(m *bag.Message, topic string) {
	var msg derivedobject.ObjectWithCovarianceArray
	if !r.decode(m, topic, &msg) {
		return
	}
	if r.truth == nil {
		r.truth = map[sensors.Time][]eval.Object{}
	}
	gt := []eval.Object{}
	for _, o := range ros.TruthFromMessage(nil, &msg) {
		gt = append(gt, eval.Object{ID: o.ID, X: o.X, Y: o.Y})
	}
	stamp := ros.Stamp(msg.Header.Stamp)
	r.truth[stamp] = gt
	r.truthAt = append(r.truthAt, stamp)
}
