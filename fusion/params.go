// Package fusion is the tracker: it consumes detections from every sensor
// in capture-stamp order, keeps one extended Kalman filter per object in the
// odom frame, associates by Mahalanobis gating and optimal assignment, and
// manages track life (tentative → confirmed → deleted) with M-of-N hits and
// an existence probability.
package fusion

import (
	"fmt"
	"math"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
)

// Coverage is what a sensor can see, seen from its mount.
type Coverage struct {
	FOVDeg    float64 `yaml:"fov_deg"`     // full horizontal field of view, degrees
	MaxRangeM float64 `yaml:"max_range_m"` // m
	// PDetect is the probability that an object inside the coverage is
	// detected in one scan; it drives the existence probability.
	PDetect float64 `yaml:"p_detect"`
	// PFalse is the probability that a detection falling in a track's gate
	// is clutter rather than the object (with Params.ClutterDensity the
	// least one, raised where the scan's detections are dense).
	PFalse float64 `yaml:"p_false"`
	// OcclusionBlockage is the share of detections a nearer object takes
	// away from one it hides: 1 for a camera, less for a radar, whose
	// waves reach around and under.
	OcclusionBlockage float64 `yaml:"occlusion_blockage"`
	// StaticBlindMps is, for a sensor whose perception removes static
	// returns, the radial ground speed (m/s) below which it is not expected
	// to see an object; 0 when it sees static objects too.
	StaticBlindMps float64 `yaml:"static_blind_mps"`
	// Fragments is set for a sensor whose detections can be pieces of one
	// object (clustered point clouds): a detection inside a confirmed
	// track's extent then starts no new track, and a moving track takes
	// all its object's pieces (gatherFragments).
	Fragments bool `yaml:"fragments"`
	// MaxRangeRateMps is, for a radar whose range rate is ambiguous, the
	// largest radial speed it tells (its unambiguous velocity, m/s): a
	// faster object's reading wraps around. Tracks then take the alias
	// nearest their prediction, and a reading no track takes starts a
	// tentative track for each alias within max_speed_mps. 0: unambiguous.
	MaxRangeRateMps float64 `yaml:"max_range_rate_mps"`
}

// Contains reports whether a point at azimuth az (rad, from the sensor's
// axis) and range r (m) lies inside the coverage.
func (c Coverage) Contains(az, r float64) bool {
	return r <= c.MaxRangeM && math.Abs(az) <= c.FOVDeg*math.Pi/360
}

// Sees reports whether the odom point (x, y) is inside the coverage of a
// sensor on mount m when the ego state is ego.
func (c Coverage) Sees(ego Ego, m calib.Mount, x, y float64) bool {
	p := ego.SensorPose(m)
	dx, dy := x-p.X, y-p.Y
	return c.Contains(kalman.WrapAngle(math.Atan2(dy, dx)-p.Yaw), math.Hypot(dx, dy))
}

