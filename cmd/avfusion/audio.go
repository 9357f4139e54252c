package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/perception/acoustic/corpus"
	"github.com/avfusion/avfusion/perception/nn"
	"github.com/avfusion/avfusion/sensors/mic"
)

const audioUsage = "usage: avfusion audio classify FILE.{wav,ogg,mp3} [--json] [--array ARRAY.yaml] [--hop 0.5] | avfusion audio evaluate [--split test|external|train] [--weights FILE[,FILE]] [--clip 0.3s] [--json]"

type audioWindow struct {
	T       float64            `json:"t"`
	Class   string             `json:"class"`
	Probs   map[string]float64 `json:"probs"`
	Bearing *float64           `json:"bearing_rad,omitempty"`
}

type audioSummary struct {
	Windows int            `json:"windows"`
	Counts  map[string]int `json:"counts"`
	// Heard is what the file is heard as (acoustic.Hearing): siren when
	// the windows over SirenSeconds are siren, else horn when a window
	// is, else background.
	Heard string `json:"heard"`
	// SecondsOfSound is the file's length; a clip shorter than one
	// analysis window is repeated to fill it (Repeated), and a file with
	// no sound at all is reported Silent, its one window background.
	SecondsOfSound float64 `json:"seconds"`
	Repeated       bool    `json:"repeated,omitempty"`
	Silent         bool    `json:"silent,omitempty"`
}

// defaultArray guesses a geometry for a file without --array: a
// left-right pair 10 cm apart for two channels, otherwise a circle with
// neighbours 6.5 cm apart (a ReSpeaker-style square for four).
func defaultArray(channels int) calib.MicArray {
	if channels == 2 {
		return calib.MicLayout(2, 0.10)
	}
	return calib.MicLayout(channels, 0.065)
}

func runAudio(args []string) error {
	if len(args) > 0 && args[0] == "evaluate" {
		return evaluateAudio(args[1:])
	}
	if len(args) == 0 || args[0] != "classify" {
		return errors.New(audioUsage)
	}
	fs := flag.NewFlagSet("audio classify", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "one JSON line per window, then a summary line")
	arrayPath := fs.String("array", "", "microphone-array geometry (calib mic format) for the bearings; default: a 10 cm left-right pair for 2 channels, a circle with neighbours 6.5 cm apart otherwise (a square for 4)")
	hop := fs.Float64("hop", acoustic.WindowHopS, "seconds between analysis windows")
	path, err := parseWithFile(fs, args[1:], audioUsage)
	if err != nil {
		return err
	}
	if !(*hop >= 0.05) {
		return fmt.Errorf("--hop: at least 0.05 s, got %g", *hop)
	}
	chans, mono, err := readSound(path)
	if err != nil {
		return err
	}
	seconds := float64(len(mono)) / acoustic.SampleRate
	chans, mono, repeated := fillWindow(chans, mono)
	cls, err := acoustic.DefaultClassifier()
	if err != nil {
		return err
	}
	doa, err := bearingsFor(path, len(chans), *arrayPath)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	sum := audioSummary{Counts: map[string]int{}, SecondsOfSound: seconds, Repeated: repeated, Silent: silent(mono)}
	for _, name := range acoustic.ClassNames {
		sum.Counts[name] = 0
	}
	probs := make([]float64, acoustic.NumClasses)
	frame := make([][]float64, len(chans))
	step := int(*hop * acoustic.SampleRate)
	hearing, heard := acoustic.NewHearing(*hop, acoustic.SirenSeconds), acoustic.Background
	for start := 0; start+acoustic.WindowSamples <= len(mono); start += step {
		cls.Classify(probs, mono[start:start+acoustic.WindowSamples])
		if sum.Silent { // nothing to hear: background, surely
			clear(probs)
			probs[acoustic.Background] = 1
		}
		w := audioWindow{T: float64(start+acoustic.WindowSamples/2) / acoustic.SampleRate, Probs: map[string]float64{}}
		for i, name := range acoustic.ClassNames {
			w.Probs[name] = round3(probs[i])
		}
		w.Class = acoustic.ClassNames[nn.Argmax(probs)]
		if doa != nil {
			for off := 0; off+acoustic.FrameSize <= acoustic.WindowSamples; off += acoustic.Hop {
				for c := range chans {
					frame[c] = chans[c][start+off : start+off+acoustic.FrameSize]
				}
				doa.Add(frame)
			}
			if dir, ok := doa.Estimate(); ok {
				b := round3(dir.Bearing)
				w.Bearing = &b
			}
		}
		sum.Windows++
		sum.Counts[w.Class]++
		if h := hearing.Hear(nn.Argmax(probs)); h != acoustic.Background && heard != acoustic.Siren {
			heard = h
		}
		if err := printWindow(enc, w, probs, *asJSON); err != nil {
			return err
		}
	}
	sum.Heard = acoustic.ClassNames[heard]
	if *asJSON {
		return enc.Encode(sum)
	}
	note := ""
	switch {
	case sum.Silent:
		note = " (the file is silent)"
	case sum.Repeated:
		note = fmt.Sprintf(" (%.2f s of sound, repeated to fill one %.2f s window)", sum.SecondsOfSound, float64(acoustic.WindowSamples)/acoustic.SampleRate)
	}
	fmt.Printf("%d windows: %d siren, %d horn, %d background%s; heard: %s\n", sum.Windows, sum.Counts["siren"], sum.Counts["horn"], sum.Counts["background"], note, sum.Heard)
	return nil
}

