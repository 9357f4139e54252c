package eval

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// RunTrace is what a run's plots are drawn from: every object's and every
// track's positions (odom, m), the matched tracks' position errors over
// time, and each cycle's latency.
type RunTrace struct {
	Truth  map[int]plotter.XYs    // by object id
	Tracks map[uint32]plotter.XYs // by track id
	// ErrorM is the mean position error of matched tracks per cycle
	// (X = seconds into the run).
	ErrorM    plotter.XYs
	LatencyMs []float64
}

// NewRunTrace returns an empty trace.
func NewRunTrace() *RunTrace {
	return &RunTrace{Truth: map[int]plotter.XYs{}, Tracks: map[uint32]plotter.XYs{}}
}

// WritePlots draws three PNGs named after the run into dir: a top view of
// the tracks against the ground truth, the position error over time, and
// the latency histogram.
func (t *RunTrace) WritePlots(dir, name string) error {
	top := plot.New()
	top.Title.Text = name + ": tracks (dots) against ground truth (lines)"
	top.X.Label.Text, top.Y.Label.Text = "x (m, odom)", "y (m, odom)"
	ids := make([]uint32, 0, len(t.Tracks))
	for id := range t.Tracks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for i, id := range ids {
		sc, err := plotter.NewScatter(t.Tracks[id])
		if err != nil {
			return err
		}
		sc.Radius = vg.Points(1.2)
		sc.Shape = draw.CircleGlyph{}
		sc.Color = palette(i)
		top.Add(sc)
	}
	objs := make([]int, 0, len(t.Truth))
	for id := range t.Truth {
		objs = append(objs, id)
	}
	slices.Sort(objs)
	for _, id := range objs {
		l, err := plotter.NewLine(t.Truth[id])
		if err != nil {
			return err
		}
		l.Width = vg.Points(1)
		top.Add(l)
	}
	if err := top.Save(8*vg.Inch, 6*vg.Inch, filepath.Join(dir, name+"-topview.png")); err != nil {
		return fmt.Errorf("eval: plot: %w", err)
	}

	errPlot := plot.New()
	errPlot.Title.Text = name + ": mean position error of matched tracks"
	errPlot.X.Label.Text, errPlot.Y.Label.Text = "time (s)", "error (m)"
	if len(t.ErrorM) > 1 {
		l, err := plotter.NewLine(t.ErrorM)
		if err != nil {
			return err
		}
		errPlot.Add(l)
	}
	if err := errPlot.Save(8*vg.Inch, 4*vg.Inch, filepath.Join(dir, name+"-error.png")); err != nil {
		return fmt.Errorf("eval: plot: %w", err)
	}

	hist := plot.New()
	hist.Title.Text = name + ": sensor-to-publish latency per cycle"
	hist.X.Label.Text, hist.Y.Label.Text = "latency (ms)", "cycles"
	var vals plotter.Values
	for _, v := range t.LatencyMs {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	if len(vals) > 0 {
		h, err := plotter.NewHist(vals, 40)
		if err != nil {
			return err
		}
		hist.Add(h)
	}
	if err := hist.Save(8*vg.Inch, 4*vg.Inch, filepath.Join(dir, name+"-latency.png")); err != nil {
		return fmt.Errorf("eval: plot: %w", err)
	}
	return nil
}

// palette gives track i a colour that differs from its neighbours'.
func palette(i int) color.Color {
	h := math.Mod(float64(i)*0.618033988749895, 1)
	r, g, b := hsvToRGB(h, 0.8, 0.85)
	return color.RGBA{R: r, G: g, B: b, A: 255}
}

func hsvToRGB(h, s, v float64) (uint8, uint8, uint8) {
	i := math.Floor(h * 6)
	f := h*6 - i
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return uint8(r * 255), uint8(g * 255), uint8(b * 255)
}