// Params tunes the tracker. Units are in the names.
type Params struct {
	// Clustering is how a clustered radar's point clouds became its
	// detections (WithClusteredRadar): the tracker splits a cluster that
	// holds several tracks' returns by the same rule.
	Clustering radar.Params `yaml:"-"`
	// AccelStdMps2 is the white-acceleration process noise of the
	// constant-velocity model, per axis.
	AccelStdMps2 float64 `yaml:"accel_std_mps2"`
	// GateProbability is the probability mass of the Mahalanobis gate; a
	// detection outside it never associates with the track.
	GateProbability float64 `yaml:"gate_probability"`
	// Association is how radar returns update tracks: "gnn" (each track
	// its one optimally assigned return) or "jpda" (every gated return,
	// weighted by its joint association probability; for heavy clutter).
	Association Association `yaml:"association"`
	// ClassGate is the least class affinity (K·Σ p_track·p_detection: 1
	// when either knows nothing, K when both are sure and agree) a pair
	// needs to associate: a confident "truck" box is not a pedestrian
	// track's detection, however well it fits in position.
	ClassGate float64 `yaml:"class_gate"`
	// ClassWeight scales the class affinity's log-likelihood in a pair's
	// cost (1: as if class beliefs were calibrated). A track's belief
	// fuses many boxes of one object as if they were independent, and a
	// detector's scores are overconfident, so the full weight lets a
	// wrong early class hold boxes on the wrong track.
	ClassWeight float64 `yaml:"class_weight"`
	// ConfirmHits of the last ConfirmWindow scans that saw a tentative
	// track's area must have hit it to confirm it (M-of-N).
	ConfirmHits   int `yaml:"confirm_hits"`
	ConfirmWindow int `yaml:"confirm_window"`
	// ConfirmWindowClustered replaces ConfirmWindow when the radar's
	// detections are clusters of a point cloud (WithClusteredRadar): an
	// object there gives a return in a third of the scans far off, and
	// must still be confirmed (see confirmWindow).
	ConfirmWindowClustered int `yaml:"confirm_window_clustered"`
	// ExistenceConfirm is the existence probability a track needs to be
	// confirmed; ExistenceDelete is the one below which it is deleted.
	ExistenceConfirm float64 `yaml:"existence_confirm"`
	ExistenceDelete  float64 `yaml:"existence_delete"`
	// InitialExistence is the existence probability of a new track.
	InitialExistence float64 `yaml:"initial_existence"`
	// ClutterDensity weighs each hit of a sensor whose detections are
	// whole objects (object-level radar, camera) by the scan's density of
	// detections where it lies against how well it fits the track
	// (falseShare), instead of by p_false alone: for a radar reporting
	// heavy clutter (spray, fog, roadside metal).
	ClutterDensity bool `yaml:"clutter_density"`
	// SparseStatic lets a clustered radar's static cluster too small to
	// start a track (min_points_static) start one when the scan's static
	// clutter is sparse enough that its returns are unlikely to have
	// fallen together by chance (promoteSparseStatic).
	SparseStatic bool `yaml:"sparse_static"`
	// CameraBeside lets a camera box start a track where a clustered
	// radar covers it when it lies beside another box on one track's line
	// of sight, the two images apart: objects side by side that the
	// radar's clusterer merged (besideAnotherBox).
	CameraBeside bool `yaml:"camera_beside"`
	// PiecesTentative keeps a clustered radar's tentative track inside
	// the footprint of a confirmed track that moves as it does from being
	// confirmed: a piece of that object (pieceOfConfirmed).
	PiecesTentative bool `yaml:"pieces_tentative"`
	// StaticMap learns where the radar's static returns persist scan
	// after scan, and holds back a static track no camera confirmed
	// where they stretch further than any vehicle: a guard rail or a
	// wall, not an object (staticMap).
	StaticMap bool `yaml:"static_map"`
	// PublishMaxStdM holds back a confirmed track whose position is less
	// certain than this (standard deviation along its worst direction, m):
	// a monocular camera alone knows the bearing of a far object, not
	// where it is.
	PublishMaxStdM float64 `yaml:"publish_max_std_m"`
	// PublishExistence is the existence probability a learned fusion head
	// must give a track for it to be published.
	PublishExistence float64 `yaml:"publish_existence"`
	// MaxCoast is how long a confirmed track survives without any hit.
	MaxCoast time.Duration `yaml:"max_coast"`
	// MaxTracks caps the live tracks; spawning stops at the cap.
	MaxTracks int `yaml:"max_tracks"`
	// ReidentifyWindow is how long a deleted confirmed track's id waits
	// for its object to come back: a track confirmed within it where the
	// lost one would now be takes the old id (0: never).
	ReidentifyWindow time.Duration `yaml:"reidentify_window"`
	// Motion names, per class, the motion model of a track whose most
	// likely class it is.
	Motion MotionByClass `yaml:"motion"`
	// IMM tunes the interacting multiple model.
	IMM IMMParams `yaml:"imm"`
	// SpawnSpeedStdMps is the velocity uncertainty of a new track along
	// directions its first detection did not measure.
	SpawnSpeedStdMps float64 `yaml:"spawn_speed_std_mps"`
	// MaxSpeedMps is the fastest an object moves over the ground: an
	// ambiguous radar reading (Coverage.MaxRangeRateMps) starts a track
	// for each alias of its range rate no faster than this.
	MaxSpeedMps float64 `yaml:"max_speed_mps"`
	// Radar and Camera describe each sensor's coverage and reliability.
	Radar  Coverage `yaml:"radar"`
	Camera Coverage `yaml:"camera"`
}

