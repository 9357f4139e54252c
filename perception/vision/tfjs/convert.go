package tfjs

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// ToONNX converts the part of the graph that computes outputs (node
// names) from its one Placeholder into an ONNX model (opset 10) whose
// input is NCHW, size×size pixels, and whose outputs carry the same
// names, NCHW. The graph's resizes to constant sizes, fixed for the
// input size it was exported with, become scale factors. OpenCV fixes
// every shape when it reads a model, so each input size is a model of
// its own.
func (g *Graph) ToONNX(outputs []string, size int) ([]byte, error) {
	c := &converter{g: g, m: &onnxModel{opset: 10, outputs: outputs}, done: map[string]bool{}, size: map[string]int{}, input: size}
	for _, out := range outputs {
		if g.byName[out] == nil {
			return nil, fmt.Errorf("tfjs: no node %q", out)
		}
	}
	for _, out := range outputs {
		if err := c.visit(out); err != nil {
			return nil, err
		}
	}
	if c.m.input == "" {
		return nil, errors.New("tfjs: the outputs do not depend on an input")
	}
	return c.m.marshal(), nil
}

// converter walks the graph from the outputs back to the input and emits
// ONNX nodes in dependency order.
type converter struct {
	g       *Graph
	m       *onnxModel
	done    map[string]bool
	size    map[string]int // spatial size of each node's output at the exported input size
	nominal int            // that size
	input   int            // the ONNX model's input size
	consts  int
}

func (c *converter) visit(name string) error {
	if c.done[name] {
		return nil
	}
	c.done[name] = true
	n := c.g.byName[name]
	if n == nil {
		return fmt.Errorf("tfjs: input %q names no node", name)
	}
	if n.Op == "Const" {
		return nil
	}
	for _, in := range n.Inputs {
		if err := c.visit(source(in)); err != nil {
			return err
		}
	}
	if err := c.emit(n); err != nil {
		return fmt.Errorf("tfjs: node %s (%s): %w", n.Name, n.Op, err)
	}
	return nil
}

// constOf returns the constant behind input k of n, or nil.
func (c *converter) constOf(n *Node, k int) *Tensor {
	if k >= len(n.Inputs) {
		return nil
	}
	return c.g.Consts[n.input(k)]
}

func (c *converter) node(op, name string, inputs []string, attrs ...onnxAttr) {
	c.m.nodes = append(c.m.nodes, onnxNode{op: op, name: name, inputs: inputs, outs: []string{name}, attrs: attrs})
}

// initializer adds a float constant and returns its name.
func (c *converter) initializer(base string, dims []int64, data []float32) string {
	c.consts++
	name := fmt.Sprintf("%s/const%d", base, c.consts)
	c.m.initializers = append(c.m.initializers, onnxTensor{name: name, dims: dims, floats: data})
	return name
}

// nhwcAxis maps a TensorFlow NHWC axis to ONNX's NCHW.
func nhwcAxis(a int) int64 {
	if a < 0 {
		a += 4
	}
	return [4]int64{0, 2, 3, 1}[a]
}

