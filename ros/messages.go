package ros

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/diagnostic_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/geometry_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/std_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/visualization_msgs"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/sensors"
)

// header returns a message header at stamp in frame.
func header(stamp sensors.Time, frame string) std_msgs.Header {
	return std_msgs.Header{Stamp: time.Unix(0, int64(stamp)), FrameId: frame}
}

// yawQuaternion is the rotation by yaw about z.
func yawQuaternion(yaw float64) geometry_msgs.Quaternion {
	s, c := math.Sincos(yaw / 2)
	return geometry_msgs.Quaternion{Z: s, W: c}
}

// heading is the direction of travel of a track, or 0 when it stands.
func heading(t *fusion.TrackState) float64 {
	if math.Hypot(t.X[kalman.VX], t.X[kalman.VY]) < 0.5 {
		return 0
	}
	return math.Atan2(t.X[kalman.VY], t.X[kalman.VX])
}

// poseCovariance lays the 2×2 covariance of state components (a, a+1) into
// the x, y corner of a 6×6 row-major covariance; z and the rotations get a
// large variance to say they are not estimated.
func poseCovariance(p *[kalman.N][kalman.N]float64, a int) [36]float64 {
	var c [36]float64
	c[0], c[1] = p[a][a], p[a][a+1]
	c[6], c[7] = p[a+1][a], p[a+1][a+1]
	for i := 2; i < 6; i++ {
		c[i*6+i] = 1e6
	}
	return c
}

func pose(t *fusion.TrackState) geometry_msgs.Pose {
	return geometry_msgs.Pose{
		Position:    geometry_msgs.Point{X: t.X[kalman.PX], Y: t.X[kalman.PY], Z: perception.TypicalSize(t.Class)[2] / 2},
		Orientation: yawQuaternion(heading(t)),
	}
}

func sizeOf(t *fusion.TrackState) geometry_msgs.Vector3 {
	s := perception.TypicalSize(t.Class)
	return geometry_msgs.Vector3{X: s[0], Y: s[1], Z: s[2]}
}

// Obstacles builds the vision_msgs/Detection3DArray of a cycle: one
// detection per confirmed track, its hypotheses the class distribution
// (id = perception.Class) with the track's pose and covariance.
func Obstacles(out *fusion.Output, frame string) *vision_msgs.Detection3DArray {
	msg := &vision_msgs.Detection3DArray{Header: header(out.Stamp, frame)}
	msg.Detections = make([]vision_msgs.Detection3D, len(out.Tracks), len(out.Tracks)+len(out.Heard))
	for i := range out.Tracks {
		t := &out.Tracks[i]
		p := geometry_msgs.PoseWithCovariance{Pose: pose(t), Covariance: poseCovariance(&t.P, kalman.PX)}
		d := &msg.Detections[i]
		d.Header = msg.Header
		d.Bbox = vision_msgs.BoundingBox3D{Center: p.Pose, Size: sizeOf(t)}
		for c := perception.Class(0); c < perception.NumClasses; c++ {
			if t.Probs[c] < 0.01 {
				continue
			}
			d.Results = append(d.Results, vision_msgs.ObjectHypothesisWithPose{Id: int64(c), Score: t.Probs[c], Pose: p})
		}
	}
	for _, h := range out.Heard {
		msg.Detections = append(msg.Detections, AcousticDetection(msg.Header, h))
	}
	return msg
}

// AcousticDetection is the flagged obstacle entry of a sound no track
// explains: a bearing, not an object. Its box has zero size (the flag)
// and sits at the microphone array, turned to the bearing (yaw, with its
// variance in the covariance); its one hypothesis is emergency_vehicle
// for a siren (unknown for a horn), scored by the classifier.
func AcousticDetection(hdr std_msgs.Header, h fusion.AcousticHypothesis) vision_msgs.Detection3D {
	p := geometry_msgs.PoseWithCovariance{Pose: geometry_msgs.Pose{
		Position: geometry_msgs.Point{X: h.X, Y: h.Y}, Orientation: yawQuaternion(h.Bearing)}}
	p.Covariance[35] = h.BearingVar
	class, score := perception.EmergencyVehicle, h.Sound.Siren
	if h.Sound.Horn > h.Sound.Siren {
		class, score = perception.Unknown, h.Sound.Horn
	}
	return vision_msgs.Detection3D{Header: hdr, Bbox: vision_msgs.BoundingBox3D{Center: p.Pose},
		Results: []vision_msgs.ObjectHypothesisWithPose{{Id: int64(class), Score: score, Pose: p}}}
}

