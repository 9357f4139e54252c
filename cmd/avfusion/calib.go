package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/avfusion/avfusion/calib"
)

const calibUsage = `usage:
  avfusion calib camera --pattern 9x6 --square 0.025 [--out camera.yaml] IMAGE... | VIDEO [--every N]
  avfusion calib radar-camera --pairs PAIRS.csv --camera-info camera.yaml [--guess x,y,z,roll,pitch,yaw] [--json]
  avfusion calib time-offset --a A.csv --b B.csv [--max-lag 0.5] [--json]
  avfusion calib mic ARRAY.yaml [--rate 16000] [--json]`

func runCalib(args []string) error {
	if len(args) == 0 {
		return errors.New(calibUsage)
	}
	switch args[0] {
	case "camera":
		return runCalibCamera(args[1:])
	case "radar-camera":
		return runCalibRadarCamera(args[1:])
	case "time-offset":
		return runCalibTimeOffset(args[1:])
	case "mic":
		return runCalibMic(args[1:])
	}
	return errors.New(calibUsage)
}

// readCSV reads rows of numbers, skipping blank lines, '#' comments and a
// header line; every row must have want columns. Errors name the line.
func readCSV(path string, want int) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read-only
	var rows [][]float64
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != want {
			return nil, fmt.Errorf("%s:%d: %d columns, want %d", path, line, len(fields), want)
		}
		row := make([]float64, want)
		for i, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				if len(rows) == 0 && line == 1 {
					row = nil // a header
					break
				}
				return nil, fmt.Errorf("%s:%d: column %d: %q is not a number", path, line, i+1, s)
			}
			row[i] = v
		}
		if row != nil {
			rows = append(rows, row)
		}
	}
	return rows, sc.Err()
}

func runCalibRadarCamera(args []string) error {
	fs := flag.NewFlagSet("calib radar-camera", flag.ContinueOnError)
	pairsPath := fs.String("pairs", "", "CSV of corner reflectors: radar x,y,z (m, radar frame) and image u,v (px) per line")
	infoPath := fs.String("camera-info", "", "the camera's camera_info YAML")
	guessText := fs.String("guess", "", "initial radar-to-camera transform x,y,z,roll,pitch,yaw (m, rad); default the rig's mounts")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pairsPath == "" || *infoPath == "" {
		return errors.New("--pairs and --camera-info are required")
	}
	rows, err := readCSV(*pairsPath, 5)
	if err != nil {
		return err
	}
	lens, err := calib.ReadCameraInfo(*infoPath)
	if err != nil {
		return err
	}
	rig := calib.DefaultRig()
	guess := calib.Extrinsic{X: rig.Radar.X - rig.Camera.X, Y: rig.Radar.Y - rig.Camera.Y, Z: rig.Radar.Z - rig.Camera.Z, Yaw: rig.Radar.Yaw - rig.Camera.Yaw}
	if *guessText != "" {
		var g [6]float64
		parts := strings.Split(*guessText, ",")
		if len(parts) != 6 {
			return fmt.Errorf("--guess: want six numbers x,y,z,roll,pitch,yaw, got %q", *guessText)
		}
		for i, p := range parts {
			if g[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64); err != nil {
				return fmt.Errorf("--guess: %q is not a number", p)
			}
		}
		guess = calib.Extrinsic{X: g[0], Y: g[1], Z: g[2], Roll: g[3], Pitch: g[4], Yaw: g[5]}
	}
	pairs := make([]calib.RadarCameraPair, len(rows))
	for i, r := range rows {
		pairs[i] = calib.RadarCameraPair{Radar: [3]float64{r[0], r[1], r[2]}, Pixel: [2]float64{r[3], r[4]}}
	}
	res, err := calib.CalibrateRadarCamera(pairs, lens, guess)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{
			"radar_to_camera": res.RadarToCamera, "std_dev": res.StdDev, "rms_px": res.RMSPx,
			"residuals_px": res.ResidualsPx, "warnings": orEmpty(res.Warnings),
		})
	}
	e, s := res.RadarToCamera, res.StdDev
	deg := 180 / math.Pi
	fmt.Printf("radar → camera (camera body frame, REP-103): x %.3f ±%.3f m, y %.3f ±%.3f m, z %.3f ±%.3f m\n", e.X, s[0], e.Y, s[1], e.Z, s[2])
	fmt.Printf("  roll %.2f ±%.2f°, pitch %.2f ±%.2f°, yaw %.2f ±%.2f°\n", e.Roll*deg, s[3]*deg, e.Pitch*deg, s[4]*deg, e.Yaw*deg, s[5]*deg)
	fmt.Printf("reprojection error: RMS %.2f px over %d reflectors (worst %.2f px)\n", res.RMSPx, len(pairs), maxOf(res.ResidualsPx))
	for _, w := range res.Warnings {
		fmt.Println("warning:", w)
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func runCalibTimeOffset(args []string) error {
	fs := flag.NewFlagSet("calib time-offset", flag.ContinueOnError)
	aPath := fs.String("a", "", "CSV of t,value (s, any unit) from the reference sensor")
	bPath := fs.String("b", "", "CSV of t,value from the other sensor, observing the same motion")
	maxLag := fs.Float64("max-lag", 0.5, "largest offset searched, s")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *aPath == "" || *bPath == "" {
		return errors.New("--a and --b are required")
	}
	var sig [2][]calib.Sample
	for i, path := range []string{*aPath, *bPath} {
		rows, err := readCSV(path, 2)
		if err != nil {
			return err
		}
		for _, r := range rows {
			sig[i] = append(sig[i], calib.Sample{T: r[0], V: r[1]})
		}
	}
	res, err := calib.TimeOffset(sig[0], sig[1], *maxLag)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]float64{"offset_s": res.OffsetS, "correlation": res.Correlation, "overlap_s": res.OverlapS})
	}
	fmt.Printf("b's stamps are %.1f ms late against a's (subtract it from b's stamps); correlation %.2f over %.1f s\n", res.OffsetS*1000, res.Correlation, res.OverlapS)
	if res.Correlation < 0.5 {
		fmt.Println("warning: weak correlation: the motion may be too small or too regular to align; move the target more and less periodically")
	}
	return nil
}

