package vision

import "github.com/avfusion/avfusion/perception"

// ImageDetection is one object found in an image: its class, a confidence
// in [0, 1] and its box in pixels.
type ImageDetection struct {
	Class perception.Class
	Score float64
	Box   Box
}

// ClassScores spreads a detector's confidence over the classes: score on
// the class it found, the rest shared evenly among the others.
func ClassScores(c perception.Class, score float64) perception.ClassProbs {
	score = min(max(score, 0), 1)
	var p perception.ClassProbs
	for i := range p {
		p[i] = (1 - score) / float64(perception.NumClasses-1)
	}
	p[c] = score
	return p
}