// classification maps our classes to derived_object_msgs' codes.
func classification(c perception.Class) uint8 {
	switch c {
	case perception.Car:
		return derivedobject.ClassificationCar
	case perception.Truck:
		return derivedobject.ClassificationTruck
	case perception.Pedestrian:
		return derivedobject.ClassificationPedestrian
	case perception.Cyclist:
		return derivedobject.ClassificationBike
	case perception.EmergencyVehicle:
		return derivedobject.ClassificationOtherVehicle
	}
	return derivedobject.ClassificationUnknown
}

// Tracks builds the derived_object_msgs/ObjectWithCovarianceArray of a
// cycle: track id, pose, twist and their covariances, box shape, class.
func Tracks(out *fusion.Output, frame string) *derivedobject.ObjectWithCovarianceArray {
	msg := &derivedobject.ObjectWithCovarianceArray{Header: header(out.Stamp, frame)}
	msg.Objects = make([]derivedobject.ObjectWithCovariance, len(out.Tracks))
	for i := range out.Tracks {
		t := &out.Tracks[i]
		size := sizeOf(t)
		o := &msg.Objects[i]
		o.Header = msg.Header
		o.Id = t.ID
		o.DetectionLevel = derivedobject.ObjectTracked
		o.ObjectClassified = t.ClassProb >= 0.5
		o.Pose = geometry_msgs.PoseWithCovariance{Pose: pose(t), Covariance: poseCovariance(&t.P, kalman.PX)}
		o.Twist = geometry_msgs.TwistWithCovariance{
			Twist:      geometry_msgs.Twist{Linear: geometry_msgs.Vector3{X: t.X[kalman.VX], Y: t.X[kalman.VY]}},
			Covariance: poseCovariance(&t.P, kalman.VX),
		}
		o.Shape = derivedobject.SolidPrimitiveWithCovariance{
			Type:       derivedobject.ShapeBox,
			Dimensions: []float64{size.X, size.Y, size.Z},
			Covariance: make([]float64, 9),
		}
		o.Classification = classification(t.Class)
		o.ClassificationCertainty = uint8(math.Round(255 * t.ClassProb))
		o.ClassificationAge = t.Hits[perception.Camera] + t.Hits[perception.Radar]
	}
	return msg
}

var classColors = [perception.NumClasses]std_msgs.ColorRGBA{
	perception.Unknown:          {R: 0.6, G: 0.6, B: 0.6, A: 0.8},
	perception.Car:              {R: 0.1, G: 0.5, B: 1.0, A: 0.8},
	perception.Truck:            {R: 0.1, G: 0.2, B: 0.8, A: 0.8},
	perception.Pedestrian:       {R: 1.0, G: 0.8, B: 0.1, A: 0.8},
	perception.Cyclist:          {R: 0.2, G: 0.9, B: 0.3, A: 0.8},
	perception.EmergencyVehicle: {R: 1.0, G: 0.1, B: 0.1, A: 0.8},
}

// Marker namespaces; a track's markers share its id in each.
const (
	markerBoxes    = "boxes"
	markerIDs      = "ids"
	markerVelocity = "velocity"
)

