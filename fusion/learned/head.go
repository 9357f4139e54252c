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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"

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

// Head judges tracks with an ensemble of networks trained alike from
// different seeds, averaging their outputs: one network's judgement of a
// borderline track depends on its seed, the average much less. It
// allocates nothing per call and is not safe for concurrent use.
type Head struct {
	nets    []*nn.Net
	scratch []*nn.Scratch
	out     []float64 // one member's output
	mean    []float64 // the members' average
	in      []float64 // the evidence normalised
	// sameScaling says every member normalises its inputs alike (they
	// were trained on the same data), so Judge normalises once.
	sameScaling bool
	// lo and hi bound each input every member knows (see Familiar): the
	// intersection of their widened training ranges; nil when a member
	// keeps none.
	lo, hi []float64
}

// New wraps trained networks, each of which must read fusion.Evidence
// and output Outputs.
func New(nets ...*nn.Net) (*Head, error) {
	if len(nets) == 0 {
		return nil, fmt.Errorf("learned: a head needs at least one network")
	}
	h := &Head{out: make([]float64, len(Outputs)), mean: make([]float64, len(Outputs))}
	for k, net := range nets {
		if err := net.Validate(); err != nil {
			return nil, fmt.Errorf("learned: network %d: %w", k, err)
		}
		if net.Inputs() != fusion.NumEvidence {
			return nil, fmt.Errorf("learned: network %d reads %d inputs, a track's evidence has %d", k, net.Inputs(), fusion.NumEvidence)
		}
		if !slices.Equal(net.Classes, Outputs) {
			return nil, fmt.Errorf("learned: network %d's outputs are %v, want %v", k, net.Classes, Outputs)
		}
		h.nets = append(h.nets, net)
		h.scratch = append(h.scratch, net.NewScratch())
	}
	h.lo, h.hi = familiarRange(h.nets)
	h.in = make([]float64, fusion.NumEvidence)
	h.sameScaling = true
	for _, net := range h.nets[1:] {
		h.sameScaling = h.sameScaling && slices.Equal(net.Mean, h.nets[0].Mean) && slices.Equal(net.Std, h.nets[0].Std)
	}
	return h, nil
}

// familiarRange intersects the members' training ranges, each widened by
// familiarMargin (nil, nil when a member has none: it knows every input).
func familiarRange(nets []*nn.Net) (lo, hi []float64) {
	for _, net := range nets {
		if net.Min == nil {
			return nil, nil
		}
	}
	lo, hi = make([]float64, fusion.NumEvidence), make([]float64, fusion.NumEvidence)
	for i := range lo {
		lo[i], hi[i] = math.Inf(-1), math.Inf(1)
		for _, net := range nets {
			pad := familiarMargin * (net.Max[i] - net.Min[i])
			lo[i], hi[i] = max(lo[i], net.Min[i]-pad), min(hi[i], net.Max[i]+pad)
		}
	}
	return lo, hi
}

// Shipped returns the head with the weights in weights/fusion.json.
func Shipped() (*Head, error) {
	nets, err := ReadWeights(bytes.NewReader(shippedWeights))
	if err != nil {
		return nil, fmt.Errorf("learned: shipped weights: %w", err)
	}
	return New(nets...)
}

// Judge implements fusion.Head: the class distribution given that the
// object exists, and the probability that it does.
func (h *Head) Judge(ev *fusion.Evidence, class *perception.ClassProbs) float64 {
	clear(h.mean)
	for k, net := range h.nets {
		in := h.in
		if k == 0 || !h.sameScaling {
			net.Normalize(in, ev[:])
		}
		for i, p := range net.PredictNormalized(h.out, in, h.scratch[k]) {
			h.mean[i] += p / float64(len(h.nets))
		}
	}
	p := h.mean
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

// familiarMargin widens each input's training range, on each side, by
// this fraction of its width before Familiar calls a value unknown.
const familiarMargin = 0.1

// Familiar implements fusion.Head: whether every value of the evidence
// lies within what every member saw in training (plus familiarMargin).
func (h *Head) Familiar(ev *fusion.Evidence) bool {
	if h.lo == nil {
		return true
	}
	for i, v := range ev {
		if !(v >= h.lo[i] && v <= h.hi[i]) {
			return false
		}
	}
	return true
}

// Members is how many networks `avfusion train fusion` trains for the
// shipped head; member k starts from seed TrainConfig.Seed + k.
const Members = 5

// TrainConfig is how `avfusion train fusion` trains each member.
var TrainConfig = nn.TrainConfig{Hidden: []int{32, 16}, Epochs: 20, BatchSize: 64, LearningRate: 0.002, L2: 1e-5, Seed: 1}

// Train fits the members of a head to evidence vectors and their labels
// (see Label), in parallel; the result depends only on the data.
func Train(evidence []fusion.Evidence, labels []int, note string) ([]*nn.Net, error) {
	x := make([][]float64, len(evidence))
	for i := range evidence {
		x[i] = evidence[i][:]
	}
	nets := make([]*nn.Net, Members)
	errs := make([]error, Members)
	var wg sync.WaitGroup
	for k := range Members {
		wg.Go(func() {
			cfg := TrainConfig
			cfg.Seed += uint64(k)
			nets[k], errs[k] = nn.Train(x, labels, Outputs, cfg)
			if errs[k] == nil {
				nets[k].Note = fmt.Sprintf("%s; member %d of %d, network seed %d", note, k+1, Members, cfg.Seed)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return nets, nil
}

// WriteWeights writes a head's networks as one JSON array; the same
// networks always give the same bytes.
func WriteWeights(w io.Writer, nets []*nn.Net) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(nets)
}

// ReadWeights reads the networks WriteWeights wrote (New validates
// them).
func ReadWeights(r io.Reader) ([]*nn.Net, error) {
	var nets []*nn.Net
	if err := json.NewDecoder(r).Decode(&nets); err != nil {
		return nil, err
	}
	for k, net := range nets {
		if net == nil {
			return nil, fmt.Errorf("network %d is null", k)
		}
	}
	return nets, nil
}