// Association is how radar returns update tracks.
type Association string

// Association methods.
const (
	// GNN updates each track with its one optimally assigned return.
	GNN Association = "gnn"
	// JPDA updates each track with every gated return, weighed by its
	// association probability.
	JPDA Association = "jpda"
)

// Valid refuses a name that is no association method.
func (a Association) Valid() error {
	if a != GNN && a != JPDA {
		return fmt.Errorf("want %s or %s, got %q", GNN, JPDA, string(a))
	}
	return nil
}

// MotionModel is a track's motion model.
type MotionModel string

// Motion models.
const (
	// CV is constant velocity, by an extended Kalman filter.
	CV MotionModel = "cv"
	// IMM is constant velocity and constant turn unscented filters,
	// interacting.
	IMM MotionModel = "imm"
)

// Valid refuses a name that is no motion model.
func (m MotionModel) Valid() error {
	if m != CV && m != IMM {
		return fmt.Errorf("want %s or %s, got %q", CV, IMM, string(m))
	}
	return nil
}

// MotionByClass names a motion model per class.
type MotionByClass struct {
	Unknown          MotionModel `yaml:"unknown"`
	Car              MotionModel `yaml:"car"`
	Truck            MotionModel `yaml:"truck"`
	Pedestrian       MotionModel `yaml:"pedestrian"`
	Cyclist          MotionModel `yaml:"cyclist"`
	EmergencyVehicle MotionModel `yaml:"emergency_vehicle"`
}

// For returns the model named for class c.
func (m *MotionByClass) For(c perception.Class) MotionModel {
	return [perception.NumClasses]MotionModel{m.Unknown, m.Car, m.Truck, m.Pedestrian, m.Cyclist, m.EmergencyVehicle}[c]
}

// IMMParams tunes the interacting multiple model (the acceleration noise
// of both its modes is AccelStdMps2).
type IMMParams struct {
	// SwitchPerS is how often an object changes between driving straight
	// and turning, per second.
	SwitchPerS float64 `yaml:"switch_per_s"`
	// TurnAccelStdRadps2 is the random turn acceleration of the turning
	// mode.
	TurnAccelStdRadps2 float64 `yaml:"turn_accel_std_radps2"`
	// HeadingRateStdRadps is the random heading rate of the straight mode
	// (lane changes, drift).
	HeadingRateStdRadps float64 `yaml:"heading_rate_std_radps"`
	// TurnRateStdRadps is the turn-rate uncertainty when a track switches
	// to the IMM.
	TurnRateStdRadps float64 `yaml:"turn_rate_std_radps"`
}

