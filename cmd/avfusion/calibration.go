package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion/learned"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/ros"
)

// calibrationBins is the number of equal-width confidence bins of a
// reliability diagram.
const calibrationBins = 10

// reliability is a reliability diagram: per confidence bin, how many
// judgements fell in it, their mean confidence and how often they were
// right; and the expected calibration error, the count-weighted mean gap.
type reliability struct {
	Bins []reliabilityBin `json:"bins"`
	ECE  float64          `json:"ece"`
	N    int              `json:"n"`
}

type reliabilityBin struct {
	Count      int     `json:"count"`
	Confidence float64 `json:"confidence"`
	Accuracy   float64 `json:"accuracy"`
}

// diagram builds the reliability diagram of judgements with confidence
// conf[i] that were right[i].
func diagram(conf []float64, right []bool) reliability {
	r := reliability{Bins: make([]reliabilityBin, calibrationBins), N: len(conf)}
	for i, c := range conf {
		b := &r.Bins[min(int(c*calibrationBins), calibrationBins-1)]
		b.Count++
		b.Confidence += c
		if right[i] {
			b.Accuracy++
		}
	}
	for i := range r.Bins {
		b := &r.Bins[i]
		if b.Count == 0 {
			continue
		}
		b.Confidence /= float64(b.Count)
		b.Accuracy /= float64(b.Count)
		gap := b.Confidence - b.Accuracy
		r.ECE += float64(b.Count) / float64(len(conf)) * max(gap, -gap)
	}
	return r
}

// runEvalCalibration measures how well the shipped fusion head's
// probabilities are calibrated, on random scenarios it was not trained on
// (seeds past the training set's): its existence probability against
// whether the track matched a true object, and its class probability
// against whether that was the object's class.
func runEvalCalibration(args []string) error {
	fs := flag.NewFlagSet("eval calibration", flag.ContinueOnError)
	scenarios := fs.Int("scenarios", 40, "held-out random scenarios (sim.RandomScenario)")
	seed := fs.Uint64("seed", 1001, "seed of the first scenario (training uses 1 to 200)")
	duration := fs.Duration("duration", 15*time.Second, "length of each scenario")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scenarios < 1 || *duration < time.Second {
		return errors.New("--scenarios: at least 1; --duration: at least 1s")
	}
	cfg, err := layeredConfig("", nil, ros.Args{}, nil)
	if err != nil {
		return err
	}
	cfg.FusionHead = config.Bayes // the head is applied below, to the same evidence
	evidence, labels, err := fusionSamples(&cfg, *scenarios, *seed, *duration, 4)
	if err != nil {
		return err
	}
	head, err := learned.Shipped()
	if err != nil {
		return err
	}
	var exist, class []float64
	var isReal, rightClass []bool
	for i := range evidence {
		probs := perception.Uniform()
		e := head.Judge(&evidence[i], &probs)
		exist, isReal = append(exist, e), append(isReal, labels[i] != learned.None)
		if labels[i] != learned.None {
			c, p := probs.Argmax()
			class, rightClass = append(class, p), append(rightClass, learned.Label(true, c) == labels[i])
		}
	}
	out := struct {
		Existence reliability `json:"existence"`
		Class     reliability `json:"class"`
	}{diagram(exist, isReal), diagram(class, rightClass)}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	for _, d := range []struct {
		name string
		r    reliability
	}{{"existence", out.Existence}, {"class", out.Class}} {
		fmt.Printf("%s: %d judgements, expected calibration error %.3f\n", d.name, d.r.N, d.r.ECE)
		for i, b := range d.r.Bins {
			if b.Count > 0 {
				fmt.Printf("  %.1f-%.1f  %6d  confidence %.3f  accuracy %.3f\n", float64(i)/calibrationBins, float64(i+1)/calibrationBins, b.Count, b.Confidence, b.Accuracy)
			}
		}
	}
	return nil
}
