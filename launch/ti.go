// Package launch is the ROS package directory of avfusion: the roslaunch
// files, package.xml, the RViz configuration, the default parameter file,
// and the built-in TI radar configuration, embedded so that the binary
// needs no file beside it.
package launch

import (
	"bytes"
	_ "embed" // the built-in TI radar configuration
	"fmt"
	"os"

	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// BuiltinTIConfig names the TI radar configuration built into the binary:
// the IWR6843 out-of-box demo with a medium-range road chirp (81 m) at 20
// frames per second, as shipped in this directory.
const BuiltinTIConfig = "launch/ti/xwr68xx_medium_range.cfg"

//go:embed ti/xwr68xx_medium_range.cfg
var builtinTIConfig []byte

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
