// Command avfusion is the avfusion sensor-fusion node and its tools. Each
// subcommand lives in its own file; main only dispatches.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

var commands = []struct {
	name, summary string
	run           func(args []string) error
}{
	{"run", "run the node on live sensors: a TI radar on serial ports and/or ROS topics", runLive},
	{"sim", "run the node on a simulated scenario (optionally publishing on ROS)", runSim},
	{"replay", "run the node on a recorded bag (replay IN.bag --out OUT.bag --fast)", runReplay},
	{"audio", "sound tools (audio classify FILE.wav: siren, horn or background per window, and the bearing)", runAudio},
	{"calib", "calibration (calib camera | radar-camera | time-offset | mic)", runCalib},
	{"camera", "camera tools (camera detect SOURCE: detect objects in a video, device or stream)", runCamera},
	{"radar", "TI mmWave radar tools (radar decode FILE, radar emulate --scenario F)", runRadar},
	{"bag", "ROS bag tools (bag info FILE)", runBag},
	{"eval", "score the tracker on scenarios (eval --scenarios DIR [--ablation]) or MOT files (eval mot ...)", runEval},
	{"train", "train the shipped networks (train audio, train fusion)", runTrain},
	{"version", "print the version", runVersion},
}

// parseWithFile parses fs from args that hold one file argument before or
// after the flags, and returns the file; usage is the error without one.
func parseWithFile(fs *flag.FlagSet, args []string, usage string) (string, error) {
	var path string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		path, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if path == "" && fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	if path == "" || fs.NArg() > 1 || (fs.NArg() == 1 && fs.Arg(0) != path) {
		return "", errors.New(usage)
	}
	return path, nil
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: avfusion COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(os.Stderr, "\n'avfusion COMMAND -h' lists a command's flags.")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	for _, c := range commands {
		if c.name == os.Args[1] {
			if err := c.run(os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "avfusion %s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	if os.Args[1] != "-h" && os.Args[1] != "--help" && os.Args[1] != "help" {
		fmt.Fprintf(os.Stderr, "avfusion: unknown command %q\n\n", os.Args[1])
	}
	usage()
	os.Exit(2)
}
