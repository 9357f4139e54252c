package mmwavesim

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avfusion/avfusion/internal/tier"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

const shippedConfig = "../../launch/ti/xwr68xx_20hz.cfg"

func startEmulator(t *testing.T, baud int) (*Emulator, *mmwave.Dev) {
	t.Helper()
	e, err := New(baud)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	cli, err := mmwave.OpenSerial(e.CLIPath(), mmwave.CLIBaud, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	data, err := mmwave.OpenSerial(e.DataPath(), mmwave.DataBaud, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = data.Close() })
	opts := mmwave.DefaultDevOpts()
	opts.CommandTimeout = time.Second
	dev, err := mmwave.New(cli, data, &opts)
	if err != nil {
		t.Fatal(err)
	}
	return e, dev
}

func readConfig(t *testing.T, text string) []mmwave.ConfigLine {
	t.Helper()
	lines, err := mmwave.ReadConfig(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestConfigureOverSerial uploads each shipped .cfg through real serial
// I/O (tarm/serial on a pseudo-terminal) to the emulated firmware, the
// lines numbered as in the file (its comments skipped).
func TestConfigureOverSerial(t *testing.T) {
	tier.Integration(t)
	files, err := filepath.Glob("../../launch/ti/*.cfg")
	if err != nil || len(files) < 3 {
		t.Fatalf("shipped configurations %v (%v)", files, err)
	}
	for _, file := range files {
		e, dev := startEmulator(t, 0)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := mmwave.ReadConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		comments := 0
		for _, l := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(l, "%") {
				break
			}
			comments++
		}
		if lines[0].Command != "sensorStop" || lines[len(lines)-1].Command != "sensorStart" || lines[0].Number != comments+1 {
			t.Fatalf("%s: config lines %v after %d comment lines", file, lines[:2], comments)
		}
		if err := dev.Configure(context.Background(), lines); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !e.Running() || e.FramePeriod() != 50*time.Millisecond {
			t.Fatalf("%s: running %v period %v after upload", file, e.Running(), e.FramePeriod())
		}
	}
}

func TestConfigureReportsFirstFailingLine(t *testing.T) {
	tier.Integration(t)
	_, dev := startEmulator(t, 0)
	lines := readConfig(t, "sensorStop\n% comment\nflushCfg\nnoSuchCommand 1 2\nsensorStart\n")
	err := dev.Configure(context.Background(), lines)
	var ce *mmwave.ConfigError
	if !errors.As(err, &ce) || ce.Line.Number != 4 || ce.Timeout || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("got %v", err)
	}
	lines = readConfig(t, "frameCfg 0 2 16 0 50\n")
	if err := dev.Configure(context.Background(), lines); !errors.As(err, &ce) || ce.Line.Number != 1 || !strings.Contains(ce.Response, "Error") {
		t.Fatalf("wrong argument count: %v", err)
	}
}

func TestConfigureTimesOutOnSilentPort(t *testing.T) {
	tier.Integration(t)
	e, err := New(0)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close() //nolint:errcheck // test cleanup
	// The data port never answers CLI commands: a silent radar.
	silent, err := mmwave.OpenSerial(e.DataPath(), mmwave.CLIBaud, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close() //nolint:errcheck // test cleanup
	err = mmwave.Configure(context.Background(), silent, readConfig(t, "\n\nsensorStop\n"), 300*time.Millisecond)
	var ce *mmwave.ConfigError
	if !errors.As(err, &ce) || !ce.Timeout || ce.Line.Number != 3 {
		t.Fatalf("got %v", err)
	}
}
