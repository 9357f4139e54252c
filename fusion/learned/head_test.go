package learned

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/nn"
)

func TestShippedHeadJudgesProbabilities(t *testing.T) {
	h, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 1))
	for range 100 {
		var ev fusion.Evidence
		for i := range ev {
			ev[i] = rnd.NormFloat64()
		}
		var class perception.ClassProbs
		exists := h.Judge(&ev, &class)
		sum := 0.0
		for _, p := range class {
			sum += p
		}
		if !(exists >= 0 && exists <= 1) || math.Abs(sum-1) > 1e-9 {
			t.Fatalf("existence %g, class probabilities summing to %g", exists, sum)
		}
	}
}

func TestNewRefusesNetworksOfOtherShapes(t *testing.T) {
	x := [][]float64{{0, 1}, {1, 0}}
	net, err := nn.Train(x, []int{0, 1}, []string{"a", "b"}, nn.TrainConfig{Epochs: 1, BatchSize: 1, LearningRate: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(net); err == nil {
		t.Fatal("a two-input network was taken for a fusion head")
	}
}

// TestTrainLearnsExistence: on evidence where ghosts and real objects
// differ in the radar's hit ratio, the trained head tells them apart.
func TestTrainLearnsExistence(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 2))
	var evidence []fusion.Evidence
	var labels []int
	sample := func(isReal bool) fusion.Evidence {
		var ev fusion.Evidence
		for i := range ev {
			ev[i] = 0.1 * rnd.NormFloat64()
		}
		ev[5] = 0.2 + 0.1*rnd.NormFloat64() // ghost: the radar rarely hits it
		if isReal {
			ev[5] = 0.9 + 0.1*rnd.NormFloat64()
		}
		return ev
	}
	for i := range 2000 {
		isReal := i%2 == 0
		evidence = append(evidence, sample(isReal))
		labels = append(labels, Label(isReal, perception.Car))
	}
	nets, err := Train(evidence, labels, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(nets) != Members {
		t.Fatalf("%d networks, want %d", len(nets), Members)
	}
	h, err := New(nets...)
	if err != nil {
		t.Fatal(err)
	}
	var class perception.ClassProbs
	realEv, ghostEv := sample(true), sample(false)
	if pr, pg := h.Judge(&realEv, &class), h.Judge(&ghostEv, &class); pr < 0.9 || pg > 0.1 {
		t.Fatalf("existence: real %.3f, ghost %.3f", pr, pg)
	}
	if c, _ := class.Argmax(); c != perception.Car {
		t.Fatalf("class %v, want car", c)
	}
}

// TestHeadAveragesItsMembers: an ensemble's existence is the mean of its
// members' (each judging alone), and its weights survive a write and read.
func TestHeadAveragesItsMembers(t *testing.T) {
	nets, err := ReadWeights(bytes.NewReader(shippedWeights))
	if err != nil {
		t.Fatal(err)
	}
	if len(nets) != Members {
		t.Fatalf("shipped %d networks, want %d", len(nets), Members)
	}
	var buf bytes.Buffer
	if err := WriteWeights(&buf, nets); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), shippedWeights) {
		t.Fatal("writing the shipped networks back does not give the shipped bytes")
	}
	all, err := New(nets...)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(3, 3))
	var class perception.ClassProbs
	for range 20 {
		var ev fusion.Evidence
		for i := range ev {
			ev[i] = rnd.NormFloat64()
		}
		mean := 0.0
		for _, net := range nets {
			one, err := New(net)
			if err != nil {
				t.Fatal(err)
			}
			mean += one.Judge(&ev, &class) / float64(len(nets))
		}
		if got := all.Judge(&ev, &class); math.Abs(got-mean) > 1e-12 {
			t.Fatalf("ensemble existence %g, members' mean %g", got, mean)
		}
	}
	if _, err := ReadWeights(strings.NewReader(`[null]`)); err == nil {
		t.Error("a null network was read")
	}
}

// BenchmarkJudge is the shipped head judging one track: its whole
// ensemble on one evidence vector.
func BenchmarkJudge(b *testing.B) {
	h, err := Shipped()
	if err != nil {
		b.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(2, 2))
	evs := make([]fusion.Evidence, 64)
	for k := range evs {
		for i := range evs[k] {
			evs[k][i] = rnd.NormFloat64()
		}
	}
	var class perception.ClassProbs
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		h.Judge(&evs[k%len(evs)], &class)
		k++
	}
}
