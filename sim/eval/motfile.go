package eval

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Frames maps a frame number to the objects in it.
type Frames map[int][]Object

// ReadMOTFile reads a MOTChallenge 2D file
// (frame,id,left,top,width,height,conf,x,y,z), keeping rows whose
// confidence is at least minConf.
func ReadMOTFile(path string, minConf float64) (Frames, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mot: %w", err)
	}
	defer f.Close() //nolint:errcheck // read-only file
	fr, err := ReadMOT(f, minConf)
	if err != nil {
		return nil, fmt.Errorf("mot: %s: %w", path, err)
	}
	return fr, nil
}

// ReadMOT is ReadMOTFile over a reader.
func ReadMOT(r io.Reader, minConf float64) (Frames, error) {
	out := Frames{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		if len(fields) < 7 {
			return nil, fmt.Errorf("line %d: want at least 7 fields, got %d", line, len(fields))
		}
		var v [7]float64
		for i := range v {
			x, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d field %d: %w", line, i+1, err)
			}
			v[i] = x
		}
		if v[6] < minConf {
			continue
		}
		frame := int(v[0])
		out[frame] = append(out[frame], Object{ID: int(v[1]), Box: [4]float64{v[2], v[3], v[4], v[5]}})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Evaluate scores test against gt frame by frame, over every frame either
// one has, in order.
func Evaluate(gt, test Frames, dist Distance) Metrics {
	var frames []int
	for f := range gt {
		frames = append(frames, f)
	}
	for f := range test {
		if _, ok := gt[f]; !ok {
			frames = append(frames, f)
		}
	}
	slices.Sort(frames)
	acc := NewAccumulator(dist)
	for _, f := range frames {
		acc.Update(gt[f], test[f])
	}
	return acc.Metrics()
}
