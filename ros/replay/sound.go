package replay

import (
	"fmt"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/perception/acoustic"
)

// newListener locates the array from the configuration's geometry file
// or, failing that, from what `avfusion sim --bag` wrote in the
// connection header; it returns nil when neither is there. A siren is
// reported once it has lasted sirenSeconds.
func newListener(arrayFile, header string, rate int, sirenSeconds float64) (*acoustic.Listener, error) {
	var array calib.MicArray
	var err error
	switch {
	case arrayFile != "":
		array, err = calib.ReadMicArray(arrayFile)
	case header != "":
		array, err = calib.ParseMicPositions(header)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("replay: microphone array: %w", err)
	}
	l, err := acoustic.NewListener(array, rate, sirenSeconds)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	return l, nil
}
