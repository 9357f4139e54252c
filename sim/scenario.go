// Package sim is the built-in simulator: it loads scenario files, moves the
// ego vehicle and the actors, and produces what the sensors would report
// (object-level radar and camera detections, stamped at capture) together
// with the ground truth to score the tracker against. The same seed gives
// the same output, bit for bit.
package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// Scenario is a loaded, validated scenario file. Units are in the field
// comments; positions and velocities are in odom at t=0 (or at Appear).
type Scenario struct {
	Name     string
	Duration time.Duration
	Seed     int64
	Ego      EgoMotion
	Radar    *RadarModel  // nil when the scenario has no radar
	Camera   *CameraModel // nil when the scenario has no camera
	Mic      *MicArray    // nil when the scenario has no microphone
	Actors   []Actor
	// GuardRails are static roadside structures the radar sees and the
	// camera's detector does not: not objects, so not in the truth.
	GuardRails []GuardRail
}

// GuardRail is a straight guard rail from From to To (m, odom).
type GuardRail struct {
	From, To [2]float64
}

// EgoMotion is the ego vehicle's constant motion; it starts at the odom
// origin heading along +x.
type EgoMotion struct {
	Speed   float64 // m/s
	YawRate float64 // rad/s
}

// RadarModel is the object-level radar sensor model.
type RadarModel struct {
	RateHz          float64
	FOVDeg          float64
	MaxRangeM       float64
	RangeStdM       float64
	AzimuthStdDeg   float64
	VelocityStdMps  float64
	PDetect         float64
	ClutterPerFrame float64
	Latency         time.Duration // capture to arrival at the node
	// FailAt is when the radar dies and sends nothing more; 0 means never.
	FailAt time.Duration
	// TIConfig names the shipped TI configuration (launch.ShippedTIConfigs)
	// the virtual TI radar runs for this scenario unless the run is given
	// one; "" is the built-in one.
	TIConfig string
}

// CameraModel is the object-level camera sensor model.
type CameraModel struct {
	RateHz    float64
	FOVDeg    float64
	MaxRangeM float64
	PDetect   float64
	BboxStdPx float64
	Latency   time.Duration // capture to arrival at the node
	// FailAt is when the camera dies and sends nothing more; 0 means never.
	FailAt time.Duration
}

// MicArray is the microphone array of the scenario.
type MicArray struct {
	SampleRateHz int
	Channels     int
	SpacingM     float64
}

// Actor is one simulated object.
type Actor struct {
	ID       int
	Class    perception.Class
	Position [2]float64 // m, odom, at Appear
	Velocity [2]float64 // m/s, odom
	Appear   time.Duration
	// Disappear is when the actor leaves the world; 0 means never.
	Disappear time.Duration
	Siren     bool
	// YawRate turns the actor's velocity at a constant rate (rad/s,
	// counter-clockwise): a constant turn rate and velocity motion.
	YawRate float64
}

// The file layout. Pointers tell a missing key from a zero value.
type scenarioFile struct {
	Name     *string      `yaml:"name"`
	Duration *string      `yaml:"duration"`
	Seed     *int64       `yaml:"seed"`
	Ego      *egoFile     `yaml:"ego"`
	Sensors  *sensorsFile `yaml:"sensors"`
	Actors   *[]actorFile `yaml:"actors"`
	// GuardRails is optional.
	GuardRails *[]guardRailFile `yaml:"guard_rails"`
}

type guardRailFile struct {
	From *[]float64 `yaml:"from"`
	To   *[]float64 `yaml:"to"`
}

type egoFile struct {
	Speed   *float64 `yaml:"speed"`
	YawRate *float64 `yaml:"yaw_rate"`
}

type sensorsFile struct {
	Radar  *radarFile  `yaml:"radar"`
	Camera *cameraFile `yaml:"camera"`
	Mic    *micFile    `yaml:"mic"`
}

type radarFile struct {
	RateHz          *float64 `yaml:"rate_hz"`
	FOVDeg          *float64 `yaml:"fov_deg"`
	MaxRangeM       *float64 `yaml:"max_range_m"`
	RangeStdM       *float64 `yaml:"range_std_m"`
	AzimuthStdDeg   *float64 `yaml:"azimuth_std_deg"`
	VelocityStdMps  *float64 `yaml:"velocity_std_mps"`
	PDetect         *float64 `yaml:"p_detect"`
	ClutterPerFrame *float64 `yaml:"clutter_per_frame"`
	Latency         *string  `yaml:"latency"`
	FailAt          *string  `yaml:"fail_at"`
	TIConfig        *string  `yaml:"ti_config"`
}

type cameraFile struct {
	RateHz    *float64 `yaml:"rate_hz"`
	FOVDeg    *float64 `yaml:"fov_deg"`
	MaxRangeM *float64 `yaml:"max_range_m"`
	PDetect   *float64 `yaml:"p_detect"`
	BboxStdPx *float64 `yaml:"bbox_std_px"`
	Latency   *string  `yaml:"latency"`
	FailAt    *string  `yaml:"fail_at"`
}

