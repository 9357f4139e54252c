package acoustic

import (
	"fmt"

	"github.com/avfusion/avfusion/perception/nn"
)

// TrainConfig is how `avfusion train audio --real=false` trains a network
// on synthesised sound only.
var TrainConfig = nn.TrainConfig{Hidden: []int{32, 16}, Epochs: 60, BatchSize: 64, LearningRate: 0.003, L2: 1e-4, Seed: 1}

// RealTrainConfig is how `avfusion train audio` trains the shipped
// network, on real recordings as well: a larger network, which keeps
// held-out synthetic accuracy above 0.95 where TrainConfig's falls below
// (docs/microphone.md).
var RealTrainConfig = nn.TrainConfig{Hidden: []int{128, 64}, Epochs: 60, BatchSize: 64, LearningRate: 0.003, L2: 1e-4, Seed: 1}

// Train fits a classifier network to labelled windows (WindowSamples
// samples each, labels indexing ClassNames).
func Train(windows [][]float64, labels []int, cfg nn.TrainConfig, note string) (*nn.Net, error) {
	c, err := newDescriber()
	if err != nil {
		return nil, err
	}
	x := make([][]float64, len(windows))
	for i, w := range windows {
		if len(w) != WindowSamples {
			return nil, fmt.Errorf("acoustic: window %d has %d samples, want %d", i, len(w), WindowSamples)
		}
		x[i] = append([]float64(nil), c.Describe(w)...)
	}
	net, err := nn.Train(x, labels, ClassNames[:], cfg)
	if err != nil {
		return nil, err
	}
	net.Note = note
	return net, nil
}

// newDescriber is a Classifier without a network, for its Describe.
func newDescriber() (*Classifier, error) {
	c := &Classifier{feats: NewFeatures(), desc: make([]float64, DescriptorSize)}
	for range WindowFrames {
		c.frames = append(c.frames, make([]float64, Mels))
	}
	return c, nil
}
