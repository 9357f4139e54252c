package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// decodedPoint is one point of `radar decode --json`; SNR and noise are
// absent when the frame had no side-info TLV.
type decodedPoint struct {
	X       float32 `json:"x"`
	Y       float32 `json:"y"`
	Z       float32 `json:"z"`
	Doppler float32 `json:"doppler"`
	SNR     *int16  `json:"snr,omitempty"`
	Noise   *int16  `json:"noise,omitempty"`
}

type decodedFrame struct {
	Frame    uint32         `json:"frame"`
	Version  string         `json:"version"`
	Points   []decodedPoint `json:"points"`
	TLVTypes []uint32       `json:"tlv_types"`
}

type decodeSummary struct {
	Frames int               `json:"frames"`
	Points int               `json:"points"`
	Errors map[string]uint64 `json:"errors"`
}

func runRadar(args []string) error {
	if len(args) > 0 && args[0] == "emulate" {
		return runEmulate(args[1:])
	}
	if len(args) > 0 && args[0] == "limits" {
		return runRadarLimits(args[1:])
	}
	if len(args) == 0 || args[0] != "decode" {
		return errors.New("usage: avfusion radar decode FILE [--json] | avfusion radar emulate --scenario F [--link DIR] | avfusion radar limits [FILE]")
	}
	fs := flag.NewFlagSet("radar decode", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "one JSON line per frame, then a summary line")
	dopplerRes := fs.Float64("doppler-resolution", 0, "m/s per Doppler bin, for SDK 2.x captures")
	path, err := parseWithFile(fs, args[1:], "usage: avfusion radar decode FILE [--json]")
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("radar decode: %w", err)
	}
	defer f.Close() //nolint:errcheck // read-only file

	opts := mmwave.DefaultOpts()
	opts.DopplerResolutionMps = float32(*dopplerRes)
	s := mmwave.NewScanner(opts)
	// Write errors are sticky in the buffer and surface at Flush.
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	var frame mmwave.Frame
	sum := decodeSummary{Errors: map[string]uint64{}}
	emit := func() error {
		for s.Next(&frame) {
			sum.Frames++
			sum.Points += len(frame.Points)
			if !*asJSON {
				_, _ = fmt.Fprintf(out, "frame %d: %d points, TLVs %v\n", frame.FrameNumber, len(frame.Points), frame.TLVTypes)
				continue
			}
			d := decodedFrame{Frame: frame.FrameNumber, Version: fmt.Sprintf("%#08x", frame.Version),
				Points: make([]decodedPoint, len(frame.Points)), TLVTypes: frame.TLVTypes}
			for i := range frame.Points {
				p := &frame.Points[i]
				d.Points[i] = decodedPoint{X: p.X, Y: p.Y, Z: p.Z, Doppler: p.Doppler}
				if frame.HasSideInfo {
					d.Points[i].SNR, d.Points[i].Noise = &p.SNR, &p.Noise
				}
			}
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		n, err := f.Read(s.Space())
		s.Commit(n)
		if err := emit(); err != nil {
			return err
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("radar decode: %w", err)
		}
	}
	s.End()
	if err := emit(); err != nil {
		return err
	}
	for k := mmwave.ErrorKind(0); k < mmwave.NumErrorKinds; k++ {
		if s.Errors[k] > 0 {
			sum.Errors[k.String()] = s.Errors[k]
		}
	}
	if *asJSON {
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		_, _ = fmt.Fprintf(out, "%d frames, %d points, errors %v, %d bytes skipped\n", sum.Frames, sum.Points, sum.Errors, s.SkippedBytes)
	}
	return out.Flush()
}

// runRadarLimits prints what a TI configuration lets the radar see,
// derived from its chirps (the built-in one without a file).
func runRadarLimits(args []string) error {
	if len(args) > 1 {
		return errors.New("usage: avfusion radar limits [FILE]")
	}
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	lines, err := launch.ReadTIConfig(path)
	if err != nil {
		return fmt.Errorf("radar limits: %w", err)
	}
	l, err := mmwave.DeriveLimits(lines)
	if err != nil {
		return fmt.Errorf("radar limits: %w", err)
	}
	fmt.Println(l)
	return nil
}