type micFile struct {
	SampleRateHz *int     `yaml:"sample_rate_hz"`
	Channels     *int     `yaml:"channels"`
	SpacingM     *float64 `yaml:"spacing_m"`
}

type actorFile struct {
	ID        *int       `yaml:"id"`
	Class     *string    `yaml:"class"`
	Position  *[]float64 `yaml:"position"`
	Velocity  *[]float64 `yaml:"velocity"`
	Appear    *string    `yaml:"appear"`
	Disappear *string    `yaml:"disappear"`
	Siren     *bool      `yaml:"siren"`
	YawRate   *float64   `yaml:"yaw_rate"`
}

// TIConfigLines returns the configuration the virtual TI radar runs for
// the scenario: the shipped one its radar names, else the built-in one.
func (sc *Scenario) TIConfigLines() ([]mmwave.ConfigLine, error) {
	if sc.Radar != nil && sc.Radar.TIConfig != "" {
		return launch.ShippedTIConfig(sc.Radar.TIConfig)
	}
	return launch.ReadTIConfig("")
}

// LoadScenario reads and validates a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	s, err := ParseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return s, nil
}

// ParseScenario decodes and validates a scenario. Unknown keys, missing
// required keys and out-of-range values are refused with the field named.
func ParseScenario(data []byte) (*Scenario, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f scenarioFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	v := validator{}
	s := &Scenario{
		Name:     v.str("name", f.Name),
		Duration: v.duration("duration", f.Duration, true),
	}
	if f.Seed == nil {
		v.fail("seed", "missing")
	} else {
		s.Seed = *f.Seed
	}
	if f.Ego == nil {
		v.fail("ego", "missing")
	} else {
		s.Ego.Speed = v.num("ego.speed", f.Ego.Speed, math.Inf(-1))
		s.Ego.YawRate = v.num("ego.yaw_rate", f.Ego.YawRate, math.Inf(-1))
	}
	if f.Sensors == nil {
		v.fail("sensors", "missing")
	} else {
		s.Radar = v.radar(f.Sensors.Radar)
		s.Camera = v.camera(f.Sensors.Camera)
		s.Mic = v.mic(f.Sensors.Mic)
	}
	if f.Actors == nil {
		v.fail("actors", "missing")
	} else {
		ids := map[int]bool{}
		for i, a := range *f.Actors {
			s.Actors = append(s.Actors, v.actor(fmt.Sprintf("actors[%d]", i), a, ids))
		}
	}
	if f.GuardRails != nil {
		for i, g := range *f.GuardRails {
			s.GuardRails = append(s.GuardRails, v.guardRail(fmt.Sprintf("guard_rails[%d]", i), g))
		}
	}
	if v.err != nil {
		return nil, v.err
	}
	return s, nil
}

func (v *validator) guardRail(field string, f guardRailFile) GuardRail {
	g := GuardRail{From: v.vec2(field+".from", f.From), To: v.vec2(field+".to", f.To)}
	if v.err == nil && g.From == g.To {
		v.fail(field+".to", "must differ from from %v", g.From)
	}
	return g
}

// validator keeps the first error and names its field.
type validator struct{ err error }

func (v *validator) fail(field, format string, args ...any) {
	if v.err == nil {
		v.err = fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
	}
}

func (v *validator) str(field string, p *string) string {
	if p == nil || *p == "" {
		v.fail(field, "missing")
		return ""
	}
	return *p
}

// num returns *p, failing when it is missing, not finite or below least.
func (v *validator) num(field string, p *float64, least float64) float64 {
	switch {
	case p == nil:
		v.fail(field, "missing")
		return 0
	case math.IsNaN(*p) || math.IsInf(*p, 0):
		v.fail(field, "must be a finite number, got %g", *p)
	case *p < least:
		v.fail(field, "must be at least %g, got %g", least, *p)
	}
	return *p
}

func (v *validator) positive(field string, p *float64) float64 {
	x := v.num(field, p, 0)
	if p != nil && x == 0 {
		v.fail(field, "must be positive, got 0")
	}
	return x
}

func (v *validator) prob(field string, p *float64) float64 {
	x := v.num(field, p, 0)
	if x > 1 {
		v.fail(field, "must be a probability in [0, 1], got %g", x)
	}
	return x
}

func (v *validator) fov(field string, p *float64) float64 {
	x := v.positive(field, p)
	if x > 360 {
		v.fail(field, "must be at most 360, got %g", x)
	}
	return x
}

func (v *validator) duration(field string, p *string, required bool) time.Duration {
	if p == nil {
		if required {
			v.fail(field, "missing")
		}
		return 0
	}
	d, err := time.ParseDuration(*p)
	switch {
	case err != nil:
		v.fail(field, "not a duration like 30s or 60ms: %q", *p)
	case d < 0:
		v.fail(field, "must not be negative, got %v", d)
	case required && d == 0:
		v.fail(field, "must be positive")
	}
	return d
}

