package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/perception/acoustic/corpus"
	"github.com/avfusion/avfusion/perception/nn"
	"github.com/avfusion/avfusion/sim/audio"
)

const trainUsage = `usage: avfusion train audio [--out perception/acoustic/weights/audio.json] [--per-class N] [--seed 1] [--real=false] [--json]
       avfusion train fusion [--out fusion/learned/weights/fusion.json] [--scenarios 120] [--seed 1]`

func runTrain(args []string) error {
	switch {
	case len(args) > 0 && args[0] == "audio":
		return trainAudio(args)
	case len(args) > 0 && args[0] == "fusion":
		return trainFusion(args)
	}
	return errors.New(trainUsage)
}

// trainAudio trains the acoustic classifier on synthesised sound and the
// real recordings' training split (--real=false: synthesised sound only).
func trainAudio(args []string) error {
	fs := flag.NewFlagSet("train audio", flag.ContinueOnError)
	out := fs.String("out", "perception/acoustic/weights/audio.json", "where to write the weights (perception/acoustic/weights/audio_conv.json with --model conv)")
	perClass := fs.Int("per-class", 0, "synthetic training windows per class (default 1500, 2000 with --real)")
	heldOut := fs.Int("held-out", 500, "synthetic held-out windows per class, from another seed, for the report (0: no report)")
	seed := fs.Uint64("seed", 1, "seed of the synthetic data (the network's own seed is fixed in acoustic.TrainConfig and RealTrainConfig)")
	asJSON := fs.Bool("json", false, "print the held-out report as JSON")
	withReal := fs.Bool("real", true, "train on the real recordings' training split too (make sounds), augmented, with a larger network (acoustic.RealTrainConfig), as the shipped weights are; --real=false: synthesised sound only")
	model := fs.String("model", "dense", "dense: a dense network on window descriptors; conv: a convolutional network on log-mel patches (acoustic.ConvShape, ConvTrainConfig)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *model != "dense" && *model != "conv" {
		return fmt.Errorf("--model %q: want dense or conv", *model)
	}
	outGiven := false
	fs.Visit(func(f *flag.Flag) { outGiven = outGiven || f.Name == "out" })
	if *model == "conv" && !outGiven {
		*out = "perception/acoustic/weights/audio_conv.json"
	}
	cfg, synthetic := acoustic.TrainConfig, 1500
	if *withReal {
		cfg, synthetic = acoustic.RealTrainConfig, 2000
	}
	if *model == "conv" {
		cfg = acoustic.ConvTrainConfig
	}
	if *perClass == 0 {
		*perClass = synthetic
	}
	if *perClass < 10 || (*heldOut != 0 && *heldOut < 10) {
		return errors.New("--per-class: at least 10; --held-out: 0 or at least 10")
	}
	began := time.Now()
	windows, labels := synthWindows(*perClass, *seed, "training")
	note := fmt.Sprintf("avfusion train audio --real=false --per-class %d --seed %d: %d synthetic one-second windows per class (sim/audio.Clip), network seed %d",
		*perClass, *seed, *perClass, cfg.Seed)
	if *withReal {
		dir, err := corpus.Dir()
		if err != nil {
			return err
		}
		recorded, recordedLabels, err := corpus.TrainingWindows(dir, *seed, corpus.MixesPerClass)
		if err != nil {
			return err
		}
		windows, labels = append(windows, recorded...), append(labels, recordedLabels...)
		note = fmt.Sprintf("avfusion train audio --per-class %d --seed %d: %d synthetic one-second windows per class (sim/audio.Clip) and %d of the real recordings' training split (corpus.TrainingWindows: %d sirens and horns each from the real ones, as many synthesised, over real background), network seed %d",
			*perClass, *seed, *perClass, len(recorded), corpus.MixesPerClass, cfg.Seed)
	}
	fmt.Fprintf(os.Stderr, "training on %d windows...\n", len(windows))
	cfg.Progress = func(epoch, epochs int) { fmt.Fprintf(os.Stderr, "training: epoch %d of %d done\n", epoch, epochs) }
	var c *acoustic.Classifier
	var write func(io.Writer) error
	if *model == "conv" {
		note = strings.Replace(note, "train audio", "train audio --model conv", 1)
		net, err := acoustic.TrainConv(windows, labels, acoustic.ConvShape, cfg, note)
		if err != nil {
			return err
		}
		if c, err = acoustic.NewConvClassifier(net); err != nil {
			return err
		}
		write = net.WriteJSON
	} else {
		net, err := acoustic.Train(windows, labels, cfg, note)
		if err != nil {
			return err
		}
		if c, err = acoustic.NewClassifier(net); err != nil {
			return err
		}
		write = net.WriteJSON
	}
	if err := writeWeights(*out, write); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s in %.0f s\n", *out, time.Since(began).Seconds())
	if *heldOut == 0 {
		return nil
	}

	testW, testL := synthWindows(*heldOut, *seed+1_000_003, "held-out")
	rep := evaluate(c, testW, testL)
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(rep)
	}
	fmt.Printf("held-out synthetic windows (%d per class, seed %d): accuracy %.3f\n", *heldOut, *seed+1_000_003, rep.Accuracy)
	for _, name := range acoustic.ClassNames {
		m := rep.Classes[name]
		fmt.Printf("  %-10s precision %.3f  recall %.3f\n", name, m.Precision, m.Recall)
	}
	return nil
}

// synthWindows synthesises n labelled windows of each class, interleaved,
// from one seeded stream.
func synthWindows(n int, seed uint64, what string) ([][]float64, []int) {
	rnd := rand.New(rand.NewPCG(seed, 0x617564696f))
	var windows [][]float64
	var labels []int
	last := time.Now()
	for i := range n * audio.NumClipClasses {
		class := i % audio.NumClipClasses
		w := make([]float64, acoustic.WindowSamples)
		audio.Clip(w, class, rnd)
		windows = append(windows, w)
		labels = append(labels, class)
		if time.Since(last) > 2*time.Second {
			fmt.Fprintf(os.Stderr, "synthesising %s windows: %d of %d\n", what, i+1, n*audio.NumClipClasses)
			last = time.Now()
		}
	}
	return windows, labels
}

// classReport is one class's precision and recall.
type classReport struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

type evalReport struct {
	Windows  int                    `json:"windows"`
	Accuracy float64                `json:"accuracy"`
	Classes  map[string]classReport `json:"classes"`
}

// evaluate classifies labelled windows and reports per-class precision
// and recall.
func evaluate(c *acoustic.Classifier, windows [][]float64, labels []int) evalReport {
	var tp, fp, fn [acoustic.NumClasses]int
	right := 0
	p := make([]float64, acoustic.NumClasses)
	for i, w := range windows {
		c.Classify(p, w)
		got := nn.Argmax(p)
		if got == labels[i] {
			right++
			tp[got]++
		} else {
			fp[got]++
			fn[labels[i]]++
		}
	}
	rep := evalReport{Windows: len(windows), Accuracy: float64(right) / float64(len(windows)), Classes: map[string]classReport{}}
	for k, name := range acoustic.ClassNames {
		rep.Classes[name] = classReport{Precision: ratio(tp[k], tp[k]+fp[k]), Recall: ratio(tp[k], tp[k]+fn[k])}
	}
	return rep
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// writeWeights creates the weight file at path and writes it with write.
func writeWeights(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(write(f), f.Close())
}
