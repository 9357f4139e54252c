package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// TrainConfig configures Train.
type TrainConfig struct {
	Hidden       []int   // sizes of the hidden layers
	Epochs       int     // passes over the data
	BatchSize    int     // examples per step
	LearningRate float64 // Adam's step size
	L2           float64 // weight decay
	Seed         uint64  // initial weights and shuffling
	// Progress, if set, is called after each epoch (counted from 1).
	Progress func(epoch, epochs int)
}

// Train fits a network to examples x (rows of equal length) labelled y
// (indices into classes) by Adam on the mean cross-entropy. It is
// deterministic: the same data and config give the same weights.
func Train(x [][]float64, y []int, classes []string, cfg TrainConfig) (*Net, error) {
	switch {
	case len(x) == 0 || len(x) != len(y):
		return nil, fmt.Errorf("nn: %d examples and %d labels", len(x), len(y))
	case cfg.Epochs <= 0 || cfg.BatchSize <= 0 || !(cfg.LearningRate > 0):
		return nil, errors.New("nn: epochs, batch size and learning rate must be positive")
	}
	in := len(x[0])
	for i, row := range x {
		if len(row) != in {
			return nil, fmt.Errorf("nn: example %d has %d values, the first %d", i, len(row), in)
		}
		if y[i] < 0 || y[i] >= len(classes) {
			return nil, fmt.Errorf("nn: example %d has label %d of %d classes", i, y[i], len(classes))
		}
	}
	rnd := rand.New(rand.NewPCG(cfg.Seed, 0x6e6e))
	n := &Net{Classes: classes, Mean: make([]float64, in), Std: make([]float64, in)}
	n.Min, n.Max = slices.Clone(x[0]), slices.Clone(x[0])
	for _, row := range x {
		for i, v := range row {
			n.Mean[i] += v / float64(len(x))
			n.Min[i], n.Max[i] = min(n.Min[i], v), max(n.Max[i], v)
		}
	}
	for _, row := range x {
		for i, v := range row {
			n.Std[i] += (v - n.Mean[i]) * (v - n.Mean[i]) / float64(len(x))
		}
	}
	for i := range n.Std {
		n.Std[i] = math.Sqrt(n.Std[i]) + 1e-6
	}
	sizes := append(append([]int{in}, cfg.Hidden...), len(classes))
	for i := 1; i < len(sizes); i++ {
		l := Layer{In: sizes[i-1], Out: sizes[i], W: make([]float64, sizes[i-1]*sizes[i]), B: make([]float64, sizes[i])}
		scale := math.Sqrt(2 / float64(l.In)) // He initialisation for ReLU
		for j := range l.W {
			l.W[j] = rnd.NormFloat64() * scale
		}
		n.Layers = append(n.Layers, l)
	}

	t := newTrainer(n)
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	step := 0
	for epoch := range cfg.Epochs {
		cfg.progress(epoch)
		rnd.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for b := 0; b < len(order); b += cfg.BatchSize {
			batch := order[b:min(b+cfg.BatchSize, len(order))]
			t.zeroGrad()
			for _, i := range batch {
				t.backprop(x[i], y[i])
			}
			step++
			t.adam(cfg.LearningRate, cfg.L2, len(batch), step)
		}
	}
	cfg.progress(cfg.Epochs)
	return n, nil
}

// progress reports that epochs before this one are done.
func (cfg *TrainConfig) progress(epoch int) {
	if cfg.Progress != nil && epoch > 0 {
		cfg.Progress(epoch, cfg.Epochs)
	}
}

// trainer holds gradients, Adam moments and activations.
type trainer struct {
	n          *Net
	act, delta [][]float64
	gw, gb     [][]float64
	mw, vw     [][]float64
	mb, vb     [][]float64
	probs      []float64
}

