package nn

import (
	"errors"
	"fmt"
	"io"
)

// Conv is one convolution layer over a stack of 2-D maps: Out maps from
// In, each output a sum of In K×K kernels (K odd, zero padding keeps the
// map's size) plus a bias. W is indexed [out][in][ky][kx]. ReLU and 2×2
// max pooling (halving each side, an odd last row or column dropped)
// follow it.
type Conv struct {
	In  int       `json:"in"`
	Out int       `json:"out"`
	K   int       `json:"k"`
	W   []float64 `json:"w"`
	B   []float64 `json:"b"`
}

// ConvNet is a small convolutional network on one-channel patches of
// Height × Width values (row-major): each value standardised by the one
// Mean and Std of the training data, then Convs, then the last pooled
// maps flattened into the dense Layers (ReLU between, softmax over
// Classes at the end).
type ConvNet struct {
	Classes []string `json:"classes"`
	Height  int      `json:"height"`
	Width   int      `json:"width"`
	Mean    float64  `json:"mean"`
	Std     float64  `json:"std"`
	Convs   []Conv   `json:"convs"`
	Layers  []Layer  `json:"layers"`
	// Note says how the weights were made, for the reader of the file.
	Note string `json:"note,omitempty"`
}

// mapSizes returns the height and width of the maps entering conv layer
// i (i == len(Convs): those entering the dense layers).
func (n *ConvNet) mapSizes(i int) (h, w int) {
	h, w = n.Height, n.Width
	for range i {
		h, w = h/2, w/2
	}
	return h, w
}

// Validate checks that the shapes fit together.
func (n *ConvNet) Validate() error {
	if len(n.Convs) == 0 || len(n.Layers) == 0 {
		return errors.New("nn: a convolutional network needs convolution and dense layers")
	}
	if !(n.Std > 0) {
		return errors.New("nn: the input deviation is not positive")
	}
	maps := 1
	for i, c := range n.Convs {
		h, w := n.mapSizes(i + 1)
		if c.In != maps || c.Out <= 0 || c.K <= 0 || c.K%2 == 0 || len(c.W) != c.Out*c.In*c.K*c.K || len(c.B) != c.Out || h < 1 || w < 1 {
			return fmt.Errorf("nn: convolution %d: %d→%d maps of %d×%d kernels with %d weights and %d biases does not follow %d maps of %d×%d",
				i, c.In, c.Out, c.K, c.K, len(c.W), len(c.B), maps, h*2, w*2)
		}
		maps = c.Out
	}
	h, w := n.mapSizes(len(n.Convs))
	in := maps * h * w
	for i, l := range n.Layers {
		if l.In != in || l.Out <= 0 || len(l.W) != l.In*l.Out || len(l.B) != l.Out {
			return fmt.Errorf("nn: dense layer %d: %d×%d with %d weights and %d biases does not follow %d inputs", i, l.Out, l.In, len(l.W), len(l.B), in)
		}
		in = l.Out
	}
	if in != len(n.Classes) {
		return fmt.Errorf("nn: %d outputs for %d classes", in, len(n.Classes))
	}
	return nil
}

// ConvScratch holds one inference's maps; reuse it so Predict allocates
// nothing.
type ConvScratch struct {
	in     []float64
	maps   [][]float64 // each convolution's output before pooling
	pooled [][]float64 // and after
	at     [][]int32   // where each pooled value came from (training)
	dense  [][]float64 // each dense layer's output
}

// NewScratch returns scratch space sized for n.
func (n *ConvNet) NewScratch() *ConvScratch {
	s := &ConvScratch{in: make([]float64, n.Height*n.Width)}
	for i, c := range n.Convs {
		h, w := n.mapSizes(i)
		s.maps = append(s.maps, make([]float64, c.Out*h*w))
		s.pooled = append(s.pooled, make([]float64, c.Out*(h/2)*(w/2)))
		s.at = append(s.at, make([]int32, c.Out*(h/2)*(w/2)))
	}
	for _, l := range n.Layers {
		s.dense = append(s.dense, make([]float64, l.Out))
	}
	return s
}

