package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// ConvShape is the architecture TrainConv builds: patches of Height ×
// Width, convolutions of Kernel × Kernel with Maps[i] output maps each;
// the dense layers' hidden sizes are TrainConfig.Hidden.
type ConvShape struct {
	Height, Width int
	Maps          []int
	Kernel        int
}

// convWorkers is how many goroutines share each batch. It is fixed, not
// the machine's core count, so that the gradient sums, and so the
// weights, are the same on every machine.
const convWorkers = 2

// TrainConv fits a convolutional network to patches x (Height × Width
// values each, row-major) labelled y (indices into classes) by Adam on
// the mean cross-entropy. It is deterministic: the same data, shape and
// config give the same weights.
func TrainConv(x [][]float64, y []int, classes []string, shape ConvShape, cfg TrainConfig) (*ConvNet, error) {
	switch {
	case len(x) == 0 || len(x) != len(y):
		return nil, fmt.Errorf("nn: %d examples and %d labels", len(x), len(y))
	case cfg.Epochs <= 0 || cfg.BatchSize <= 0 || !(cfg.LearningRate > 0):
		return nil, errors.New("nn: epochs, batch size and learning rate must be positive")
	case len(shape.Maps) == 0 || shape.Kernel <= 0 || shape.Kernel%2 == 0:
		return nil, fmt.Errorf("nn: convolutions %v of kernel %d: want at least one, of an odd kernel", shape.Maps, shape.Kernel)
	}
	size := shape.Height * shape.Width
	for i, row := range x {
		if len(row) != size {
			return nil, fmt.Errorf("nn: example %d has %d values, a %d×%d patch %d", i, len(row), shape.Height, shape.Width, size)
		}
		if y[i] < 0 || y[i] >= len(classes) {
			return nil, fmt.Errorf("nn: example %d has label %d of %d classes", i, y[i], len(classes))
		}
	}
	rnd := rand.New(rand.NewPCG(cfg.Seed, 0x636e6e))
	n, err := initConvNet(x, classes, shape, cfg.Hidden, rnd)
	if err != nil {
		return nil, err
	}
	t := newConvTrainer(n)
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	for epoch := range cfg.Epochs {
		cfg.progress(epoch)
		rnd.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for b := 0; b < len(order); b += cfg.BatchSize {
			t.step(x, y, order[b:min(b+cfg.BatchSize, len(order))], cfg)
		}
	}
	cfg.progress(cfg.Epochs)
	return n, nil
}

// initConvNet makes a network of the shape with He-initialised weights,
// standardising by the mean and deviation of every value of x.
func initConvNet(x [][]float64, classes []string, shape ConvShape, hidden []int, rnd *rand.Rand) (*ConvNet, error) {
	n := &ConvNet{Classes: classes, Height: shape.Height, Width: shape.Width}
	var sq float64
	for _, row := range x {
		for _, v := range row {
			n.Mean += v
			sq += v * v
		}
	}
	count := float64(len(x) * len(x[0]))
	n.Mean /= count
	n.Std = math.Sqrt(max(sq/count-n.Mean*n.Mean, 0)) + 1e-6

	maps := 1
	for _, out := range shape.Maps {
		c := Conv{In: maps, Out: out, K: shape.Kernel, W: make([]float64, out*maps*shape.Kernel*shape.Kernel), B: make([]float64, out)}
		scale := math.Sqrt(2 / float64(maps*shape.Kernel*shape.Kernel)) // He initialisation for ReLU
		for j := range c.W {
			c.W[j] = rnd.NormFloat64() * scale
		}
		n.Convs = append(n.Convs, c)
		maps = out
	}
	h, w := n.mapSizes(len(n.Convs))
	if h < 1 || w < 1 {
		return nil, fmt.Errorf("nn: %d poolings leave nothing of a %d×%d patch", len(shape.Maps), shape.Height, shape.Width)
	}
	sizes := append(append([]int{maps * h * w}, hidden...), len(classes))
	for i := 1; i < len(sizes); i++ {
		l := Layer{In: sizes[i-1], Out: sizes[i], W: make([]float64, sizes[i-1]*sizes[i]), B: make([]float64, sizes[i])}
		scale := math.Sqrt(2 / float64(l.In))
		for j := range l.W {
			l.W[j] = rnd.NormFloat64() * scale
		}
		n.Layers = append(n.Layers, l)
	}
	return n, nil
}

// convTrainer holds Adam's state and the workers that share each batch.
type convTrainer struct {
	params, m, v [][]float64
	workers      [convWorkers]*convWorker
	steps        int
}

