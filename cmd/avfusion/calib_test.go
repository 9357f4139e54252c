package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avfusion/avfusion/calib"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCalibRadarCameraCLI writes reflector pairs seen through a known
// transform and reads the transform back from `calib radar-camera --json`.
func TestCalibRadarCameraCLI(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	lens := calib.PinholeForFOV(1280, 720, math.Pi/2)
	var info strings.Builder
	if err := calib.WriteCameraInfo(&info, "front", lens, -1); err != nil {
		t.Fatal(err)
	}
	truth := calib.Extrinsic{X: 2.1, Y: -0.1, Z: -0.8, Pitch: 0.02, Yaw: 0.03}
	var csv strings.Builder
	csv.WriteString("x_m,y_m,z_m,u_px,v_px\n")
	for i := range 12 {
		p := [3]float64{6 + 2*float64(i), float64(i%4) - 1.5, 0.4 + 0.3*float64(i%5)}
		c := truth.Apply(p)
		u, v := lens.Project(-c[1]/c[0], -c[2]/c[0])
		fmt.Fprintf(&csv, "%.4f,%.4f,%.4f,%.3f,%.3f\n", p[0], p[1], p[2], u, v)
	}
	out, err := exec.Command(bin, "calib", "radar-camera", "--pairs", writeFile(t, dir, "pairs.csv", csv.String()),
		"--camera-info", writeFile(t, dir, "cam.yaml", info.String()), "--json").Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderrOf(err))
	}
	var res struct {
		E        calib.Extrinsic `json:"radar_to_camera"`
		RMS      float64         `json:"rms_px"`
		Warnings []string        `json:"warnings"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if math.Abs(res.E.X-truth.X) > 0.02 || math.Abs(res.E.Y-truth.Y) > 0.01 || math.Abs(res.E.Yaw-truth.Yaw) > 0.001 || res.RMS > 0.05 || len(res.Warnings) != 0 {
		t.Fatalf("got %+v, want %+v", res, truth)
	}
	bad := writeFile(t, dir, "bad.csv", "x,y,z,u,v\n1,2,3,4\n")
	if out, err := exec.Command(bin, "calib", "radar-camera", "--pairs", bad, "--camera-info", filepath.Join(dir, "cam.yaml")).CombinedOutput(); err == nil ||
		!strings.Contains(string(out), "bad.csv:2: 4 columns, want 5") {
		t.Fatalf("bad CSV: %v: %s", err, out)
	}
}

func TestCalibTimeOffsetCLI(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	motion := func(t float64) float64 { return 10 + 5*math.Sin(0.3*t) + 2*math.Sin(1.1*t+0.5) }
	var a, b strings.Builder
	for i := range 600 {
		tt := float64(i) / 20
		fmt.Fprintf(&a, "%.4f,%.4f\n", tt, motion(tt))
	}
	for i := range 900 {
		tt := float64(i) / 30
		fmt.Fprintf(&b, "%.4f,%.4f\n", tt+0.120, motion(tt)+0.7)
	}
	out, err := exec.Command(bin, "calib", "time-offset", "--a", writeFile(t, dir, "a.csv", a.String()), "--b", writeFile(t, dir, "b.csv", b.String()), "--json").Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderrOf(err))
	}
	var res map[string]float64
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if math.Abs(res["offset_s"]-0.120) > 0.003 || res["correlation"] < 0.99 {
		t.Fatalf("%v, want offset 0.120 s", res)
	}
}

func TestCalibMicCLI(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	good := writeFile(t, dir, "array.yaml", "name: pair\nmicrophones: [[0, 0.05, 0], [0, -0.05, 0]]\n")
	out, err := exec.Command(bin, "calib", "mic", good, "--json").Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderrOf(err))
	}
	var res struct {
		Microphones int `json:"microphones"`
		Pairs       []struct {
			MaxDelay float64 `json:"max_delay_samples"`
		} `json:"pairs"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	// 0.1 m at 343 m/s and 16 kHz: 4.66 samples.
	if res.Microphones != 2 || len(res.Pairs) != 1 || math.Abs(res.Pairs[0].MaxDelay-4.665) > 0.01 || len(res.Notes) != 2 ||
		!strings.Contains(res.Notes[0], "front/back") || !strings.Contains(res.Notes[1], "above 1715 Hz") {
		t.Fatalf("%+v", res)
	}
	bad := writeFile(t, dir, "bad.yaml", "microphones: [[0, 0, 0], [0, 0, 0.002]]\n")
	if out, err := exec.Command(bin, "calib", "mic", bad).CombinedOutput(); err == nil || !strings.Contains(string(out), "microphones[1]: 2.0 mm from microphones[0]") {
		t.Fatalf("bad array: %v: %s", err, out)
	}
}
