package mmwave

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Limits is what a chirp configuration lets the radar see, derived from
// its channelCfg, adcCfg, profileCfg, chirpCfg, frameCfg and
// extendedMaxVelocity commands by the formulas of TI's mmWave sensing
// estimator: the wavelength of the start frequency; a usable beat
// frequency of 80 % of the ADC's rate (of half of it for real sampling);
// the chirps of one loop sent one after another (TDM MIMO).
type Limits struct {
	StartGHz float64
	// RangeResolutionM is c / 2B, B the bandwidth swept while the ADC
	// samples; MaxRangeM the range whose beat frequency is the usable
	// maximum.
	RangeResolutionM float64
	MaxRangeM        float64
	// MaxVelocityMps is the largest radial speed told without ambiguity
	// (λ / 4 T_loop; twice that with extendedMaxVelocity): a faster
	// object's Doppler wraps around into ±MaxVelocityMps.
	// VelocityResolutionMps is one Doppler bin (λ / 2 T_loop N_loops).
	MaxVelocityMps        float64
	VelocityResolutionMps float64
	ExtendedVelocity      bool
	// AzimuthAntennas is the virtual array in azimuth (azimuth
	// transmitters × receivers; on TI's EVMs TX1 is the elevation one),
	// AzimuthResolutionDeg its resolution at boresight (2/N radians).
	AzimuthAntennas      int
	AzimuthResolutionDeg float64
	FramePeriod          time.Duration
}

// String is a one-line summary for logs and warnings.
func (l Limits) String() string {
	v := fmt.Sprintf("±%.1f m/s", l.MaxVelocityMps)
	if l.ExtendedVelocity {
		v += " (extended)"
	}
	return fmt.Sprintf("%.0f GHz, range %.1f m at %.3f m, velocity %s at %.2f m/s, azimuth %.0f° resolution (%d virtual antennas), frame %v",
		l.StartGHz, l.MaxRangeM, l.RangeResolutionM, v, l.VelocityResolutionMps, l.AzimuthResolutionDeg, l.AzimuthAntennas, l.FramePeriod)
}

const speedOfLight = 299792458.0 // m/s

// cfgCommand is one parsed command: its numeric arguments and its line.
type cfgCommand struct {
	line ConfigLine
	args []float64
}

// arg returns argument i, naming the command and line when it is missing.
func (c cfgCommand) arg(i int) (float64, error) {
	if i >= len(c.args) {
		return 0, fmt.Errorf("mmwave: config line %d %q: argument %d missing", c.line.Number, c.line.Command, i+1)
	}
	return c.args[i], nil
}

// DeriveLimits works out a configuration's limits (see Limits). The frame
// uses the profile of its first chirp; every chirp of a loop is assumed
// to use it. It fails naming the command that is missing or malformed.
func DeriveLimits(lines []ConfigLine) (Limits, error) {
	cmds, err := parseCommands(lines)
	if err != nil {
		return Limits{}, err
	}
	need := func(name string) (cfgCommand, error) {
		c, ok := cmds[name]
		if !ok {
			return c, fmt.Errorf("mmwave: config has no %s command", name)
		}
		return c, nil
	}
	var l Limits
	channel, err := need("channelCfg")
	if err != nil {
		return l, err
	}
	profile, err := need("profileCfg")
	if err != nil {
		return l, err
	}
	frame, err := need("frameCfg")
	if err != nil {
		return l, err
	}
	p, err := args(profile, 14)
	if err != nil {
		return l, err
	}
	f, err := args(frame, 5)
	if err != nil {
		return l, err
	}
	ch, err := args(channel, 2)
	if err != nil {
		return l, err
	}
	startGHz, idleUs, rampEndUs, slopeMHzUs, samples, ksps := p[1], p[2], p[4], p[7], p[9], p[10]
	if !(startGHz > 0 && idleUs >= 0 && rampEndUs > 0 && slopeMHzUs > 0 && samples > 0 && ksps > 0) {
		return l, fmt.Errorf("mmwave: config line %d %q: start frequency, ramp end, slope, samples and sample rate must be positive", profile.line.Number, profile.line.Command)
	}
	chirpsPerLoop, loops := f[1]-f[0]+1, f[2]
	if !(chirpsPerLoop >= 1 && loops >= 1) {
		return l, fmt.Errorf("mmwave: config line %d %q: chirps %g..%g in %g loops", frame.line.Number, frame.line.Command, f[0], f[1], f[2])
	}
	usable := 0.8
	if c, ok := cmds["adcCfg"]; ok && len(c.args) >= 2 && c.args[1] == 0 {
		usable /= 2 // real sampling: the band ends at half the rate
	}
	lambda := speedOfLight / (startGHz * 1e9)
	slope := slopeMHzUs * 1e12 // Hz/s
	sampling := samples / (ksps * 1e3)
	loop := chirpsPerLoop * (idleUs + rampEndUs) * 1e-6
	l.StartGHz = startGHz
	l.RangeResolutionM = speedOfLight / (2 * slope * sampling)
	l.MaxRangeM = usable * ksps * 1e3 * speedOfLight / (2 * slope)
	l.MaxVelocityMps = lambda / (4 * loop)
	l.VelocityResolutionMps = lambda / (2 * loop * loops)
	if c, ok := cmds["extendedMaxVelocity"]; ok && len(c.args) >= 2 && c.args[1] == 1 {
		l.ExtendedVelocity = true
		l.MaxVelocityMps *= 2
	}
	rx, tx := uint(ch[0]), uint(ch[1])
	l.AzimuthAntennas = bits.OnesCount(rx&0xf) * bits.OnesCount(tx&0b101)
	if l.AzimuthAntennas > 0 {
		l.AzimuthResolutionDeg = 2 / float64(l.AzimuthAntennas) * 180 / math.Pi
	}
	l.FramePeriod = time.Duration(f[4] * float64(time.Millisecond))
	return l, nil
}

// args returns a command's first n arguments, or an error naming it.
func args(c cfgCommand, n int) ([]float64, error) {
	if _, err := c.arg(n - 1); err != nil {
		return nil, err
	}
	return c.args[:n], nil
}

// limitCommands are the commands the limits follow from.
var limitCommands = map[string]bool{"channelCfg": true, "adcCfg": true, "profileCfg": true, "frameCfg": true, "extendedMaxVelocity": true}

// parseCommands keeps the last of each of limitCommands (the radar
// applies them in order) with its numeric arguments.
func parseCommands(lines []ConfigLine) (map[string]cfgCommand, error) {
	cmds := map[string]cfgCommand{}
	for _, l := range lines {
		fields := strings.Fields(l.Command)
		if len(fields) == 0 || !limitCommands[fields[0]] {
			continue
		}
		c := cfgCommand{line: l}
		for _, f := range fields[1:] {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, fmt.Errorf("mmwave: config line %d %q: %q is not a number", l.Number, l.Command, f)
			}
			c.args = append(c.args, v)
		}
		cmds[fields[0]] = c
	}
	return cmds, nil
}