// Markers builds the visualization_msgs/MarkerArray of a cycle: a box, an
// id label and a velocity arrow (one second of travel) per confirmed track,
// and DELETE markers for tracks that died since the previous cycle.
func Markers(out *fusion.Output, frame string) *visualization_msgs.MarkerArray {
	h := header(out.Stamp, frame)
	msg := &visualization_msgs.MarkerArray{Markers: make([]visualization_msgs.Marker, 0, 3*(len(out.Tracks)+len(out.Deleted)))}
	for i := range out.Tracks {
		t := &out.Tracks[i]
		p := pose(t)
		color := classColors[t.Class]
		msg.Markers = append(msg.Markers,
			visualization_msgs.Marker{
				Header: h, Ns: markerBoxes, Id: int32(t.ID), Type: int32(visualization_msgs.Marker_CUBE),
				Action: int32(visualization_msgs.Marker_ADD), Pose: p, Scale: sizeOf(t), Color: color,
			},
			visualization_msgs.Marker{
				Header: h, Ns: markerIDs, Id: int32(t.ID), Type: int32(visualization_msgs.Marker_TEXT_VIEW_FACING),
				Action: int32(visualization_msgs.Marker_ADD),
				Pose: geometry_msgs.Pose{
					Position:    geometry_msgs.Point{X: p.Position.X, Y: p.Position.Y, Z: 2*p.Position.Z + 0.8},
					Orientation: geometry_msgs.Quaternion{W: 1},
				},
				Scale: geometry_msgs.Vector3{Z: 0.8}, Color: std_msgs.ColorRGBA{R: 1, G: 1, B: 1, A: 1},
				Text: fmt.Sprintf("#%d %s %.0f%%", t.ID, t.Class, 100*t.ClassProb),
			},
			visualization_msgs.Marker{
				Header: h, Ns: markerVelocity, Id: int32(t.ID), Type: int32(visualization_msgs.Marker_ARROW),
				Action: int32(visualization_msgs.Marker_ADD), Pose: geometry_msgs.Pose{Orientation: geometry_msgs.Quaternion{W: 1}},
				Scale: geometry_msgs.Vector3{X: 0.2, Y: 0.4, Z: 0.4}, Color: color,
				Points: []geometry_msgs.Point{
					{X: p.Position.X, Y: p.Position.Y, Z: p.Position.Z},
					{X: p.Position.X + t.X[kalman.VX], Y: p.Position.Y + t.X[kalman.VY], Z: p.Position.Z},
				},
			},
		)
	}
	for _, id := range out.Deleted {
		for _, ns := range []string{markerBoxes, markerIDs, markerVelocity} {
			msg.Markers = append(msg.Markers, visualization_msgs.Marker{
				Header: h, Ns: ns, Id: int32(id), Action: int32(visualization_msgs.Marker_DELETE),
				Pose: geometry_msgs.Pose{Orientation: geometry_msgs.Quaternion{W: 1}},
			})
		}
	}
	return msg
}

