// Package live runs the node on live inputs: a TI mmWave radar on this
// machine's serial ports (kept alive by the supervisor) or radar point
// clouds from ROS, camera detections and odometry from ROS, fused at the
// output rate and published on ROS.
package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/nav_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/std_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"
	"go.uber.org/zap"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/pipeline"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/msgs/radarmsgs"
	"github.com/avfusion/avfusion/ros/msgs/timmwave"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/camera"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// Config configures the live node.
type Config struct {
	Node config.Config
	// RadarCLI and RadarData are the serial devices of a local TI radar;
	// empty means the radar comes as point clouds on ROS.
	RadarCLI, RadarData string
	// RadarConfig is the .cfg uploaded to the local radar (empty: the
	// built-in launch.BuiltinTIConfig).
	RadarConfig string
	// RadarLatency is the local radar's capture-to-first-byte latency.
	RadarLatency time.Duration
	// RadarCPUHz is the rate of the radar's timeCpuCycles counter, for
	// fitting its clock to the node's (0: stamp by arrival only).
	RadarCPUHz float64
	Logger     *zap.Logger
	// Cycle, when set, is called after every cycle.
	Cycle func(out *fusion.Output)
}

// node holds what the input callbacks share.
type node struct {
	cfg     *Config
	runner  *pipeline.Runner
	clock   sensors.Clock
	log     *zap.Logger
	ros     *ros.Node
	mu      sync.Mutex
	ego     fusion.Ego
	haveEgo bool
	lens    calib.Pinhole
	onLens  func(calib.Pinhole)  // tells the camera stage about a new camera_info
	onCycle func(*fusion.Output) // hands the camera stage each cycle's tracks
	// cameraDevice reports a local camera's clock on /diagnostics.
	cameraDevice func() fusion.DeviceHealth
	radarSt      mmwave.State
	radarWarned  bool    // the current outage was logged
	radarDrift   float64 // fitted clock drift, ppm (NaN while unknown)
	// refused counts refused input messages by kind; the first of each
	// kind is logged, then every hundredth, never each one.
	refused map[string]int
	// radarMu serialises the radar sources (ROS callbacks run on their
	// own goroutines) around the clusterer and its scratch.
	radarMu   sync.Mutex
	clusterer *radar.Clusterer
	points    []radar.Point
	// local is true with a radar on this machine's serial ports. The
	// health reports of the camera and sound stages and of a sound card
	// are set before the runner starts (nil without them).
	local                     bool
	cameraHealth, soundHealth func() []fusion.StageHealth
	soundCard                 func() fusion.DeviceHealth
	// inputs accounts for every input message, and repairs stamps.
	inputs *pipeline.Inputs
	// ti gathers per-point ti_mmwave_rospkg scans into frames (under
	// radarMu).
	ti ros.TIFrame
}

