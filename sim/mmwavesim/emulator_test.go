package mmwavesim

import (
	"context"
	"errors"
	"os"
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

// TestConfigureOverSerial uploads the shipped .cfg through real serial I/O
// (tarm/serial on a pseudo-terminal) to the emulated firmware.
func TestConfigureOverSerial(t *testing.T) {
	tier.Integration(t)
	e, dev := startEmulator(t, 0)
	f, err := os.Open(shippedConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // read-only
	lines, err := mmwave.ReadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if lines[0].Command != "sensorStop" || lines[len(lines)-1].Command != "sensorStart" || lines[0].Number != 6 {
		t.Fatalf("config lines %v", lines[:2])
	}
	if err := dev.Configure(context.Background(), lines); err != nil {
		t.Fatal(err)
	}
	if !e.Running() || e.FramePeriod() != 50*time.Millisecond {
		t.Fatalf("running %v period %v after upload", e.Running(), e.FramePeriod())
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
