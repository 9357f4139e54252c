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

// ConvShape and ConvTrainConfig are how `avfusion train audio --model
// conv` trains the convolutional network on log-mel patches.
var (
	ConvShape       = nn.ConvShape{Height: Mels, Width: WindowFrames, Maps: []int{8, 16}, Kernel: 3}
	ConvTrainConfig = nn.TrainConfig{Hidden: []int{32}, Epochs: 15, BatchSize: 64, LearningRate: 0.002, L2: 1e-4, Seed: 1}
)

// Train fits a dense classifier network to the descriptors of labelled
// windows (WindowSamples samples each, labels indexing ClassNames).
func Train(windows [][]float64, labels []int, cfg nn.TrainConfig, note string) (*nn.Net, error) {
	var levels, sortBuf []float64 // scratch, reused window to window
	x, err := windowInputs(windows, DescriptorSize, func(dst []float64, frames [][]float64) {
		describe(dst, frames, &levels, &sortBuf)
	})
	if err != nil {
		return nil, err
	}
	net, err := nn.Train(x, labels, ClassNames[:], cfg)
	if err != nil {
		return nil, err
	}
	net.Note = note
	return net, nil
}

// TrainConv fits a convolutional classifier network to the log-mel
// patches of labelled windows.
func TrainConv(windows [][]float64, labels []int, shape nn.ConvShape, cfg nn.TrainConfig, note string) (*nn.ConvNet, error) {
	var sortBuf []float64 // scratch, reused window to window
	x, err := windowInputs(windows, PatchSize, func(dst []float64, frames [][]float64) {
		patch(dst, frames, &sortBuf)
	})
	if err != nil {
		return nil, err
	}
	net, err := nn.TrainConv(x, labels, ClassNames[:], shape, cfg)
	if err != nil {
		return nil, err
	}
	net.Note = note
	return net, nil
}

// windowInputs computes a network's input (size values, written by
// input from the window's log-mel frames) for every window.
func windowInputs(windows [][]float64, size int, input func(dst []float64, frames [][]float64)) ([][]float64, error) {
	a := newFrameAnalyser()
	x := make([][]float64, len(windows))
	for i, w := range windows {
		if len(w) != WindowSamples {
			return nil, fmt.Errorf("acoustic: window %d has %d samples, want %d", i, len(w), WindowSamples)
		}
		x[i] = make([]float64, size)
		input(x[i], a.analyse(w))
	}
	return x, nil
}
