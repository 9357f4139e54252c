package launch

import (
	"strings"
	"testing"
	"time"

	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

func TestBuiltinTIConfigMatchesTheShippedFile(t *testing.T) {
	builtin, err := ReadTIConfig("")
	if err != nil {
		t.Fatal(err)
	}
	file, err := ReadTIConfig("ti/xwr68xx_medium_range.cfg")
	if err != nil {
		t.Fatal(err)
	}
	if len(builtin) != len(file) || builtin[0].Command != "sensorStop" || builtin[len(builtin)-1].Command != "sensorStart" {
		t.Fatalf("built-in %d lines (first %q, last %q), file %d", len(builtin), builtin[0].Command, builtin[len(builtin)-1].Command, len(file))
	}
	for i := range file {
		if builtin[i] != file[i] {
			t.Fatalf("line %d: built-in %+v, file %+v", i, builtin[i], file[i])
		}
	}
	if _, err := ReadTIConfig("ti/missing.cfg"); err == nil || !strings.Contains(err.Error(), "ti/missing.cfg") {
		t.Fatalf("a missing file: %v", err)
	}
}

// TestShippedTIConfigsAreInTheBinary: each shipped .cfg reads the same
// from the binary as from its file; another name is refused with the
// list.
func TestShippedTIConfigsAreInTheBinary(t *testing.T) {
	names := ShippedTIConfigs()
	if len(names) != 3 {
		t.Fatalf("shipped %v", names)
	}
	for _, n := range names {
		embedded, err := ShippedTIConfig(n)
		if err != nil {
			t.Fatal(err)
		}
		file, err := ReadTIConfig("ti/" + n)
		if err != nil || len(file) != len(embedded) || file[0] != embedded[0] {
			t.Fatalf("%s: %d lines embedded, %d in the file (%v)", n, len(embedded), len(file), err)
		}
	}
	if _, err := ShippedTIConfig("ti/awr1843_long_range.cfg"); err == nil || !strings.Contains(err.Error(), "awr1843_long_range.cfg, xwr68xx_20hz.cfg") {
		t.Fatalf("a path for a name: %v", err)
	}
}

// TestShippedRadarConfigurationsSeeWhatTheyPromise: the limits each
// shipped configuration's chirps give (mmwave.DeriveLimits) are those its
// name and comment promise.
func TestShippedRadarConfigurationsSeeWhatTheyPromise(t *testing.T) {
	for _, c := range []struct {
		file               string
		minRange, maxRange float64 // m
		minVelocity        float64 // m/s, unambiguous
	}{
		{"ti/xwr68xx_20hz.cfg", 8, 10, 3.9},
		{"ti/xwr68xx_medium_range.cfg", 80, 90, 30},
		{"ti/awr1843_long_range.cfg", 150, 170, 25},
	} {
		lines, err := ReadTIConfig(c.file)
		if err != nil {
			t.Fatal(err)
		}
		l, err := mmwave.DeriveLimits(lines)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if l.MaxRangeM < c.minRange || l.MaxRangeM > c.maxRange || l.MaxVelocityMps < c.minVelocity || l.FramePeriod != 50*time.Millisecond {
			t.Errorf("%s: %v", c.file, l)
		}
	}
}