// DefaultParams returns parameters that suit the shipped scenarios.
func DefaultParams() Params {
	return Params{
		AccelStdMps2:           2.0,
		GateProbability:        0.999,
		ClassGate:              0.2,
		ClassWeight:            0.25,
		Association:            GNN,
		ConfirmHits:            4,
		ConfirmWindow:          6,
		ConfirmWindowClustered: 12,
		ExistenceConfirm:       0.9,
		ExistenceDelete:        0.05,
		InitialExistence:       0.3,
		SparseStatic:           true,
		CameraBeside:           true,
		PiecesTentative:        true,
		StaticMap:              true,
		MaxCoast:               1500 * time.Millisecond,
		PublishMaxStdM:         2,
		PublishExistence:       0.5,
		MaxTracks:              1000,
		ReidentifyWindow:       3 * time.Second,
		SpawnSpeedStdMps:       10,
		MaxSpeedMps:            50,
		Motion: MotionByClass{Unknown: CV, Car: IMM, Truck: IMM, Pedestrian: CV, Cyclist: IMM,
			EmergencyVehicle: IMM},
		IMM:    IMMParams{SwitchPerS: 0.5, TurnAccelStdRadps2: 0.3, HeadingRateStdRadps: 0.05, TurnRateStdRadps: 0.3},
		Radar:  Coverage{FOVDeg: 120, MaxRangeM: 80, PDetect: 0.9, PFalse: 0.2, OcclusionBlockage: 0.5},
		Camera: Coverage{FOVDeg: 90, MaxRangeM: 60, PDetect: 0.9, PFalse: 0.05, OcclusionBlockage: 1},
	}
}

// WithClusteredRadar returns p for a radar whose detections are clusters
// of a point cloud: the clustering reports isolated static returns as
// support only, so the radar is not expected to see (or start a track on)
// what moves radially slower than staticToleranceMps, and a cluster can
// be a fragment of a larger object. maxVelocityMps is the radar's
// unambiguous velocity (0: its Doppler does not wrap).
func (p Params) WithClusteredRadar(c radar.Params) Params {
	p.Radar.StaticBlindMps = math.Max(p.Radar.StaticBlindMps, c.StaticToleranceMps)
	p.Radar.Fragments = true
	if c.MaxVelocityMps > 0 {
		p.Radar.MaxRangeRateMps = c.MaxVelocityMps
	}
	p.Clustering = c
	return p
}

// confirmWindow is the N of the M-of-N rule that confirms tentative
// tracks: ConfirmWindowClustered for a clustered radar, whose objects
// far off return in fewer scans (docs/tracker.md), else ConfirmWindow.
func (p *Params) confirmWindow() int {
	if p.Radar.Fragments {
		return p.ConfirmWindowClustered
	}
	return p.ConfirmWindow
}

// Coverage returns the coverage of sensor s.
func (p *Params) Coverage(s perception.Sensor) Coverage {
	if s == perception.Camera {
		return p.Camera
	}
	return p.Radar
}