// Run runs the node until ctx ends. rn must be registered; its outputs are
// advertised here.
func Run(ctx context.Context, rn *ros.Node, cfg Config) error {
	if err := cfg.Node.Validate(); err != nil {
		return fmt.Errorf("live: config: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	c := &cfg.Node
	if c.Camera.Annotate != "" {
		if err := camera.CheckFrameOutput(c.Camera.Annotate); err != nil {
			return fmt.Errorf("live: camera.annotate: %w", err)
		}
	}
	if cfg.RadarCLI != "" || cfg.RadarData != "" {
		// What the local radar's chirps let it see; their unambiguous
		// velocity unless radar_perception.max_velocity_mps is set.
		lines, err := launch.ReadTIConfig(cfg.RadarConfig)
		if err != nil {
			return err
		}
		if l, taken, err := pipeline.TakeTILimits(c, lines); err != nil {
			log.Warn("radar configuration: its limits cannot be told; Doppler taken as radar_perception.max_velocity_mps says", zap.Error(err))
		} else {
			source := "as configured"
			if taken {
				source = "from its chirps"
			}
			log.Info("radar configuration", zap.Stringer("limits", l), zap.String("max_velocity_mps", source))
		}
	}
	// Radar arrives as point clouds either way, through the clustering.
	engine, err := pipeline.NewEngine(c, true)
	if err != nil {
		return err
	}
	clusterer, err := radar.NewClusterer(c.RadarPerception)
	if err != nil {
		return err
	}
	if err := rn.Advertise(c.Topics, c.Frames); err != nil {
		return err
	}
	var clock sensors.Clock = sensors.WallClock{}
	simTime := rn.SimTime()
	if simTime {
		clock = rn // /clock, from rosbag play --clock or a simulator
	}
	n := &node{cfg: &cfg, clock: clock, log: log.Named("live"), ros: rn, lens: c.Rig.Lens, clusterer: clusterer, radarDrift: math.NaN(),
		local: cfg.RadarCLI != "" || cfg.RadarData != ""}
	n.inputs = pipeline.NewInputs(c.MaxLatency, c.SensorTimeout, n.log)
	if n.runner, err = n.newRunner(engine, simTime); err != nil {
		return err
	}
	if err := n.subscribe(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); wg.Wait() }()
	if n.cameraHealth, err = n.startCamera(ctx, &wg); err != nil {
		return err
	}
	if n.soundHealth, n.soundCard, err = n.startSound(ctx, &wg); err != nil {
		return err
	}
	if n.local {
		if err := n.startRadar(ctx, &wg); err != nil {
			return err
		}
	}
	n.log.Info("running", zap.Bool("local_radar", n.local), zap.Float64("output_hz", c.OutputHz), zap.Bool("sim_time", simTime))
	return n.runner.Run(ctx)
}

// newRunner returns the pipeline's live driver, publishing on the node.
func (n *node) newRunner(engine *fusion.Engine, simTime bool) (*pipeline.Runner, error) {
	c := &n.cfg.Node
	fused := []perception.Sensor{perception.Radar, perception.Camera}
	if c.Mic.Array != "" {
		fused = append(fused, perception.Mic)
	}
	return pipeline.NewRunner(pipeline.RunnerConfig{
		Engine: engine, OutputHz: c.OutputHz, Deadline: c.Deadline, LatencyBudget: c.LatencyBudget, CycleOnScan: c.CycleOnScan, Clock: n.clock, Sink: n.ros,
		Sensors: fused, Logger: n.log,
		Cycle: func(out *fusion.Output) {
			if n.cfg.Cycle != nil {
				n.cfg.Cycle(out)
			}
			if n.onCycle != nil {
				n.onCycle(out)
			}
		},
		SimTime: simTime,
		OnTimeJump: func(from, to sensors.Time) {
			n.log.Warn("time jumped back; tracks reset", zap.Float64("from_s", from.Seconds()), zap.Float64("to_s", to.Seconds()))
		},
		Devices: n.devices,
		Stages:  n.stages,
		Inputs:  n.inputs,
	})
}

// devices reports the state of the radar, the sound card and the camera
// on this machine, for the diagnostics.
func (n *node) devices() []fusion.DeviceHealth {
	var devs []fusion.DeviceHealth
	if n.local {
		n.mu.Lock()
		msg := ""
		if n.radarSt.Err != nil {
			msg = n.radarSt.Err.Error()
		}
		devs = append(devs, fusion.DeviceHealth{Name: "radar", Connected: n.radarSt.Connected, Reconnects: n.radarSt.Reconnects, Message: msg, ClockDriftPPM: n.radarDrift})
		n.mu.Unlock()
	}
	if n.soundCard != nil {
		devs = append(devs, n.soundCard())
	}
	n.mu.Lock()
	cam := n.cameraDevice
	n.mu.Unlock()
	if cam != nil {
		devs = append(devs, cam())
	}
	return devs
}

// stages reports the camera and sound stages, for the diagnostics.
func (n *node) stages() []fusion.StageHealth {
	var st []fusion.StageHealth
	if n.cameraHealth != nil {
		st = append(st, n.cameraHealth()...)
	}
	if n.soundHealth != nil {
		st = append(st, n.soundHealth()...)
	}
	return st
}

// subscribe subscribes to the input topics: odometry, camera boxes and
// info, and the radar's unless it is on this machine's serial ports.
func (n *node) subscribe() error {
	t := &n.cfg.Node.Topics
	subs := []struct {
		topic string
		fn    any
	}{
		{t.Odometry, n.onOdometry},
		{t.CameraInfo, n.onCameraInfo},
		{t.CameraDetections, n.onCameraBoxes},
		{t.RadarPoints, n.onRadarCloud},
		{t.RadarScan, n.onRadarScan},
		{t.RadarTIScan, n.onTIPoint},
	}
	if n.local {
		subs = subs[:3]
	}
	for _, s := range subs {
		if err := n.ros.Subscribe(s.topic, s.fn); err != nil {
			return err
		}
	}
	return nil
}

// startRadar publishes the local radar's point clouds and starts its
// supervisor: configure it, read its frames, reconnect when it is
// unplugged.
func (n *node) startRadar(ctx context.Context, wg *sync.WaitGroup) error {
	cfg := n.cfg
	if err := n.ros.AdvertiseRadarPoints(cfg.Node.Topics.RadarPoints); err != nil {
		return err
	}
	lines, err := launch.ReadTIConfig(cfg.RadarConfig)
	if err != nil {
		return err
	}
	n.radarSt.Err = errors.New("not connected yet")
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = mmwave.Supervise(ctx, mmwave.SupervisorConfig{
			Open:   n.openRadar,
			Config: lines,
			Dev: mmwave.DevOpts{TransferLatency: cfg.RadarLatency, CommandTimeout: 2 * time.Second,
				FrameTimeout: 2 * time.Second, Clock: n.clock, CPUClockHz: cfg.RadarCPUHz, Parse: mmwave.DefaultOpts()},
			MinBackoff: 200 * time.Millisecond, MaxBackoff: 2 * time.Second,
			OnFrame: n.onRadarFrame,
			OnState: n.onRadarState,
		})
	}()
	return nil
}