func (v *validator) radar(f *radarFile) *RadarModel {
	if f == nil {
		return nil
	}
	return &RadarModel{
		RateHz:          v.positive("sensors.radar.rate_hz", f.RateHz),
		FOVDeg:          v.fov("sensors.radar.fov_deg", f.FOVDeg),
		MaxRangeM:       v.positive("sensors.radar.max_range_m", f.MaxRangeM),
		RangeStdM:       v.positive("sensors.radar.range_std_m", f.RangeStdM),
		AzimuthStdDeg:   v.positive("sensors.radar.azimuth_std_deg", f.AzimuthStdDeg),
		VelocityStdMps:  v.positive("sensors.radar.velocity_std_mps", f.VelocityStdMps),
		PDetect:         v.prob("sensors.radar.p_detect", f.PDetect),
		ClutterPerFrame: v.num("sensors.radar.clutter_per_frame", f.ClutterPerFrame, 0),
		Latency:         v.duration("sensors.radar.latency", f.Latency, false),
		FailAt:          v.duration("sensors.radar.fail_at", f.FailAt, false),
		TIConfig:        v.tiConfig("sensors.radar.ti_config", f.TIConfig),
	}
}

// tiConfig returns *p, failing when it names no shipped TI configuration
// ("" when absent).
func (v *validator) tiConfig(field string, p *string) string {
	if p == nil {
		return ""
	}
	if !slices.Contains(launch.ShippedTIConfigs(), *p) {
		v.fail(field, "%q is not a shipped TI configuration (want one of %s)", *p, strings.Join(launch.ShippedTIConfigs(), ", "))
	}
	return *p
}

func (v *validator) camera(f *cameraFile) *CameraModel {
	if f == nil {
		return nil
	}
	return &CameraModel{
		RateHz:    v.positive("sensors.camera.rate_hz", f.RateHz),
		FOVDeg:    v.fov("sensors.camera.fov_deg", f.FOVDeg),
		MaxRangeM: v.positive("sensors.camera.max_range_m", f.MaxRangeM),
		PDetect:   v.prob("sensors.camera.p_detect", f.PDetect),
		BboxStdPx: v.positive("sensors.camera.bbox_std_px", f.BboxStdPx),
		Latency:   v.duration("sensors.camera.latency", f.Latency, false),
		FailAt:    v.duration("sensors.camera.fail_at", f.FailAt, false),
	}
}

func (v *validator) mic(f *micFile) *MicArray {
	if f == nil {
		return nil
	}
	m := &MicArray{}
	switch {
	case f.SampleRateHz == nil:
		v.fail("sensors.mic.sample_rate_hz", "missing")
	case *f.SampleRateHz <= 0:
		v.fail("sensors.mic.sample_rate_hz", "must be positive, got %d", *f.SampleRateHz)
	default:
		m.SampleRateHz = *f.SampleRateHz
	}
	switch {
	case f.Channels == nil:
		v.fail("sensors.mic.channels", "missing")
	case *f.Channels < 1:
		v.fail("sensors.mic.channels", "must be at least 1, got %d", *f.Channels)
	default:
		m.Channels = *f.Channels
	}
	m.SpacingM = v.positive("sensors.mic.spacing_m", f.SpacingM)
	return m
}

func (v *validator) actor(field string, f actorFile, ids map[int]bool) Actor {
	a := Actor{}
	if f.ID == nil {
		v.fail(field+".id", "missing")
	} else {
		a.ID = *f.ID
		if ids[a.ID] {
			v.fail(field+".id", "duplicate id %d", a.ID)
		}
		ids[a.ID] = true
	}
	if f.Class == nil {
		v.fail(field+".class", "missing")
	} else if c, err := perception.ParseClass(*f.Class); err != nil {
		v.fail(field+".class", "%v", err)
	} else {
		a.Class = c
	}
	a.Position = v.vec2(field+".position", f.Position)
	a.Velocity = v.vec2(field+".velocity", f.Velocity)
	a.Appear = v.duration(field+".appear", f.Appear, false)
	a.Disappear = v.duration(field+".disappear", f.Disappear, false)
	if a.Disappear != 0 && a.Disappear <= a.Appear {
		v.fail(field+".disappear", "must be after appear (%v), got %v", a.Appear, a.Disappear)
	}
	if f.YawRate != nil {
		a.YawRate = v.num(field+".yaw_rate", f.YawRate, -10)
		if a.YawRate > 10 {
			v.fail(field+".yaw_rate", "must be at most 10 rad/s, got %g", a.YawRate)
		}
	}
	if f.Siren != nil {
		a.Siren = *f.Siren
	}
	return a
}

func (v *validator) vec2(field string, p *[]float64) [2]float64 {
	switch {
	case p == nil:
		v.fail(field, "missing")
	case len(*p) != 2:
		v.fail(field, "want [x, y], got %d numbers", len(*p))
	default:
		for _, x := range *p {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				v.fail(field, "must be finite, got %v", *p)
			}
		}
		return [2]float64{(*p)[0], (*p)[1]}
	}
	return [2]float64{}
}
