package vision

import "github.com/avfusion/avfusion/perception"

// ImageDetection is one object found in an image: its class, a confidence
// in [0, 1] and its box in pixels.
type ImageDetection struct {
	Class perception.Class
	Score float64
	Box   Box
}