// DiagnosticArray builds the /diagnostics message: one status for the
// fusion cycle and one per sensor, each with a level someone can alarm on.
func DiagnosticArray(d *fusion.Diagnostics, node string) *diagnostic_msgs.DiagnosticArray {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	msg := &diagnostic_msgs.DiagnosticArray{Header: header(d.Stamp, "")}
	msg.Status = append(msg.Status, fusionStatus(d, node))
	for _, dev := range d.Devices {
		lvl, m := fusion.LevelOK, "connected"
		if !dev.Connected {
			lvl, m = fusion.LevelError, "disconnected: "+dev.Message
		}
		msg.Status = append(msg.Status, diagnostic_msgs.DiagnosticStatus{
			Level: int8(lvl), Name: node + ": " + dev.Name, Message: m, HardwareId: dev.Name,
			Values: []diagnostic_msgs.KeyValue{{Key: "reconnects", Value: strconv.Itoa(dev.Reconnects)},
				{Key: "clock_drift_ppm", Value: f(dev.ClockDriftPPM)}},
		})
	}
	heard := diagnostic_msgs.DiagnosticStatus{Level: int8(fusion.LevelOK), Name: node + ": acoustic", Message: "no unexplained sound", HardwareId: node}
	for i, h := range d.Heard {
		what := "siren"
		if h.Sound.Horn > h.Sound.Siren {
			what = "horn"
		}
		heard.Message = fmt.Sprintf("%d sounds with no track; latest a %s at %.0f° (odom)", len(d.Heard), what, h.Bearing*180/math.Pi)
		heard.Values = append(heard.Values, diagnostic_msgs.KeyValue{Key: fmt.Sprintf("heard_%d", i),
			Value: fmt.Sprintf("%s p=%.2f bearing_rad=%.3f std_rad=%.3f stamp=%.3f", what, max(h.Sound.Siren, h.Sound.Horn), h.Bearing, math.Sqrt(h.BearingVar), h.Stamp.Seconds())})
	}
	hasMic := len(d.Heard) > 0
	for _, s := range d.Sensors {
		hasMic = hasMic || s.Sensor == perception.Mic
	}
	if hasMic {
		msg.Status = append(msg.Status, heard)
	}
	for _, st := range d.Stages {
		m := "keeping up"
		switch {
		case st.Err != "":
			m = "failing: " + st.Err
		case st.SkippedWindow > 0:
			m = fmt.Sprintf("skipping %d of %d frames", st.SkippedWindow, st.SkippedWindow+st.ProcessedWindow)
		}
		msg.Status = append(msg.Status, diagnostic_msgs.DiagnosticStatus{
			Level: int8(st.Level()), Name: node + ": " + st.Name, Message: m, HardwareId: node,
			Values: []diagnostic_msgs.KeyValue{
				{Key: "detector", Value: st.Detector},
				{Key: "detector_ms_mean", Value: f(st.MeanMs)},
				{Key: "detector_ms_max", Value: f(st.MaxMs)},
				{Key: "processed_window", Value: strconv.Itoa(st.ProcessedWindow)},
				{Key: "skipped_window", Value: strconv.Itoa(st.SkippedWindow)},
				{Key: "frames_total", Value: strconv.FormatUint(st.FramesTotal, 10)},
				{Key: "skipped_total", Value: strconv.FormatUint(st.SkippedTotal, 10)},
			},
		})
	}
	for _, s := range d.Sensors {
		lvl, m := fusion.LevelOK, "ok"
		switch {
		case s.Silent:
			lvl, m = fusion.LevelError, "silent"
		case s.DroppedLateWindow > 0:
			lvl, m = fusion.LevelWarn, "late scans dropped"
		}
		msg.Status = append(msg.Status, diagnostic_msgs.DiagnosticStatus{
			Level: int8(lvl), Name: node + ": " + s.Sensor.String(), Message: m, HardwareId: node,
			Values: []diagnostic_msgs.KeyValue{
				{Key: "rate_hz", Value: f(s.RateHz)},
				{Key: "newest_capture_age_ms", Value: f(s.AgeMs)},
				{Key: "queued_scans", Value: strconv.Itoa(s.Queued)},
				{Key: "dropped_late", Value: strconv.FormatUint(s.DroppedLate, 10)},
			},
		})
	}
	for i := range d.Inputs {
		msg.Status = append(msg.Status, inputStatus(&d.Inputs[i], node))
	}
	return msg
}

// fusionStatus reports the fusion loop: its rate, deadline and budget
// misses, latency and cycle time, tracks, queued scans, dropped inputs
// and filter failures.
func fusionStatus(d *fusion.Diagnostics, node string) diagnostic_msgs.DiagnosticStatus {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	level := d.Level()
	message := "fusing"
	switch level {
	case fusion.LevelError:
		message = "deadline misses, a silent sensor or a lost device"
	case fusion.LevelWarn:
		message = "deadline missed"
	}
	return diagnostic_msgs.DiagnosticStatus{
		Level: int8(level), Name: node + ": fusion", Message: message, HardwareId: node,
		Values: []diagnostic_msgs.KeyValue{
			{Key: "cycle_rate_hz", Value: f(d.CycleHz)},
			{Key: "cycles", Value: strconv.Itoa(d.Cycles)},
			{Key: "deadline_misses_window", Value: strconv.Itoa(d.DeadlineMisses)},
			{Key: "deadline_misses_total", Value: strconv.Itoa(d.TotalDeadlineMisses)},
			{Key: "latency_budget_misses_window", Value: strconv.Itoa(d.OverBudget)},
			{Key: "latency_budget_misses_total", Value: strconv.Itoa(d.TotalOverBudget)},
			{Key: "latency_p50_ms", Value: f(d.LatencyMs.P50)},
			{Key: "latency_p99_ms", Value: f(d.LatencyMs.P99)},
			{Key: "latency_max_ms", Value: f(d.LatencyMs.Max)},
			{Key: "cycle_p50_ms", Value: f(d.CycleMs.P50)},
			{Key: "cycle_p99_ms", Value: f(d.CycleMs.P99)},
			{Key: "cycle_max_ms", Value: f(d.CycleMs.Max)},
			{Key: "tracks", Value: strconv.Itoa(d.Tracks)},
			{Key: "queued_scans", Value: strconv.Itoa(d.Pending)},
			{Key: "dropped_inputs", Value: strconv.FormatUint(d.DroppedInputs, 10)},
			{Key: "filter_failures", Value: strconv.FormatUint(d.FilterFailures, 10)},
			{Key: "head_fallbacks", Value: strconv.FormatUint(d.HeadFallbacks, 10)},
		},
	}
}

