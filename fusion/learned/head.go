// Package learned is the neural late-fusion head: a small network that
// reads a track's evidence (fusion.Evidence: per-sensor hit ratios,
// class log-likelihoods, radar range-rate consistency, age, ...) and
// outputs the track's class distribution and the probability that its
// object exists. It is trained by `avfusion train fusion` on simulated
// scenarios with ground truth; the shipped weights are in weights/.
package learned

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/nn"
)

// Outputs are the network's classes: "none" (the track is no object)
// followed by every perception class.
var Outputs = func() []string {
	out := []string{"none"}
	for c := perception.Class(0); c < perception.NumClasses; c++ {
		out = append(out, c.String())
	}
	return out
}()

// Label is the training label of a track: None when it matches no true
// object, otherwise the index of the object's class in Outputs.
func Label(matched bool, c perception.Class) int {
	if !matched {
		return None
	}
	return 1 + int(c)
}

// None is the label of a track that matches no true object.
const None = 0

// shippedWeights is the network `avfusion train fusion` wrote.
//
//go:embed weights/fusion.json
var shippedWeights []byte

// Head judges tracks with a network. It allocates nothing per call and is
// not safe for concurrent use.
type Head struct {
	net     *nn.Net
	scratch *nn.Scratch
	out     []float64
}

// New wraps a trained network, which must read fusion.Evidence and
// output Outputs.
func New(net *nn.Net) (*Head, error) {
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if net.Inputs() != fusion.NumEvidence {
		return nil, fmt.Errorf("learned: the network reads %d inputs, a track's evidence has %d", net.Inputs(), fusion.NumEvidence)
	}
	if len(net.Classes) != len(Outputs) {
		return nil, fmt.Errorf("learned: the network's outputs are %v, want %v", net.Classes, Outputs)
	}
	for i, name := range Outputs {
		if net.Classes[i] != name {
			return nil, fmt.Errorf("learned: the network's outputs are %v, want %v", net.Classes, Outputs)
		}
	}
	return &Head{net: net, scratch: net.NewScratch(), out: make([]float64, len(Outputs))}, nil
}

// Shipped returns the head with the weights in weights/fusion.json.
func Shipped() (*Head, error) {
	net, err := nn.ReadJSON(bytes.NewReader(shippedWeights))
	if err != nil {
		return nil, fmt.Errorf("learned: shipped weights: %w", err)
	}
	return New(net)
}

// Judge implements fusion.Head: the class distribution given that the
// object exists, and the probability that it does.
func (h *Head) Judge(ev *fusion.Evidence, class *perception.ClassProbs) float64 {
	p := h.net.Predict(h.out, ev[:], h.scratch)
	sum := 0.0
	for c := range class {
		sum += p[1+c]
	}
	for c := range class {
		if sum > 0 {
			class[c] = p[1+c] / sum
		} else {
			class[c] = 1 / float64(perception.NumClasses)
		}
	}
	return 1 - p[None]
}

// TrainConfig is how `avfusion train fusion` trains the shipped network.
var TrainConfig = nn.TrainConfig{Hidden: []int{32, 16}, Epochs: 20, BatchSize: 64, LearningRate: 0.002, L2: 1e-5, Seed: 1}

// Train fits a head network to evidence vectors and their labels (see
// Label).
func Train(evidence []fusion.Evidence, labels []int, note string) (*nn.Net, error) {
	x := make([][]float64, len(evidence))
	for i := range evidence {
		x[i] = evidence[i][:]
	}
	net, err := nn.Train(x, labels, Outputs, TrainConfig)
	if err != nil {
		return nil, err
	}
	net.Note = note
	return net, nil
}