// Validate reports the first unusable field by its YAML name.
func (p *Params) Validate() error {
	prob := func(name string, v float64, open bool) error {
		if !(v >= 0 && v <= 1) || (open && (v == 0 || v == 1)) {
			return fmt.Errorf("%s: must be a probability in (0, 1), got %g", name, v)
		}
		return nil
	}
	checks := []error{
		positive("accel_std_mps2", p.AccelStdMps2),
		prob("gate_probability", p.GateProbability, true),
		prob("existence_confirm", p.ExistenceConfirm, true),
		prob("existence_delete", p.ExistenceDelete, true),
		prob("initial_existence", p.InitialExistence, true),
		prob("publish_existence", p.PublishExistence, true),
		positive("spawn_speed_std_mps", p.SpawnSpeedStdMps),
		positive("max_speed_mps", p.MaxSpeedMps),
		positive("publish_max_std_m", p.PublishMaxStdM),
		prob("class_gate", p.ClassGate/float64(perception.NumClasses), false),
		prob("class_weight", p.ClassWeight, false),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	for _, w := range []struct {
		name string
		n    int
	}{{"confirm_window", p.ConfirmWindow}, {"confirm_window_clustered", p.ConfirmWindowClustered}} {
		switch {
		case w.n < 1:
			return fmt.Errorf("%s: must be at least 1, got %d", w.name, w.n)
		case w.n > 32:
			return fmt.Errorf("%s: at most 32 scans are remembered, got %d", w.name, w.n)
		case p.ConfirmHits < 1 || p.ConfirmHits > w.n:
			return fmt.Errorf("confirm_hits: must be in [1, %s=%d], got %d", w.name, w.n, p.ConfirmHits)
		}
	}
	switch {
	case p.ExistenceDelete >= p.ExistenceConfirm:
		return fmt.Errorf("existence_delete: must be below existence_confirm (%g), got %g", p.ExistenceConfirm, p.ExistenceDelete)
	case p.MaxCoast <= 0:
		return fmt.Errorf("max_coast: must be positive, got %v", p.MaxCoast)
	case p.MaxTracks < 1:
		return fmt.Errorf("max_tracks: must be at least 1, got %d", p.MaxTracks)
	case p.ReidentifyWindow < 0:
		return fmt.Errorf("reidentify_window: must not be negative, got %v", p.ReidentifyWindow)
	}
	if err := p.Association.Valid(); err != nil {
		return fmt.Errorf("association: %w", err)
	}
	for c := perception.Class(0); c < perception.NumClasses; c++ {
		if err := p.Motion.For(c).Valid(); err != nil {
			return fmt.Errorf("motion.%s: %w", c, err)
		}
	}
	for _, c := range []error{
		positive("imm.switch_per_s", p.IMM.SwitchPerS),
		positive("imm.turn_accel_std_radps2", p.IMM.TurnAccelStdRadps2),
		positive("imm.heading_rate_std_radps", p.IMM.HeadingRateStdRadps),
		positive("imm.turn_rate_std_radps", p.IMM.TurnRateStdRadps),
	} {
		if c != nil {
			return c
		}
	}
	for _, s := range []struct {
		name string
		c    Coverage
	}{{"radar", p.Radar}, {"camera", p.Camera}} {
		if err := s.c.validate(); err != nil {
			return fmt.Errorf("%s.%w", s.name, err)
		}
	}
	return nil
}

func (c Coverage) validate() error {
	switch {
	case !(c.FOVDeg > 0 && c.FOVDeg <= 360):
		return fmt.Errorf("fov_deg: must be in (0, 360], got %g", c.FOVDeg)
	case !(c.MaxRangeM > 0):
		return fmt.Errorf("max_range_m: must be positive, got %g", c.MaxRangeM)
	case !(c.PDetect > 0 && c.PDetect < 1):
		return fmt.Errorf("p_detect: must be in (0, 1), got %g", c.PDetect)
	case !(c.PFalse > 0 && c.PFalse < 1):
		return fmt.Errorf("p_false: must be in (0, 1), got %g", c.PFalse)
	case c.StaticBlindMps < 0:
		return fmt.Errorf("static_blind_mps: must not be negative, got %g", c.StaticBlindMps)
	case !(c.MaxRangeRateMps >= 0) || math.IsInf(c.MaxRangeRateMps, 0):
		return fmt.Errorf("max_range_rate_mps: must be 0 (unambiguous) or positive, got %g", c.MaxRangeRateMps)
	case !(c.OcclusionBlockage >= 0 && c.OcclusionBlockage <= 1):
		return fmt.Errorf("occlusion_blockage: must be in [0, 1], got %g", c.OcclusionBlockage)
	}
	return nil
}

func positive(name string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: must be positive, got %g", name, v)
	}
	return nil
}

// kalmanIMM is p's IMM in the filter's terms.
func (p *Params) kalmanIMM() kalman.IMMParams {
	return kalman.IMMParams{
		Straight:    kalman.ConstantVelocity{AccelStd: p.AccelStdMps2, HeadingRateStd: p.IMM.HeadingRateStdRadps},
		Turn:        kalman.ConstantTurn{AccelStd: p.AccelStdMps2, TurnAccelStd: p.IMM.TurnAccelStdRadps2},
		SwitchRate:  p.IMM.SwitchPerS,
		TurnRateStd: p.IMM.TurnRateStdRadps,
	}
}
