package acoustic

import (
	"bytes"
	_ "embed"
	"encoding/json"
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

// The shipped networks: the dense one `avfusion train audio` wrote and
// the convolutional one `avfusion train audio --model conv` wrote.
var (
	//go:embed weights/audio.json
	denseWeights []byte
	//go:embed weights/audio_conv.json
	convWeights []byte
)

// Classifier scores windows of sound as siren, horn or background with
// networks of two kinds, a dense one on a window's descriptor and a
// convolutional one on its log-mel patch, one or several (Combine). It
// allocates nothing per window; it is not safe for concurrent use.
type Classifier struct {
	frames *frameAnalyser
	models []windowModel
	probs  []float64 // one network's answer, when there are several
}

// windowModel is a network scoring a window from its log-mel frames.
type windowModel interface {
	classify(dst []float64, frames [][]float64) []float64
}

// NewClassifier wraps a trained dense network, which must take window
// descriptors and output the three classes.
func NewClassifier(net *nn.Net) (*Classifier, error) {
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if net.Inputs() != DescriptorSize {
		return nil, fmt.Errorf("acoustic: the network takes %d inputs, a window descriptor has %d", net.Inputs(), DescriptorSize)
	}
	if err := checkClasses(net.Classes); err != nil {
		return nil, err
	}
	return &Classifier{frames: newFrameAnalyser(), models: []windowModel{&descriptorModel{net: net, scratch: net.NewScratch(), desc: make([]float64, DescriptorSize),
		sortBuf: make([]float64, 0, max(Mels, WindowFrames)), levels: make([]float64, 0, WindowFrames)}}}, nil
}

// NewConvClassifier wraps a trained convolutional network, which must
// take log-mel patches (Mels × WindowFrames) and output the three
// classes.
func NewConvClassifier(net *nn.ConvNet) (*Classifier, error) {
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if net.Height != Mels || net.Width != WindowFrames {
		return nil, fmt.Errorf("acoustic: the network takes %d×%d patches, a window's log-mel patch is %d×%d", net.Height, net.Width, Mels, WindowFrames)
	}
	if err := checkClasses(net.Classes); err != nil {
		return nil, err
	}
	return &Classifier{frames: newFrameAnalyser(), models: []windowModel{&patchModel{net: net, scratch: net.NewScratch(), patch: make([]float64, PatchSize),
		sortBuf: make([]float64, 0, PatchSize)}}}, nil
}

func checkClasses(classes []string) error {
	for i, name := range ClassNames {
		if i >= len(classes) || classes[i] != name {
			return fmt.Errorf("acoustic: the network's classes are %v, want %v", classes, ClassNames)
		}
	}
	return nil
}

// DefaultClassifier is the shipped networks, weights/audio.json and
// weights/audio_conv.json, combined.
func DefaultClassifier() (*Classifier, error) {
	var cs []*Classifier
	for _, w := range [][]byte{denseWeights, convWeights} {
		c, err := ReadClassifier(bytes.NewReader(w))
		if err != nil {
			return nil, fmt.Errorf("acoustic: shipped weights: %w", err)
		}
		cs = append(cs, c)
	}
	return Combine(cs...), nil
}

// Combine returns a classifier that asks every network of cs and answers
// the normalised product of their probabilities: a class is likely only
// where every network finds it likely. Where they disagree so completely
// that the product vanishes, nothing is sure and the answer is
// background. The returned classifier owns cs's networks.
func Combine(cs ...*Classifier) *Classifier {
	c := &Classifier{frames: cs[0].frames, probs: make([]float64, NumClasses)}
	for _, o := range cs {
		c.models = append(c.models, o.models...)
	}
	return c
}

// ReadClassifier reads a network `avfusion train audio` wrote, dense or
// convolutional.
func ReadClassifier(r io.Reader) (*Classifier, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var kind struct {
		Convs json.RawMessage `json:"convs"`
	}
	if err := json.Unmarshal(data, &kind); err != nil {
		return nil, fmt.Errorf("acoustic: %w", err)
	}
	if kind.Convs != nil {
		net, err := nn.ReadConvJSON(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return NewConvClassifier(net)
	}
	net, err := nn.ReadJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return NewClassifier(net)
}

// Classify writes the class probabilities of a window of WindowSamples
// samples to dst (NumClasses values) and returns it.
func (c *Classifier) Classify(dst, samples []float64) []float64 {
	frames := c.frames.analyse(samples)
	c.models[0].classify(dst, frames)
	if len(c.models) == 1 {
		return dst
	}
	for _, m := range c.models[1:] {
		m.classify(c.probs, frames)
		for k, p := range c.probs {
			dst[k] *= p
		}
	}
	sum := 0.0
	for _, p := range dst {
		sum += p
	}
	if !(sum > 0) {
		clear(dst)
		dst[Background] = 1
		return dst
	}
	for k := range dst {
		dst[k] /= sum
	}
	return dst
}

// frameAnalyser computes a window's log-mel frames.
type frameAnalyser struct {
	feats  *Features
	frames [][]float64
}

func newFrameAnalyser() *frameAnalyser {
	a := &frameAnalyser{feats: NewFeatures()}
	for range WindowFrames {
		a.frames = append(a.frames, make([]float64, Mels))
	}
	return a
}

// analyse returns the log-mel frames of a window of WindowSamples
// samples (16 kHz mono), valid until the next call.
func (a *frameAnalyser) analyse(samples []float64) [][]float64 {
	for i := range WindowFrames {
		a.feats.LogMel(a.frames[i], samples[i*Hop:i*Hop+FrameSize])
	}
	return a.frames
}

// descriptorModel is a dense network on the window's descriptor.
type descriptorModel struct {
	net                   *nn.Net
	scratch               *nn.Scratch
	desc, sortBuf, levels []float64
}

func (m *descriptorModel) classify(dst []float64, frames [][]float64) []float64 {
	return m.net.Predict(dst, describe(m.desc, frames, &m.levels, &m.sortBuf), m.scratch)
}

// patchModel is a convolutional network on the window's log-mel patch.
type patchModel struct {
	net            *nn.ConvNet
	scratch        *nn.ConvScratch
	patch, sortBuf []float64
}

func (m *patchModel) classify(dst []float64, frames [][]float64) []float64 {
	return m.net.Predict(dst, patch(m.patch, frames, &m.sortBuf), m.scratch)
}