func newConvTrainer(n *ConvNet) *convTrainer {
	t := &convTrainer{params: n.params()}
	t.m, t.v = zerosLike(t.params), zerosLike(t.params)
	for i := range t.workers {
		t.workers[i] = newConvWorker(n)
	}
	return t
}

// step takes one Adam step on the examples of batch, each worker
// backpropagating its contiguous share; the shares' gradients are summed
// in worker order.
func (t *convTrainer) step(x [][]float64, y []int, batch []int, cfg TrainConfig) {
	var wg sync.WaitGroup
	for k, wk := range t.workers {
		part := batch[k*len(batch)/convWorkers : (k+1)*len(batch)/convWorkers]
		wg.Go(func() {
			wk.zero()
			for _, i := range part {
				wk.backprop(x[i], y[i])
			}
		})
	}
	wg.Wait()
	total := t.workers[0].grads
	for _, wk := range t.workers[1:] {
		for j, g := range wk.grads {
			for k, v := range g {
				total[j][k] += v
			}
		}
	}
	t.steps++
	c1, c2 := adamCorrections(t.steps)
	for j, p := range t.params {
		decay := cfg.L2
		if j%2 == 1 { // biases
			decay = 0
		}
		adamUpdate(p, total[j], t.m[j], t.v[j], cfg.LearningRate, decay, len(batch), c1, c2)
	}
}

// params lists the network's weight and bias slices, weights first in
// each pair, convolutions then dense layers.
func (n *ConvNet) params() [][]float64 {
	var p [][]float64
	for i := range n.Convs {
		p = append(p, n.Convs[i].W, n.Convs[i].B)
	}
	for i := range n.Layers {
		p = append(p, n.Layers[i].W, n.Layers[i].B)
	}
	return p
}

func zerosLike(p [][]float64) [][]float64 {
	z := make([][]float64, len(p))
	for i, s := range p {
		z[i] = make([]float64, len(s))
	}
	return z
}

// convWorker accumulates gradients over its share of a batch.
type convWorker struct {
	n       *ConvNet
	s       *ConvScratch
	grads   [][]float64 // as ConvNet.params
	gw, gb  [][]float64 // the dense layers' share of grads
	act     [][]float64 // the dense layers' input, then their outputs
	delta   [][]float64 // the gradient at each dense layer's output
	dPooled [][]float64 // ... at each convolution's pooled maps
	dMaps   [][]float64 // ... and before pooling
	probs   []float64
}

func newConvWorker(n *ConvNet) *convWorker {
	wk := &convWorker{n: n, s: n.NewScratch(), grads: zerosLike(n.params()), probs: make([]float64, len(n.Classes))}
	wk.act = append([][]float64{wk.s.pooled[len(n.Convs)-1]}, wk.s.dense...)
	for j := 2 * len(n.Convs); j < len(wk.grads); j += 2 {
		wk.gw, wk.gb = append(wk.gw, wk.grads[j]), append(wk.gb, wk.grads[j+1])
	}
	for _, l := range n.Layers {
		wk.delta = append(wk.delta, make([]float64, l.Out))
	}
	for i := range n.Convs {
		wk.dPooled = append(wk.dPooled, make([]float64, len(wk.s.pooled[i])))
		wk.dMaps = append(wk.dMaps, make([]float64, len(wk.s.maps[i])))
	}
	return wk
}

func (wk *convWorker) zero() {
	for _, g := range wk.grads {
		clear(g)
	}
}

// backprop adds one example's gradient of the cross-entropy.
func (wk *convWorker) backprop(x []float64, label int) {
	n, s := wk.n, wk.s
	n.Predict(wk.probs, x, s)
	last := len(n.Layers) - 1
	for j, p := range wk.probs {
		wk.delta[last][j] = p
		if j == label {
			wk.delta[last][j]--
		}
	}
	nc := len(n.Convs)
	backDense(n.Layers, wk.act, wk.delta, wk.gw, wk.gb, wk.dPooled[nc-1])
	for i := nc - 1; i >= 0; i-- {
		d := wk.dMaps[i]
		clear(d)
		for j, at := range s.at[i] {
			if s.pooled[i][j] > 0 { // ReLU
				d[at] = wk.dPooled[i][j]
			}
		}
		in, din := s.in, []float64(nil)
		if i > 0 {
			in, din = s.pooled[i-1], wk.dPooled[i-1]
		}
		h, w := n.mapSizes(i)
		n.Convs[i].backward(wk.grads[2*i], wk.grads[2*i+1], din, in, d, h, w)
	}
}
