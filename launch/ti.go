// Package launch is the ROS package directory of avfusion: the roslaunch
// files, package.xml, the RViz configuration, the default parameter file,
// and the built-in TI radar configuration, embedded so that the binary
// needs no file beside it.
package launch

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// BuiltinTIConfig names the TI radar configuration built into the binary:
// the IWR6843 out-of-box demo with a medium-range road chirp (81 m) at 20
// frames per second, as shipped in this directory.
const BuiltinTIConfig = "launch/ti/xwr68xx_medium_range.cfg"

//go:embed ti/xwr68xx_medium_range.cfg
var builtinTIConfig []byte

// shippedTI holds every TI configuration shipped in ti/, by file name.
//
//go:embed ti/*.cfg
var shippedTI embed.FS

// ShippedTIConfigs lists the file names of the TI configurations shipped
// in launch/ti (and built into the binary).
func ShippedTIConfigs() []string {
	entries, _ := shippedTI.ReadDir("ti") // embedded: cannot fail
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// ShippedTIConfig reads the shipped TI configuration of that file name
// (see ShippedTIConfigs) from the binary, whatever the working directory.
func ShippedTIConfig(name string) ([]mmwave.ConfigLine, error) {
	if !slices.Contains(ShippedTIConfigs(), name) {
		return nil, fmt.Errorf("radar config %q: not a shipped configuration (want one of %s)", name, strings.Join(ShippedTIConfigs(), ", "))
	}
	data, err := shippedTI.ReadFile("ti/" + name)
	if err != nil {
		return nil, fmt.Errorf("radar config %s: %w", name, err)
	}
	return mmwave.ReadConfig(bytes.NewReader(data))
}

// ReadTIConfig reads the TI .cfg file at path, or the built-in one when
// path is empty, so the node needs no file beside it.
func ReadTIConfig(path string) ([]mmwave.ConfigLine, error) {
	if path == "" {
		return mmwave.ReadConfig(bytes.NewReader(builtinTIConfig))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("radar config: %w", err)
	}
	lines, err := mmwave.ReadConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("radar config %s: %w", path, err)
	}
	return lines, nil
}
