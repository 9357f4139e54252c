package mmwave

import (
	"math"
	"strings"
	"testing"
	"time"
)

func configLines(cmds ...string) []ConfigLine {
	lines := make([]ConfigLine, len(cmds))
	for i, c := range cmds {
		lines[i] = ConfigLine{Number: i + 1, Command: c}
	}
	return lines
}

// TestLimitsOfTIsWorkedExample: the profile TI's out-of-box demo for the
// xWR68xx documents with its sensing estimator's numbers (60 GHz, 166
// MHz/µs, 256 samples at 12.5 Msps, two TDM transmitters, 32 loops): max
// range 9.04 m, range resolution 0.044 m, velocity ±20.16 m/s (40.32
// extended) at 1.26 m/s.
func TestLimitsOfTIsWorkedExample(t *testing.T) {
	lines := configLines("channelCfg 15 5 0", "adcCfg 2 1", "profileCfg 0 60 7 3 24 0 0 166 1 256 12500 0 0 30",
		"chirpCfg 0 0 0 0 0 0 0 1", "chirpCfg 1 1 0 0 0 0 0 4", "frameCfg 0 1 32 0 100 1 0")
	l, err := DeriveLimits(lines)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"max range", l.MaxRangeM, 9.04}, {"range resolution", l.RangeResolutionM, 0.0441}, {"max velocity", l.MaxVelocityMps, 20.16},
		{"velocity resolution", l.VelocityResolutionMps, 1.26}, {"azimuth resolution", l.AzimuthResolutionDeg, 14.3}} {
		if math.Abs(c.got-c.want) > 0.005*c.want {
			t.Errorf("%s %.4g, want %.4g", c.name, c.got, c.want)
		}
	}
	if l.AzimuthAntennas != 8 || l.FramePeriod != 100*time.Millisecond || l.ExtendedVelocity {
		t.Errorf("%+v", l)
	}
	ext, err := DeriveLimits(append(lines, ConfigLine{Number: 9, Command: "extendedMaxVelocity -1 1"}))
	if err != nil || math.Abs(ext.MaxVelocityMps-2*l.MaxVelocityMps) > 1e-9 || !ext.ExtendedVelocity {
		t.Errorf("extended: %+v %v", ext, err)
	}
	// Real sampling halves the band, and so the range.
	halfBand, err := DeriveLimits(append(lines, ConfigLine{Number: 9, Command: "adcCfg 2 0"}))
	if err != nil || math.Abs(halfBand.MaxRangeM-l.MaxRangeM/2) > 1e-9 {
		t.Errorf("real sampling: %+v %v", halfBand, err)
	}
}

func TestLimitsNameWhatIsWrong(t *testing.T) {
	for _, c := range []struct {
		lines []ConfigLine
		want  string
	}{
		{configLines("channelCfg 15 5 0", "frameCfg 0 1 32 0 100 1 0"), "no profileCfg"},
		{configLines("channelCfg 15 5 0", "profileCfg 0 60 7 3 24 0 0 166 1 256", "frameCfg 0 1 32 0 100 1 0"), `line 2 "profileCfg 0 60 7 3 24 0 0 166 1 256": argument 14 missing`},
		{configLines("channelCfg 15 5 x", "profileCfg 0 60 7 3 24 0 0 166 1 256 12500 0 0 30", "frameCfg 0 1 32 0 100 1 0"), `line 1 "channelCfg 15 5 x": "x" is not a number`},
		{configLines("channelCfg 15 5 0", "profileCfg 0 60 7 3 24 0 0 0 1 256 12500 0 0 30", "frameCfg 0 1 32 0 100 1 0"), "line 2"},
		{configLines("channelCfg 15 5 0", "profileCfg 0 60 7 3 24 0 0 166 1 256 12500 0 0 30", "frameCfg 2 1 32 0 100 1 0"), "line 3"},
	} {
		if _, err := DeriveLimits(c.lines); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.lines, err, c.want)
		}
	}
}