func (n *node) openRadar() (io.ReadWriteCloser, io.ReadWriteCloser, error) {
	cli, err := mmwave.OpenSerial(n.cfg.RadarCLI, mmwave.CLIBaud, 100*time.Millisecond)
	if err != nil {
		return nil, nil, err
	}
	data, err := mmwave.OpenSerial(n.cfg.RadarData, mmwave.DataBaud, 100*time.Millisecond)
	if err != nil {
		return nil, nil, errors.Join(err, cli.Close())
	}
	return cli, data, nil
}

func (n *node) onRadarState(s mmwave.State) {
	n.mu.Lock()
	n.radarSt = s
	warn := !s.Connected && !n.radarWarned
	n.radarWarned = !s.Connected
	n.mu.Unlock()
	// Connecting and losing the radar are logged once each; the retries in
	// between show on /diagnostics.
	if s.Connected {
		n.log.Info("radar connected", zap.Int("reconnects", s.Reconnects))
	} else if warn {
		n.log.Warn("radar not reachable; retrying with backoff", zap.Error(s.Err))
	}
}

// refuse logs a refused input message the first time and every hundredth
// time of its kind.
func (n *node) refuse(kind string, err error) {
	n.mu.Lock()
	if n.refused == nil {
		n.refused = map[string]int{}
	}
	n.refused[kind]++
	count := n.refused[kind]
	n.mu.Unlock()
	if count == 1 || count%100 == 0 {
		n.log.Warn(kind+" refused", zap.Error(err), zap.Int("count", count))
	}
}

// sensorVelocity is the radar's own velocity in its frame, from the
// latest odometry (zero without odometry).
func (n *node) sensorVelocity(stamp sensors.Time) (float64, float64) {
	n.mu.Lock()
	ego, have := n.ego, n.haveEgo
	n.mu.Unlock()
	if !have {
		return 0, 0
	}
	return ego.At(stamp).SensorPose(n.cfg.Node.Rig.Radar).OwnVelocity()
}

// submitRadar clusters n.points, captured at stamp and arrived at
// arrival, and hands the detections to the loop; the caller holds
// radarMu.
func (n *node) submitRadar(stamp, arrival sensors.Time) {
	vx, vy := n.sensorVelocity(stamp)
	dets, _ := n.clusterer.Detect(nil, nil, stamp, n.points, vx, vy)
	n.runner.Submit(pipeline.Input{Scan: &fusion.Scan{Sensor: perception.Radar, Stamp: stamp, Dets: dets}, Arrival: arrival})
}

// radarStamp is the capture stamp of a radar message on topic, repaired
// when implausible, and notes its frame.
func (n *node) radarStamp(topic string, hdr *std_msgs.Header, arrival sensors.Time) sensors.Time {
	return n.inputs.Admit(topic, n.radarSource(), ros.Stamp(hdr.Stamp), hdr.FrameId, arrival)
}