// readSound reads a sound file (WAV, Ogg Vorbis, MP3) and returns its channels resampled to the
// classifier's rate and their mean; one analysis window at least.
func readSound(path string) (chans [][]float64, mono []float64, err error) {
	a, err := mic.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	chans = make([][]float64, len(a.Channels))
	for c, x := range a.Channels {
		chans[c] = mic.Resample(x, a.Rate, acoustic.SampleRate)
	}
	mono = make([]float64, len(chans[0]))
	for _, x := range chans {
		for i, v := range x {
			mono[i] += v / float64(len(chans))
		}
	}
	if len(mono) == 0 {
		return nil, nil, fmt.Errorf("%s: no samples", path)
	}
	return chans, mono, nil
}

// fillWindow loops a clip shorter than one analysis window until it
// fills one (acoustic.Loop: a 0.3 s horn stays a horn), each channel
// alike; longer clips are returned as they are.
func fillWindow(chans [][]float64, mono []float64) ([][]float64, []float64, bool) {
	if len(mono) >= acoustic.WindowSamples {
		return chans, mono, false
	}
	for c := range chans {
		chans[c] = acoustic.Loop(chans[c], acoustic.WindowSamples)
	}
	return chans, acoustic.Loop(mono, acoustic.WindowSamples), true
}

// silent reports whether a recording holds no sound: its RMS below
// -80 dBFS.
func silent(mono []float64) bool {
	sum := 0.0
	for _, v := range mono {
		sum += v * v
	}
	return math.Sqrt(sum/float64(len(mono))) < 1e-4
}

// bearingsFor returns the direction finder for a recording of n channels
// (nil for one channel), on the array in arrayPath or the default one.
func bearingsFor(path string, n int, arrayPath string) (*acoustic.DOA, error) {
	if n < 2 {
		return nil, nil
	}
	array := defaultArray(n)
	if arrayPath != "" {
		var err error
		if array, err = calib.ReadMicArray(arrayPath); err != nil {
			return nil, err
		}
	}
	if len(array.Microphones) != n {
		return nil, fmt.Errorf("%s has %d channels, the array %d microphones", path, n, len(array.Microphones))
	}
	return acoustic.NewDOA(array)
}

// printWindow prints one window's classification: a JSON line, or a
// sentence.
func printWindow(enc *json.Encoder, w audioWindow, probs []float64, asJSON bool) error {
	if asJSON {
		return enc.Encode(w)
	}
	line := fmt.Sprintf("%7.2f s  %-10s siren %.2f horn %.2f background %.2f", w.T, w.Class, probs[acoustic.Siren], probs[acoustic.Horn], probs[acoustic.Background])
	if w.Bearing != nil {
		line += fmt.Sprintf("  bearing %6.1f°", *w.Bearing*180/math.Pi)
	}
	fmt.Println(line)
	return nil
}

