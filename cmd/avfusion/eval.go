package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/avfusion/avfusion/sim/eval"
)

func runEval(args []string) error {
	if len(args) > 0 && args[0] == "calibration" {
		return runEvalCalibration(args[1:])
	}
	if len(args) > 0 && args[0] != "mot" {
		return runEvalSuite(args)
	}
	if len(args) == 0 {
		return errors.New("usage: avfusion eval mot --gt GT.txt --test TEST.txt [--iou 0.5] [--json]\n   or: " + evalSuiteUsage[len("usage: "):])
	}
	fs := flag.NewFlagSet("eval mot", flag.ContinueOnError)
	gtPath := fs.String("gt", "", "ground truth in MOTChallenge format (frame,id,left,top,width,height,conf,...)")
	testPath := fs.String("test", "", "tracker output in MOTChallenge format")
	iou := fs.Float64("iou", 0.5, "minimum intersection over union for a match")
	minConf := fs.Float64("gt-min-confidence", 1, "ignore ground-truth rows with a lower confidence (MOTChallenge marks ignored rows with 0)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case *gtPath == "":
		return errors.New("--gt: missing")
	case *testPath == "":
		return errors.New("--test: missing")
	case !(*iou > 0 && *iou <= 1):
		return fmt.Errorf("--iou: must be in (0, 1], got %g", *iou)
	}
	gt, err := eval.ReadMOTFile(*gtPath, *minConf)
	if err != nil {
		return err
	}
	test, err := eval.ReadMOTFile(*testPath, math.Inf(-1))
	if err != nil {
		return err
	}
	m := eval.Evaluate(gt, test, eval.IoUDistance(*iou))
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(m)
	}
	fmt.Printf("IDF1 %.4f  IDP %.4f  IDR %.4f\nrecall %.4f  precision %.4f\nMOTA %.4f  MOTP %.4f (mean 1-IoU)\n"+
		"switches %d  false positives %d  misses %d  fragmentations %d\n"+
		"objects %d: mostly tracked %d, partially tracked %d, mostly lost %d\n",
		m.IDF1, m.IDP, m.IDR, m.Recall, m.Precision, m.MOTA, m.MOTP,
		m.Switches, m.FalsePositives, m.Misses, m.Fragmentations,
		m.UniqueObjects, m.MostlyTracked, m.PartiallyTracked, m.MostlyLost)
	return nil
}