// radarSource is the radar's mount and latency, for stamps to repair.
func (n *node) radarSource() pipeline.Source {
	return pipeline.Source{Mount: n.cfg.Node.Frames.Radar, Latency: n.cfg.Node.RadarLatency}
}

func (n *node) onRadarFrame(f *mmwave.StampedFrame) {
	n.mu.Lock()
	n.radarDrift = f.ClockDriftPPM
	n.mu.Unlock()
	n.radarMu.Lock()
	defer n.radarMu.Unlock()
	n.points = radar.FromTIFrame(n.points[:0], &f.Frame)
	n.ros.PublishRadarPoints(f.Stamp, n.points)
	n.submitRadar(f.Stamp, n.clock.Now())
}

func (n *node) onRadarCloud(msg *sensor_msgs.PointCloud2) {
	arrival, topic := n.clock.Now(), n.cfg.Node.Topics.RadarPoints
	n.radarMu.Lock()
	defer n.radarMu.Unlock()
	pts, err := ros.RadarPoints(n.points[:0], msg)
	if err != nil {
		n.inputs.Refused(topic, ros.CloudRefusal(err), err)
		return
	}
	n.points = pts
	n.submitRadar(n.radarStamp(topic, &msg.Header, arrival), arrival)
	n.inputs.Fused(topic, 1)
}

func (n *node) onRadarScan(msg *radarmsgs.RadarScan) {
	arrival, topic := n.clock.Now(), n.cfg.Node.Topics.RadarScan
	n.radarMu.Lock()
	defer n.radarMu.Unlock()
	n.points = ros.RadarScanPoints(n.points[:0], msg)
	n.submitRadar(n.radarStamp(topic, &msg.Header, arrival), arrival)
	n.inputs.Fused(topic, 1)
}

// onTIPoint gathers one point of a per-point ti_mmwave_rospkg scan and
// fuses the frame before it once that is complete (see ros.TIFrame): a
// frame waits for the next frame's first point.
func (n *node) onTIPoint(msg *timmwave.RadarScan) {
	arrival, topic := n.clock.Now(), n.cfg.Node.Topics.RadarTIScan
	n.radarMu.Lock()
	defer n.radarMu.Unlock()
	if f := &n.ti; f.Starts(msg, arrival) {
		n.points = append(n.points[:0], f.Points...)
		n.submitRadar(n.inputs.Admit(topic, n.radarSource(), f.Stamp, f.FrameID, f.Last), f.Last)
		n.inputs.Fused(topic, len(f.Points))
		f.Reset()
	}
	n.ti.Add(msg, arrival)
}

func (n *node) onOdometry(msg *nav_msgs.Odometry) {
	e := ros.EgoFromOdometry(msg)
	n.mu.Lock()
	n.ego, n.haveEgo = e, true
	n.mu.Unlock()
	n.runner.Submit(pipeline.Input{Ego: &e, Arrival: n.clock.Now()})
}

func (n *node) onCameraInfo(msg *sensor_msgs.CameraInfo) {
	lens, err := ros.LensFromCameraInfo(msg)
	if err != nil {
		n.refuse("camera_info", err)
		return
	}
	n.mu.Lock()
	n.lens = lens
	onLens := n.onLens
	n.mu.Unlock()
	if onLens != nil {
		onLens(lens)
	}
}

func (n *node) onCameraBoxes(msg *vision_msgs.Detection2DArray) {
	n.mu.Lock()
	lens := n.lens
	n.mu.Unlock()
	arrival, topic := n.clock.Now(), n.cfg.Node.Topics.CameraDetections
	stamp := n.inputs.Stamp(topic, ros.Stamp(msg.Header.Stamp), arrival, n.cfg.Node.Camera.Latency)
	dets := ros.CameraDetections(nil, msg, stamp, lens, n.cfg.Node.Rig.Camera, n.cfg.Node.CameraBoxStdPx)
	n.runner.Submit(pipeline.Input{Scan: &fusion.Scan{Sensor: perception.Camera, Stamp: stamp, Dets: dets}, Arrival: arrival})
	n.inputs.Fused(topic, 1)
}