// inputStatus reports what became of one input topic's messages: WARN
// when any was refused or had its stamp repaired.
func inputStatus(in *fusion.InputHealth, node string) diagnostic_msgs.DiagnosticStatus {
	lvl, m := fusion.LevelOK, "ok"
	refused := uint64(0)
	for _, n := range in.Refused {
		refused += n
	}
	switch {
	case refused > 0:
		lvl, m = fusion.LevelWarn, fmt.Sprintf("%d messages refused", refused)
	case in.RepairedStamps > 0:
		lvl, m = fusion.LevelWarn, "stamps repaired"
	}
	st := diagnostic_msgs.DiagnosticStatus{
		Level: int8(lvl), Name: node + ": input " + in.Topic, Message: m, HardwareId: node,
		Values: []diagnostic_msgs.KeyValue{
			{Key: "fused", Value: strconv.FormatUint(in.Fused, 10)},
			{Key: "repaired_stamps", Value: strconv.FormatUint(in.RepairedStamps, 10)},
			{Key: "assumed_frames", Value: strconv.FormatUint(in.AssumedFrames, 10)},
		},
	}
	reasons := make([]string, 0, len(in.Refused))
	for r := range in.Refused {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons)
	for _, r := range reasons {
		st.Values = append(st.Values, diagnostic_msgs.KeyValue{Key: "refused_" + r, Value: strconv.FormatUint(in.Refused[r], 10)})
	}
	return st
}

// Explain builds the per-track explanation published beside the tracks
// (topics.explain), as a diagnostic_msgs/DiagnosticArray so that the
// standard tools show it: one status per confirmed track, named "track ID
// (class)", with, for each sensor, its hits, the stamp of its last one,
// and how far it moved the log-odds of the track's class and of its
// existence.
func Explain(out *fusion.Output, node string) *diagnostic_msgs.DiagnosticArray {
	msg := &diagnostic_msgs.DiagnosticArray{Header: header(out.Stamp, ""), Status: make([]diagnostic_msgs.DiagnosticStatus, 0, len(out.Tracks))}
	for i := range out.Tracks {
		t := &out.Tracks[i]
		st := diagnostic_msgs.DiagnosticStatus{Level: int8(fusion.LevelOK), Name: fmt.Sprintf("track %d (%s)", t.ID, t.Class), HardwareId: node,
			Message: fmt.Sprintf("%s %.2f, existence %.2f", t.Class, t.ClassProb, t.Existence)}
		for s := perception.Sensor(0); s < perception.NumSensors; s++ {
			if t.Hits[s] == 0 && t.Why[s] == (fusion.SensorEvidence{}) {
				continue
			}
			name := s.String()
			st.Values = append(st.Values,
				diagnostic_msgs.KeyValue{Key: name + "_hits", Value: strconv.FormatUint(uint64(t.Hits[s]), 10)},
				diagnostic_msgs.KeyValue{Key: name + "_last_seen", Value: strconv.FormatFloat(t.LastHit[s].Seconds(), 'f', 3, 64)},
				diagnostic_msgs.KeyValue{Key: name + "_class_logodds", Value: strconv.FormatFloat(t.Why[s].ClassLogOdds, 'f', 2, 64)},
				diagnostic_msgs.KeyValue{Key: name + "_existence_logodds", Value: strconv.FormatFloat(t.Why[s].ExistenceLogOdds, 'f', 2, 64)},
			)
		}
		msg.Status = append(msg.Status, st)
	}
	return msg
}
