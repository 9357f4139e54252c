package mmwave_test

import (
	"fmt"
	"os"

	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// Decode the data-port bytes of a TI radar running the out-of-box demo
// (here a capture from an IWR6843): the scanner finds each frame by its
// magic word, whatever the chunks the bytes arrive in.
func ExampleScanner() {
	data, err := os.ReadFile("../../../testdata/ti-mmwave/xwr68xx_processed_stream_2019_12_04T21_44_51_663.dat")
	if err != nil {
		panic(err)
	}
	s := mmwave.NewScanner(mmwave.DefaultOpts())
	var f mmwave.Frame
	frames, points := 0, 0
	for len(data) > 0 {
		n := s.Feed(data[:min(4096, len(data))]) // as a serial read would deliver them
		data = data[n:]
		for s.Next(&f) {
			frames++
			points += len(f.Points)
		}
	}
	fmt.Printf("%d frames, %d points; the last is frame %d\n", frames, points, f.FrameNumber)
	// Output: 101 frames, 825 points; the last is frame 309
}
