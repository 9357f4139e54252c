package nn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// lines draws noisy 12×10 patches of one of three kinds: a rising line, a
// falling one, or a level one, each at a random place: telling them apart
// needs the shape, not where it is (as a siren's sweep from a horn's
// held tone).
func lines(n int, seed uint64) ([][]float64, []int) {
	rnd := rand.New(rand.NewPCG(seed, 2))
	const h, w = 12, 10
	var x [][]float64
	var y []int
	for i := range n {
		c := i % 3
		p := make([]float64, h*w)
		for j := range p {
			p[j] = 0.3 * rnd.NormFloat64()
		}
		row := 3 + rnd.IntN(h-6)
		slope := []int{1, -1, 0}[c]
		for col := range w {
			r := row + slope*(col-w/2)/2
			if r >= 0 && r < h {
				p[r*w+col] += 1 + 0.3*rnd.Float64()
			}
		}
		x, y = append(x, p), append(y, c)
	}
	return x, y
}

func TestTrainConvLearnsShapesReproducibly(t *testing.T) {
	x, y := lines(900, 1)
	shape := ConvShape{Height: 12, Width: 10, Maps: []int{4, 8}, Kernel: 3}
	cfg := TrainConfig{Hidden: []int{16}, Epochs: 30, BatchSize: 32, LearningRate: 0.005, Seed: 3}
	net, err := TrainConv(x, y, []string{"rise", "fall", "level"}, shape, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tx, ty := lines(300, 2)
	s := net.NewScratch()
	p := make([]float64, 3)
	right := 0
	for i := range tx {
		if Argmax(net.Predict(p, tx[i], s)) == ty[i] {
			right++
		}
	}
	if acc := float64(right) / float64(len(tx)); acc < 0.95 {
		t.Fatalf("held-out accuracy %.3f on rising, falling and level lines", acc)
	}
	var a, b bytes.Buffer
	if err := net.WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	again, _ := TrainConv(x, y, []string{"rise", "fall", "level"}, shape, cfg)
	if err := again.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two trainings with the same seed differ")
	}
	back, err := ReadConvJSON(&a)
	if err != nil {
		t.Fatal(err)
	}
	q := back.Predict(make([]float64, 3), tx[0], back.NewScratch())
	net.Predict(p, tx[0], s)
	if q[0] != p[0] {
		t.Fatalf("the weight file does not round-trip: %v vs %v", q, p)
	}
	if allocs := testing.AllocsPerRun(100, func() { net.Predict(p, tx[1], s) }); allocs != 0 {
		t.Fatalf("Predict allocates %v times", allocs)
	}
}

// The gradient backprop accumulates is the loss's own: each weight's
// against a central difference.
func TestConvGradientMatchesFiniteDifferences(t *testing.T) {
	x, y := lines(3, 5)
	n, err := TrainConv(x, y, []string{"rise", "fall", "level"}, ConvShape{Height: 12, Width: 10, Maps: []int{2, 3}, Kernel: 3},
		TrainConfig{Hidden: []int{5}, Epochs: 1, BatchSize: 3, LearningRate: 0.01, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	loss := func() float64 {
		p := n.Predict(make([]float64, 3), x[0], n.NewScratch())
		return -math.Log(p[y[0]])
	}
	wk := newConvWorker(n)
	wk.backprop(x[0], y[0])
	checked := 0
	for j, p := range n.params() {
		for k := 0; k < len(p); k += 1 + len(p)/7 {
			old := p[k]
			const eps = 1e-6
			p[k] = old + eps
			up := loss()
			p[k] = old - eps
			down := loss()
			p[k] = old
			want, got := (up-down)/(2*eps), wk.grads[j][k]
			if math.Abs(got-want) > 1e-5*max(1, math.Abs(want)) {
				t.Errorf("parameter %d[%d]: backprop %.8f, finite difference %.8f", j, k, got, want)
			}
			checked++
		}
	}
	if checked < 30 {
		t.Fatalf("checked only %d weights", checked)
	}
}

func TestReadConvJSONRefusesBadShapes(t *testing.T) {
	for _, bad := range []string{
		`{"classes":["a"],"height":4,"width":4,"mean":0,"std":1,"convs":[],"layers":[{"in":4,"out":1,"w":[1,1,1,1],"b":[0]}]}`,
		`{"classes":["a"],"height":4,"width":4,"mean":0,"std":1,"convs":[{"in":1,"out":1,"k":2,"w":[1,1,1,1],"b":[0]}],"layers":[{"in":4,"out":1,"w":[1,1,1,1],"b":[0]}]}`,
		`{"classes":["a"],"height":4,"width":4,"mean":0,"std":1,"convs":[{"in":1,"out":1,"k":1,"w":[1],"b":[0]}],"layers":[{"in":3,"out":1,"w":[1,1,1],"b":[0]}]}`,
		`{"classes":["a"],"height":4,"width":4,"mean":0,"std":0,"convs":[{"in":1,"out":1,"k":1,"w":[1],"b":[0]}],"layers":[{"in":4,"out":1,"w":[1,1,1,1],"b":[0]}]}`,
		`{"classes":["a"],"height":1,"width":4,"mean":0,"std":1,"convs":[{"in":1,"out":1,"k":1,"w":[1],"b":[0]}],"layers":[{"in":0,"out":1,"w":[],"b":[0]}]}`,
	} {
		if _, err := ReadConvJSON(bytes.NewBufferString(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