func runCalibMic(args []string) error {
	fs := flag.NewFlagSet("calib mic", flag.ContinueOnError)
	rate := fs.Float64("rate", 16000, "sample rate, Hz, to express delays in samples")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	path, err := parseWithFile(fs, args, "usage: avfusion calib mic ARRAY.yaml [--rate 16000] [--json]")
	if err != nil {
		return err
	}
	m, err := calib.ReadMicArray(path)
	if err != nil {
		return err
	}
	pairs := m.Pairs()
	if *asJSON {
		type pair struct {
			Mics         [2]int  `json:"mics"`
			SpacingM     float64 `json:"spacing_m"`
			MaxDelaySamp float64 `json:"max_delay_samples"`
			AliasHz      float64 `json:"alias_hz"`
		}
		out := struct {
			Name        string   `json:"name"`
			Microphones int      `json:"microphones"`
			Pairs       []pair   `json:"pairs"`
			Notes       []string `json:"notes"`
		}{Name: m.Name, Microphones: len(m.Microphones), Notes: orEmpty(m.Notes())}
		for _, p := range pairs {
			out.Pairs = append(out.Pairs, pair{Mics: [2]int{p.I, p.J}, SpacingM: p.SpacingM, MaxDelaySamp: p.MaxDelayS * *rate, AliasHz: p.AliasHz})
		}
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	fmt.Printf("%s: %d microphones, valid\n", path, len(m.Microphones))
	for _, p := range pairs {
		fmt.Printf("  %d-%d: %.1f mm apart, up to %.2f samples at %g Hz, phase wraps above %.0f Hz\n", p.I, p.J, p.SpacingM*1000, p.MaxDelayS**rate, *rate, p.AliasHz)
	}
	for _, n := range m.Notes() {
		fmt.Println("note:", n)
	}
	return nil
}
