package acoustic

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"

	"github.com/avfusion/avfusion/perception/nn"
)

// The classes the acoustic classifier tells apart, in its output order.
const (
	Siren = iota
	Horn
	Background
	NumClasses
)

// ClassNames names the classes, as in the weight file and the CLI.
var ClassNames = [NumClasses]string{"siren", "horn", "background"}

// WindowSamples is the length of one classified window (about a second).
const WindowSamples = (WindowFrames-1)*Hop + FrameSize

// defaultWeights is the network `avfusion train audio` wrote.
//
//go:embed weights/audio.json
var defaultWeights []byte

// Classifier scores windows of sound as siren, horn or background. It
// allocates nothing per window; it is not safe for concurrent use.
type Classifier struct {
	net     *nn.Net
	scratch *nn.Scratch
	feats   *Features
	frames  [][]float64
	desc    []float64
	sortBuf []float64
	levels  []float64
}

// NewClassifier wraps a trained network, which must take window
// descriptors and output the three classes.
func NewClassifier(net *nn.Net) (*Classifier, error) {
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if net.Inputs() != DescriptorSize {
		return nil, fmt.Errorf("acoustic: the network takes %d inputs, a window descriptor has %d", net.Inputs(), DescriptorSize)
	}
	for i, name := range ClassNames {
		if i >= len(net.Classes) || net.Classes[i] != name {
			return nil, fmt.Errorf("acoustic: the network's classes are %v, want %v", net.Classes, ClassNames)
		}
	}
	c := &Classifier{net: net, scratch: net.NewScratch(), feats: NewFeatures(), desc: make([]float64, DescriptorSize),
		sortBuf: make([]float64, 0, max(Mels, WindowFrames)), levels: make([]float64, 0, WindowFrames)}
	for range WindowFrames {
		c.frames = append(c.frames, make([]float64, Mels))
	}
	return c, nil
}

// DefaultClassifier is the network shipped in weights/audio.json.
func DefaultClassifier() (*Classifier, error) {
	c, err := ReadClassifier(bytes.NewReader(defaultWeights))
	if err != nil {
		return nil, fmt.Errorf("acoustic: shipped weights: %w", err)
	}
	return c, nil
}

// ReadClassifier reads a network `avfusion train audio` wrote.
func ReadClassifier(r io.Reader) (*Classifier, error) {
	net, err := nn.ReadJSON(r)
	if err != nil {
		return nil, err
	}
	return NewClassifier(net)
}

// Describe computes the descriptor of a window of WindowSamples samples
// (16 kHz mono); the result is valid until the next call.
func (c *Classifier) Describe(samples []float64) []float64 {
	for i := range WindowFrames {
		c.feats.LogMel(c.frames[i], samples[i*Hop:i*Hop+FrameSize])
	}
	return describe(c.desc, c.frames, &c.levels, &c.sortBuf)
}

// Classify writes the class probabilities of a window of WindowSamples
// samples to dst (NumClasses values) and returns it.
func (c *Classifier) Classify(dst, samples []float64) []float64 {
	return c.net.Predict(dst, c.Describe(samples), c.scratch)
}