func (c *converter) emit(n *Node) error {
	in := n.input
	c.size[n.Name] = c.size[in(0)]
	switch n.Op {
	case "Placeholder":
		shape := n.Attr["shape"].Shape.Dim
		if len(shape) != 4 || shape[3].Size != "3" || shape[1].Size != shape[2].Size {
			return errors.New("the input is not a square NHWC RGB image")
		}
		nominal, err := strconv.Atoi(shape[1].Size)
		if err != nil || nominal <= 0 {
			return errors.New("the input's size is not fixed")
		}
		c.m.input = n.Name
		c.m.inputDims = []any{int64(1), int64(3), int64(c.input), int64(c.input)}
		c.nominal = nominal
		c.size[n.Name] = nominal
	case "Identity":
		c.node("Identity", n.Name, []string{in(0)})
	case "_FusedConv2D", "FusedDepthwiseConv2dNative", "Conv2D", "DepthwiseConv2dNative":
		return c.conv(n)
	case "Relu", "Sigmoid":
		c.node(n.Op, n.Name, []string{in(0)})
	case "Relu6":
		c.node("Clip", n.Name, []string{in(0)}, floatAttr("max", 6), floatAttr("min", 0))
	case "Add", "AddV2", "Mul", "Sub":
		return c.binary(n)
	case "Mean":
		axes := c.constOf(n, 1)
		if axes == nil || !n.Attr["keep_dims"].B {
			return errors.New("only constant axes with keep_dims")
		}
		var onnxAxes []int64
		for _, a := range axes.Data {
			onnxAxes = append(onnxAxes, nhwcAxis(int(a)))
		}
		slices.Sort(onnxAxes)
		c.node("ReduceMean", n.Name, []string{in(0)}, intsAttr("axes", onnxAxes...), intAttr("keepdims", 1))
		if slices.Equal(onnxAxes, []int64{2, 3}) {
			c.size[n.Name] = 1
		}
	case "ConcatV2":
		axis := c.constOf(n, len(n.Inputs)-1)
		if axis == nil {
			return errors.New("the axis is not a constant")
		}
		var ins []string
		for k := range len(n.Inputs) - 1 {
			ins = append(ins, in(k))
		}
		c.node("Concat", n.Name, ins, intAttr("axis", nhwcAxis(int(axis.Data[0]))))
	case "ResizeBilinear":
		return c.resize(n)
	default:
		return errors.New("operation not supported")
	}
	return nil
}

// conv emits a 2-D or depthwise convolution with its fused bias and
// activation. TensorFlow's filters are HWIO (HWCM for depthwise); ONNX
// wants OIHW. SAME padding puts the odd pixel at the end, as
// SAME_UPPER does.
func (c *converter) conv(n *Node) error {
	w := c.constOf(n, 1)
	if w == nil || len(w.Shape) != 4 {
		return errors.New("the filter is not a constant 4-D tensor")
	}
	strides, err := n.Attr["strides"].ints()
	if err != nil || len(strides) != 4 {
		return errors.New("bad strides")
	}
	dil, _ := n.Attr["dilations"].ints()
	if len(dil) != 4 {
		dil = []int64{1, 1, 1, 1}
	}
	kh, kw, ci, co := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	depthwise := n.Op == "FusedDepthwiseConv2dNative" || n.Op == "DepthwiseConv2dNative"
	var dims []int64
	data := make([]float32, len(w.Data))
	group := int64(1)
	if depthwise { // HWCM → (C·M)×1×H×W
		dims, group = []int64{int64(ci * co), 1, int64(kh), int64(kw)}, int64(ci)
		for y := range kh {
			for x := range kw {
				for ch := range ci {
					for m := range co {
						data[((ch*co+m)*kh+y)*kw+x] = w.Data[((y*kw+x)*ci+ch)*co+m]
					}
				}
			}
		}
	} else { // HWIO → OIHW
		dims = []int64{int64(co), int64(ci), int64(kh), int64(kw)}
		for y := range kh {
			for x := range kw {
				for i := range ci {
					for o := range co {
						data[((o*ci+i)*kh+y)*kw+x] = w.Data[((y*kw+x)*ci+i)*co+o]
					}
				}
			}
		}
	}
	inputs := []string{n.input(0), c.initializer(n.Name, dims, data)}
	fused := n.Attr["fused_ops"].strs()
	activation := ""
	switch {
	case len(fused) == 0:
	case fused[0] == "BiasAdd" && len(fused) <= 2:
		b := c.constOf(n, 2)
		if b == nil {
			return errors.New("the bias is not a constant")
		}
		inputs = append(inputs, c.initializer(n.Name, []int64{int64(len(b.Data))}, b.Data))
		if len(fused) == 2 {
			activation = fused[1]
		}
	default:
		return fmt.Errorf("fused operations %v not supported", fused)
	}
	padding := n.Attr["padding"].str()
	convName := n.Name
	if activation != "" {
		convName += "/conv"
	}
	var pads []int64
	stride := int(strides[1])
	size := c.size[n.input(0)]
	switch padding {
	case "SAME":
		outSize := (size + stride - 1) / stride
		ph := max((outSize-1)*stride+(kh-1)*int(dil[1])+1-size, 0)
		pw := max((outSize-1)*stride+(kw-1)*int(dil[2])+1-size, 0)
		pads = []int64{int64(ph / 2), int64(pw / 2), int64(ph - ph/2), int64(pw - pw/2)}
		c.size[n.Name] = outSize
	case "VALID":
		pads = []int64{0, 0, 0, 0}
		c.size[n.Name] = (size-(kh-1)*int(dil[1])-1)/stride + 1
	default:
		return fmt.Errorf("padding %q not supported", padding)
	}
	c.node("Conv", convName, inputs, intsAttr("dilations", dil[1], dil[2]), intAttr("group", group),
		intsAttr("kernel_shape", int64(kh), int64(kw)), intsAttr("pads", pads...), intsAttr("strides", strides[1], strides[2]))
	switch activation {
	case "":
	case "Relu":
		c.node("Relu", n.Name, []string{convName})
	case "Relu6":
		c.node("Clip", n.Name, []string{convName}, floatAttr("max", 6), floatAttr("min", 0))
	default:
		return fmt.Errorf("activation %s not supported", activation)
	}
	return nil
}