// audioEvaluation is what `audio evaluate --json` prints.
type audioEvaluation struct {
	Split      string            `json:"split"`
	Recordings classEvaluation   `json:"recordings"`
	Windows    classEvaluation   `json:"windows"`
	Wrong      map[string]string `json:"wrong"`
}

// classEvaluation is one level's confusion matrix (rows the truth,
// columns the answer, both in acoustic.ClassNames order) with each
// class's precision and recall.
type classEvaluation struct {
	Confusion corpus.Confusion       `json:"confusion"`
	Classes   map[string]classReport `json:"classes"`
}

func evaluationOf(c *corpus.Confusion) classEvaluation {
	e := classEvaluation{Confusion: *c, Classes: map[string]classReport{}}
	for k, name := range acoustic.ClassNames {
		e.Classes[name] = classReport{Precision: round3(c.Precision(k)), Recall: round3(c.Recall(k))}
	}
	return e
}

// evaluateAudio classifies every recording of a split of the real sound
// corpus (make sounds) with the shipped classifier and prints per-class
// precision and recall and the confusion matrix, per recording and per
// window (corpus.Evaluate).
func evaluateAudio(args []string) error {
	fs := flag.NewFlagSet("audio evaluate", flag.ContinueOnError)
	split := fs.String("split", "test", "which recordings: test (never trained on), external (another package, never trained on nor used to choose the model) or train")
	asJSON := fs.Bool("json", false, "print one JSON object")
	weights := fs.String("weights", "", "networks `avfusion train audio --out` wrote, comma-separated, combined as the shipped ones are (default: the shipped ones)")
	clip := fs.Duration("clip", 0, "hear each recording only by its loudest stretch this long (0.3s: is a 0.3 s horn a horn?); 0: whole recordings")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*split != "test" && *split != "train" && *split != "external") || *clip < 0 {
		return errors.New("usage: avfusion audio evaluate [--split test|external|train] [--weights FILE[,FILE]] [--clip 0.3s] [--json]")
	}
	dir, err := corpus.Dir()
	if err != nil {
		return err
	}
	all, err := corpus.List(dir)
	if err != nil {
		return fmt.Errorf("audio evaluate: %w (make sounds installs the recordings)", err)
	}
	var recs []corpus.Recording
	for _, r := range all {
		if r.Split.String() == *split {
			recs = append(recs, r)
		}
	}
	cls, err := audioClassifier(*weights)
	if err != nil {
		return err
	}
	rep, err := corpus.Evaluate(cls, dir, recs, int(clip.Seconds()*acoustic.SampleRate))
	if err != nil {
		return err
	}
	out := audioEvaluation{Split: *split, Recordings: evaluationOf(&rep.Recordings), Windows: evaluationOf(&rep.Windows), Wrong: rep.Wrong}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	for _, level := range []struct {
		name string
		e    classEvaluation
	}{{"recordings", out.Recordings}, {"windows", out.Windows}} {
		fmt.Printf("%s of the %s split (rows: truth; columns: answer %v)\n", level.name, *split, acoustic.ClassNames)
		for k, name := range acoustic.ClassNames {
			m := level.e.Classes[name]
			fmt.Printf("  %-10s %5d %5d %5d   precision %.3f  recall %.3f\n", name, level.e.Confusion[k][0], level.e.Confusion[k][1], level.e.Confusion[k][2], m.Precision, m.Recall)
		}
	}
	return nil
}

// audioClassifier is the networks in the comma-separated weight files,
// combined, or the shipped ones for an empty list.
func audioClassifier(paths string) (*acoustic.Classifier, error) {
	if paths == "" {
		return acoustic.DefaultClassifier()
	}
	var cs []*acoustic.Classifier
	for path := range strings.SplitSeq(paths, ",") {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--weights: %w", err)
		}
		c, err := acoustic.ReadClassifier(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("--weights %s: %w", path, err)
		}
		cs = append(cs, c)
	}
	return acoustic.Combine(cs...), nil
}
