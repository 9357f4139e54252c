package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/goroslib/v2"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/diagnostic_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"

	"github.com/avfusion/avfusion/ros/rostest"
)

// TestArm64NodeUnderQemu is the hardware-in-the-loop test for embedded
// boards: the linux/arm64 build (CGO_ENABLED=0, as `make cross` makes it)
// runs under qemu user emulation against the pseudo-terminal radar
// emulator and a real roscore, and must publish obstacles at the output
// rate without missing deadlines, with the short-range chirp's ±4 m/s
// Doppler ambiguity taken from its configuration.
func TestArm64NodeUnderQemu(t *testing.T) {
	qemu, err := exec.LookPath("qemu-aarch64")
	if err != nil {
		t.Fatal("qemu-aarch64 not found: install Debian's qemu-user (make test does)")
	}
	armBin := filepath.Join(t.TempDir(), "avfusion-arm64")
	build := exec.Command("go", "build", "-o", armBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cross build: %v\n%s", err, out)
	}
	// Without cgo the camera is compiled out, and the binary says so.
	if out, err := exec.Command(qemu, armBin, "version").CombinedOutput(); err != nil || !strings.Contains(string(out), "camera: compiled out (built with CGO_ENABLED=0)") {
		t.Fatalf("version under qemu: %v\n%s", err, out)
	}
	if out, err := exec.Command(qemu, armBin, "camera", "detect", "0").CombinedOutput(); err == nil || !strings.Contains(string(out), "compiled without camera support") {
		t.Fatalf("camera detect without cgo: %v\n%s", err, out)
	}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "standing.yaml")
	if err := os.WriteFile(scenario, []byte(standingScenario), 0o600); err != nil {
		t.Fatal(err)
	}
	master := rostest.StartMaster(t)
	startEmulator(t, sharedBinary(t), scenario, dir)
	node := master.Command(qemu, armBin, "run", "--radar-cli", filepath.Join(dir, "cli"), "--radar-data", filepath.Join(dir, "data"),
		"--radar-config", "../../launch/ti/xwr68xx_20hz.cfg", "--status", "off", "--duration", "60s")
	var nodeOut rostest.Output
	node.Stdout, node.Stderr = &nodeOut, &nodeOut
	rostest.Start(t, node)

	sub := master.Node(t, "hil_test")
	var mu sync.Mutex
	var obstacles, withObjects int
	var misses, cycles int
	drift := "none"
	o, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: sub, Topic: "/obstacles",
		Callback: func(m *vision_msgs.Detection3DArray) {
			mu.Lock()
			defer mu.Unlock()
			obstacles++
			if len(m.Detections) > 0 {
				withObjects++
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	d, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: sub, Topic: "/diagnostics",
		Callback: func(m *diagnostic_msgs.DiagnosticArray) {
			mu.Lock()
			defer mu.Unlock()
			for _, s := range m.Status {
				if s.Name == "avfusion: radar" {
					for _, kv := range s.Values {
						if kv.Key == "clock_drift_ppm" {
							drift = kv.Value
						}
					}
				}
				if s.Name != "avfusion: fusion" {
					continue
				}
				for _, kv := range s.Values {
					switch kv.Key {
					case "deadline_misses_total":
						misses, _ = strconv.Atoi(kv.Value)
					case "cycles":
						cycles, _ = strconv.Atoi(kv.Value)
					}
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	// Wait for the emulated node to be up, then watch it for ten seconds.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		up := withObjects > 0
		mu.Unlock()
		if up {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	obstacles, withObjects = 0, 0
	mu.Unlock()
	time.Sleep(10 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("under qemu: %d obstacle messages in 10 s (%d with objects); %d of %d cycles missed the deadline", obstacles, withObjects, misses, cycles)
	if obstacles < 180 || withObjects < 150 {
		t.Fatalf("published %d obstacle messages (%d with objects) in 10 s at 20 Hz\nnode log:\n%s", obstacles, withObjects, nodeOut.String())
	}
	if cycles == 0 || misses*100 > cycles {
		t.Fatalf("%d of %d cycles missed the deadline", misses, cycles)
	}
	// The short-range chirp's Doppler wraps at ±4 m/s: the node took that
	// from the configuration and still kept its deadlines.
	requireLogged(t, nodeOut.String(), "±4.0 m/s", "from its chirps")
	// The emulator's CPU counter runs on this machine's clock: the fitted
	// drift must be known and small.
	if d, err := strconv.ParseFloat(drift, 64); err != nil || math.IsNaN(d) || math.Abs(d) > 2000 {
		t.Fatalf("radar clock drift on /diagnostics: %q", drift)
	}
	t.Logf("radar clock drift %s ppm", drift)
}

// requireLogged fails t unless log holds every one of want.
func requireLogged(t *testing.T, log string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Fatalf("the node's log lacks %q:\n%s", w, log)
		}
	}
}