// Predict writes the class probabilities of patch x (Height × Width) to
// dst (len Classes) and returns it.
func (n *ConvNet) Predict(dst, x []float64, s *ConvScratch) []float64 {
	for i, v := range x[:len(s.in)] {
		s.in[i] = (v - n.Mean) / n.Std
	}
	in := s.in
	for i := range n.Convs {
		h, w := n.mapSizes(i)
		n.Convs[i].forward(s.maps[i], in, h, w)
		pool(s.pooled[i], s.at[i], s.maps[i], n.Convs[i].Out, h, w)
		in = s.pooled[i]
	}
	for li := range n.Layers {
		out := s.dense[li]
		n.Layers[li].forward(out, in)
		if li < len(n.Layers)-1 {
			for j, v := range out {
				out[j] = max(v, 0)
			}
		}
		in = out
	}
	softmax(dst, in)
	return dst
}

// forward computes the output maps (Out × h × w) from the input maps
// (In × h × w): each kernel weight adds its shifted input map at once,
// row by row, so the inner loop runs over contiguous values.
func (c *Conv) forward(out, in []float64, h, w int) {
	size, p := h*w, c.K/2
	for o := range c.Out {
		om := out[o*size : (o+1)*size]
		for j := range om {
			om[j] = c.B[o]
		}
		for i := range c.In {
			im := in[i*size : (i+1)*size]
			for ky := range c.K {
				dy := ky - p
				for kx := range c.K {
					dx := kx - p
					k := c.W[((o*c.In+i)*c.K+ky)*c.K+kx]
					x0, x1 := max(0, -dx), min(w, w-dx)
					for y := max(0, -dy); y < min(h, h-dy); y++ {
						orow := om[y*w+x0 : y*w+x1]
						irow := im[(y+dy)*w+x0+dx : (y+dy)*w+x1+dx]
						for x, v := range irow {
							orow[x] += k * v
						}
					}
				}
			}
		}
	}
}

// backward adds the gradient of the loss with respect to the weights
// (gw, gb) given its gradient d at the output maps, and, if din is not
// nil, writes its gradient with respect to the input maps there.
func (c *Conv) backward(gw, gb, din, in, d []float64, h, w int) {
	size, p := h*w, c.K/2
	if din != nil {
		clear(din)
	}
	for o := range c.Out {
		dm := d[o*size : (o+1)*size]
		for _, v := range dm {
			gb[o] += v
		}
		for i := range c.In {
			im := in[i*size : (i+1)*size]
			for ky := range c.K {
				dy := ky - p
				for kx := range c.K {
					dx := kx - p
					at := ((o*c.In+i)*c.K+ky)*c.K + kx
					k, g := c.W[at], 0.0
					x0, x1 := max(0, -dx), min(w, w-dx)
					for y := max(0, -dy); y < min(h, h-dy); y++ {
						drow := dm[y*w+x0 : y*w+x1]
						irow := im[(y+dy)*w+x0+dx : (y+dy)*w+x1+dx]
						for x, v := range drow {
							g += v * irow[x]
						}
						if din != nil {
							dirow := din[i*size+(y+dy)*w+x0+dx : i*size+(y+dy)*w+x1+dx]
							for x, v := range drow {
								dirow[x] += k * v
							}
						}
					}
					gw[at] += g
				}
			}
		}
	}
}

// pool applies ReLU and 2×2 max pooling to maps (m of h × w), writing
// the pooled maps to out and, for each, the index in maps it came from
// to at.
func pool(out []float64, at []int32, maps []float64, m, h, w int) {
	ph, pw := h/2, w/2
	j := 0
	for c := range m {
		base := c * h * w
		for y := range ph {
			for x := range pw {
				first := base + 2*y*w + 2*x
				best := first
				for _, k := range [3]int{1, w, w + 1} {
					if maps[first+k] > maps[best] {
						best = first + k
					}
				}
				out[j], at[j] = max(maps[best], 0), int32(best)
				j++
			}
		}
	}
}

// WriteJSON writes the network; the same network always gives the same
// bytes.
func (n *ConvNet) WriteJSON(w io.Writer) error { return writeJSON(w, n) }

// ReadConvJSON reads and validates a network written by
// ConvNet.WriteJSON.
func ReadConvJSON(r io.Reader) (*ConvNet, error) { return readJSON[ConvNet](r) }
