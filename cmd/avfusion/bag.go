package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/avfusion/avfusion/ros/bag"
)

func runBag(args []string) error {
	if len(args) == 0 || args[0] != "info" {
		return errors.New("usage: avfusion bag info FILE [--json]")
	}
	fs := flag.NewFlagSet("bag info", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object")
	path, err := parseWithFile(fs, args[1:], "usage: avfusion bag info FILE [--json]")
	if err != nil {
		return err
	}
	f, err := bag.Open(path)
	if err != nil {
		return err
	}
	defer f.Close() //nolint:errcheck // read-only
	info := f.Info()
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(info)
	}
	fmt.Printf("path:        %s\nversion:     %s\n", path, info.Version)
	if info.Start == nil {
		fmt.Println("messages:    0 (no chunks)")
		return nil
	}
	fmt.Printf("duration:    %.6f s\nstart:       %.6f\nend:         %.6f\nmessages:    %d\ncompression: %s\ntopics:\n",
		*info.DurationS, *info.Start, *info.End, info.Messages, info.Compression)
	for _, t := range info.Topics {
		fmt.Printf("  %-40s %8d msgs  %s [%s]\n", t.Name, t.Count, t.Type, t.MD5)
	}
	return nil
}
