// Package nn holds small neural networks for perception, dense (Net) and
// convolutional on 2-D patches (ConvNet): inference that allocates
// nothing per call, training (Adam on the cross-entropy of a softmax
// output) with a fixed seed, and a JSON weight file whose bytes depend
// only on the training data and configuration.
package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// Layer is one dense layer: Out outputs from In inputs, W row-major
// (Out × In), then a bias per output.
type Layer struct {
	In  int       `json:"in"`
	Out int       `json:"out"`
	W   []float64 `json:"w"`
	B   []float64 `json:"b"`
}

// Net is a multilayer perceptron: inputs standardised by Mean and Std,
// ReLU between layers, softmax over Classes at the end.
type Net struct {
	Classes []string  `json:"classes"`
	Mean    []float64 `json:"mean"`
	Std     []float64 `json:"std"`
	// Min and Max are the smallest and largest value of each input in
	// the training data (absent in weights written before they were
	// kept): what a user can judge new inputs by, as the fusion head
	// does.
	Min    []float64 `json:"min,omitempty"`
	Max    []float64 `json:"max,omitempty"`
	Layers []Layer   `json:"layers"`
	// Note says how the weights were made (the training command, data,
	// seed), for the reader of the file.
	Note string `json:"note,omitempty"`
}

// Inputs is the length of an input vector.
func (n *Net) Inputs() int { return n.Layers[0].In }

// Validate checks that the shapes fit together.
func (n *Net) Validate() error {
	if len(n.Layers) == 0 {
		return errors.New("nn: no layers")
	}
	in := n.Layers[0].In
	if len(n.Mean) != in || len(n.Std) != in {
		return fmt.Errorf("nn: %d inputs but %d means and %d deviations", in, len(n.Mean), len(n.Std))
	}
	if (n.Min != nil || n.Max != nil) && (len(n.Min) != in || len(n.Max) != in) {
		return fmt.Errorf("nn: %d inputs but %d minima and %d maxima", in, len(n.Min), len(n.Max))
	}
	for i, l := range n.Layers {
		if l.In != in || l.Out <= 0 || len(l.W) != l.In*l.Out || len(l.B) != l.Out {
			return fmt.Errorf("nn: layer %d: %d×%d with %d weights and %d biases does not follow %d inputs", i, l.Out, l.In, len(l.W), len(l.B), in)
		}
		in = l.Out
	}
	if in != len(n.Classes) {
		return fmt.Errorf("nn: %d outputs for %d classes", in, len(n.Classes))
	}
	for _, s := range n.Std {
		if !(s > 0) {
			return errors.New("nn: an input deviation is not positive")
		}
	}
	return nil
}

// Scratch holds one inference's intermediate values; reuse it so Predict
// allocates nothing.
type Scratch struct{ a [][]float64 }

// NewScratch returns scratch space sized for n.
func (n *Net) NewScratch() *Scratch {
	s := &Scratch{a: make([][]float64, len(n.Layers)+1)}
	s.a[0] = make([]float64, n.Inputs())
	for i, l := range n.Layers {
		s.a[i+1] = make([]float64, l.Out)
	}
	return s
}

// Predict writes the class probabilities for input x to dst (len Classes)
// and returns it.
func (n *Net) Predict(dst, x []float64, s *Scratch) []float64 {
	n.Normalize(s.a[0], x)
	return n.PredictNormalized(dst, s.a[0], s)
}

// Normalize writes input x scaled by the network's normalisation to dst
// (len Inputs).
func (n *Net) Normalize(dst, x []float64) {
	for i, v := range x {
		dst[i] = (v - n.Mean[i]) / n.Std[i]
	}
}

// PredictNormalized is Predict for an input Normalize already scaled
// (with this network's normalisation, or one equal to it): networks
// trained on the same data share it, so an ensemble scales each input
// once.
func (n *Net) PredictNormalized(dst, in []float64, s *Scratch) []float64 {
	for li := range n.Layers {
		l := &n.Layers[li]
		out, from := s.a[li+1], in
		if li > 0 {
			from = s.a[li]
		}
		l.forward(out, from)
		if li < len(n.Layers)-1 {
			for j, v := range out {
				out[j] = max(v, 0)
			}
		}
	}
	softmax(dst, s.a[len(s.a)-1])
	return dst
}

// forward computes out = W·in + B. Four outputs are summed side by side,
// each in input order, so the sums are those of one output at a time but
// the processor overlaps the four chains of additions.
func (l *Layer) forward(out, in []float64) {
	n := len(in)
	o := 0
	for ; o+4 <= l.Out; o += 4 {
		s0, s1, s2, s3 := l.B[o], l.B[o+1], l.B[o+2], l.B[o+3]
		r0 := l.W[o*n : (o+1)*n]
		r1 := l.W[(o+1)*n : (o+2)*n]
		r2 := l.W[(o+2)*n : (o+3)*n]
		r3 := l.W[(o+3)*n : (o+4)*n]
		for i, v := range in {
			s0 += r0[i] * v
			s1 += r1[i] * v
			s2 += r2[i] * v
			s3 += r3[i] * v
		}
		out[o], out[o+1], out[o+2], out[o+3] = s0, s1, s2, s3
	}
	for ; o < l.Out; o++ {
		sum := l.B[o]
		row := l.W[o*n : (o+1)*n]
		for i, v := range in {
			sum += row[i] * v
		}
		out[o] = sum
	}
}

func softmax(dst, z []float64) {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	sum := 0.0
	for i, v := range z {
		dst[i] = math.Exp(v - m)
		sum += dst[i]
	}
	for i := range dst {
		dst[i] /= sum
	}
}

// WriteJSON writes the network; the same network always gives the same
// bytes.
func (n *Net) WriteJSON(w io.Writer) error { return writeJSON(w, n) }

// ReadJSON reads and validates a network written by WriteJSON.
func ReadJSON(r io.Reader) (*Net, error) { return readJSON[Net](r) }

// writeJSON writes a network indented, its fields in declaration order.
func writeJSON(w io.Writer, n any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(n)
}

// readJSON decodes a network of type T and validates it.
func readJSON[T any, P interface {
	*T
	Validate() error
}](r io.Reader) (*T, error) {
	var n T
	if err := json.NewDecoder(r).Decode(&n); err != nil {
		return nil, fmt.Errorf("nn: %w", err)
	}
	if err := P(&n).Validate(); err != nil {
		return nil, err
	}
	return &n, nil
}

// Argmax returns the index of the largest value.
func Argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}
