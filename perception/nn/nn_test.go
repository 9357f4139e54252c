package nn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// spirals is the classic two-spiral problem: not linearly separable.
func spirals(n int, seed uint64) ([][]float64, []int) {
	rnd := rand.New(rand.NewPCG(seed, 1))
	var x [][]float64
	var y []int
	for i := range n {
		c := i % 2
		r := 0.2 + 2*rnd.Float64()
		a := 1.6*r + float64(c)*math.Pi
		x = append(x, []float64{r*math.Cos(a) + 0.05*rnd.NormFloat64(), r*math.Sin(a) + 0.05*rnd.NormFloat64()})
		y = append(y, c)
	}
	return x, y
}

func TestTrainLearnsSpiralsReproducibly(t *testing.T) {
	x, y := spirals(1200, 1)
	cfg := TrainConfig{Hidden: []int{32, 32}, Epochs: 150, BatchSize: 32, LearningRate: 0.01, Seed: 7}
	net, err := Train(x, y, []string{"a", "b"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tx, ty := spirals(600, 2)
	s := net.NewScratch()
	p := make([]float64, 2)
	right := 0
	for i := range tx {
		net.Predict(p, tx[i], s)
		if (p[1] > p[0]) == (ty[i] == 1) {
			right++
		}
	}
	acc := float64(right) / float64(len(tx))
	if acc < 0.95 {
		t.Fatalf("held-out accuracy %.3f on two spirals", acc)
	}
	var a, b bytes.Buffer
	if err := net.WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	again, _ := Train(x, y, []string{"a", "b"}, cfg)
	if err := again.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two trainings with the same seed differ")
	}
	back, err := ReadJSON(&a)
	if err != nil {
		t.Fatal(err)
	}
	q := back.Predict(make([]float64, 2), tx[0], back.NewScratch())
	net.Predict(p, tx[0], s)
	if q[0] != p[0] {
		t.Fatalf("the weight file does not round-trip: %v vs %v", q, p)
	}
	if allocs := testing.AllocsPerRun(100, func() { net.Predict(p, tx[1], s) }); allocs != 0 {
		t.Fatalf("Predict allocates %v times", allocs)
	}
}

func TestReadJSONRefusesBadShapes(t *testing.T) {
	for _, bad := range []string{
		`{"classes":["a"],"mean":[0],"std":[1],"layers":[]}`,
		`{"classes":["a","b"],"mean":[0],"std":[1],"layers":[{"in":1,"out":2,"w":[1],"b":[0,0]}]}`,
		`{"classes":["a"],"mean":[0,0],"std":[1],"layers":[{"in":2,"out":1,"w":[1,1],"b":[0]}]}`,
		`{"classes":["a"],"mean":[0],"std":[0],"layers":[{"in":1,"out":1,"w":[1],"b":[0]}]}`,
	} {
		if _, err := ReadJSON(bytes.NewBufferString(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