// binary emits an element-wise operation; a constant operand becomes an
// initializer shaped to broadcast over NCHW (a scalar as [1], a
// per-channel vector as [1, C, 1, 1]).
func (c *converter) binary(n *Node) error {
	op := map[string]string{"Add": "Add", "AddV2": "Add", "Mul": "Mul", "Sub": "Sub"}[n.Op]
	var ins []string
	for k := range 2 {
		t := c.constOf(n, k)
		if t == nil {
			ins = append(ins, n.input(k))
			if c.size[n.input(k)] > c.size[n.Name] {
				c.size[n.Name] = c.size[n.input(k)]
			}
			continue
		}
		switch {
		case len(t.Data) == 1:
			ins = append(ins, c.initializer(n.Name, []int64{1}, t.Data))
		case len(t.Shape) >= 1 && t.Shape[len(t.Shape)-1] == len(t.Data):
			ins = append(ins, c.initializer(n.Name, []int64{1, int64(len(t.Data)), 1, 1}, t.Data))
		default:
			return fmt.Errorf("constant operand of shape %v not supported", t.Shape)
		}
	}
	c.node(op, n.Name, ins)
	return nil
}

// resize emits a bilinear resize to a constant size as a Resize by the
// scale that size is of the input at the nominal size, with TensorFlow's
// asymmetric coordinates (align_corners and half_pixel_centers false).
func (c *converter) resize(n *Node) error {
	size := c.constOf(n, 1)
	if size == nil || len(size.Data) != 2 {
		return errors.New("the size is not a constant pair")
	}
	if n.Attr["align_corners"].B || n.Attr["half_pixel_centers"].B {
		return errors.New("only align_corners and half_pixel_centers false")
	}
	from := c.size[n.input(0)]
	if from == 0 {
		return errors.New("the input size is unknown")
	}
	scale := float32(size.Data[0]) / float32(from)
	scales := c.initializer(n.Name, []int64{4}, []float32{1, 1, scale, float32(size.Data[1]) / float32(from)})
	c.size[n.Name] = int(size.Data[0])
	c.node("Resize", n.Name, []string{n.input(0), scales},
		stringAttr("coordinate_transformation_mode", "asymmetric"), stringAttr("mode", "linear"))
	return nil
}