func newTrainer(n *Net) *trainer {
	t := &trainer{n: n, probs: make([]float64, len(n.Classes))}
	t.act = append(t.act, make([]float64, n.Inputs()))
	for _, l := range n.Layers {
		t.act = append(t.act, make([]float64, l.Out))
		t.delta = append(t.delta, make([]float64, l.Out))
		for _, dst := range []*[][]float64{&t.gw, &t.mw, &t.vw} {
			*dst = append(*dst, make([]float64, len(l.W)))
		}
		for _, dst := range []*[][]float64{&t.gb, &t.mb, &t.vb} {
			*dst = append(*dst, make([]float64, l.Out))
		}
	}
	return t
}

func (t *trainer) zeroGrad() {
	for i := range t.gw {
		clear(t.gw[i])
		clear(t.gb[i])
	}
}

// backprop adds one example's gradient of the cross-entropy.
func (t *trainer) backprop(x []float64, label int) {
	n := t.n
	for i, v := range x {
		t.act[0][i] = (v - n.Mean[i]) / n.Std[i]
	}
	last := len(n.Layers) - 1
	for li := range n.Layers {
		n.Layers[li].forward(t.act[li+1], t.act[li])
		if li < last {
			for j, v := range t.act[li+1] {
				t.act[li+1][j] = max(v, 0)
			}
		}
	}
	softmax(t.probs, t.act[last+1])
	for j, p := range t.probs {
		t.delta[last][j] = p
		if j == label {
			t.delta[last][j]--
		}
	}
	backDense(n.Layers, t.act, t.delta, t.gw, t.gb, nil)
}

// backDense adds the gradients of dense layers (ReLU between them) to
// gw and gb, given each layer's input act[li] and output act[li+1] and
// the gradient at the last layer's output in delta's last entry; delta
// receives the others. If din is not nil it receives the gradient at the
// first layer's input, zero where that input is not positive (it came
// through a ReLU).
func backDense(layers []Layer, act, delta, gw, gb [][]float64, din []float64) {
	for li := len(layers) - 1; li >= 0; li-- {
		l := &layers[li]
		in, d := act[li], delta[li]
		for o := range l.Out {
			row := gw[li][o*l.In : (o+1)*l.In]
			for i, v := range in {
				row[i] += d[o] * v
			}
			gb[li][o] += d[o]
		}
		prev := din
		if li > 0 {
			prev = delta[li-1]
		}
		if prev == nil {
			break
		}
		for i := range prev {
			sum := 0.0
			if in[i] > 0 { // ReLU
				for o := range l.Out {
					sum += l.W[o*l.In+i] * d[o]
				}
			}
			prev[i] = sum
		}
	}
}

// adam applies one Adam step with decoupled weight decay.
func (t *trainer) adam(lr, l2 float64, batch, step int) {
	c1, c2 := adamCorrections(step)
	for li := range t.n.Layers {
		l := &t.n.Layers[li]
		adamUpdate(l.W, t.gw[li], t.mw[li], t.vw[li], lr, l2, batch, c1, c2)
		adamUpdate(l.B, t.gb[li], t.mb[li], t.vb[li], lr, 0, batch, c1, c2)
	}
}

// Adam's moment decay rates and its guard against division by zero.
const adamB1, adamB2, adamEps = 0.9, 0.999, 1e-8

// adamCorrections returns the bias corrections of Adam's first and
// second moments at step (counted from 1).
func adamCorrections(step int) (c1, c2 float64) {
	return 1 - math.Pow(adamB1, float64(step)), 1 - math.Pow(adamB2, float64(step))
}

// adamUpdate moves weights w by one Adam step on the gradient g summed
// over batch examples, with moments m and v, and decoupled weight decay.
func adamUpdate(w, g, m, v []float64, lr, decay float64, batch int, c1, c2 float64) {
	for i := range w {
		gi := g[i] / float64(batch)
		m[i] = adamB1*m[i] + (1-adamB1)*gi
		v[i] = adamB2*v[i] + (1-adamB2)*gi*gi
		w[i] -= lr*(m[i]/c1)/(math.Sqrt(v[i]/c2)+adamEps) + lr*decay*w[i]
	}
}
