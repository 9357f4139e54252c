// Package tfjs reads a TensorFlow.js graph model (model.json and its
// weight files) and converts it to ONNX for OpenCV's DNN module, which
// cannot read TensorFlow.js: fused operations undone, NHWC turned into
// NCHW, Relu6 as an opset-10 Clip and bilinear resizing as an asymmetric
// Resize, the two forms OpenCV 4.6 accepts.
package tfjs

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Node is one operation of the graph.
type Node struct {
	Name   string          `json:"name"`
	Op     string          `json:"op"`
	Inputs []string        `json:"input"`
	Attr   map[string]attr `json:"attr"`
}

// attr is a TensorFlow attribute value as TensorFlow.js writes it: one of
// a string (base64), a bool, a float, an integer (as a string) or a list.
type attr struct {
	S    string   `json:"s"`
	B    bool     `json:"b"`
	F    *float64 `json:"f"`
	I    string   `json:"i"`
	List struct {
		I []string `json:"i"`
		S []string `json:"s"`
	} `json:"list"`
	Shape struct {
		Dim []struct {
			Size string `json:"size"`
		} `json:"dim"`
	} `json:"shape"`
}

// Tensor is a constant: its shape and values (integers are stored as
// float32, exactly for the small indices and sizes a graph holds).
type Tensor struct {
	Shape []int
	Data  []float32
}

// Graph is a loaded model: its nodes in file order and its constants by
// name.
type Graph struct {
	Nodes  []Node
	Consts map[string]*Tensor
	byName map[string]*Node
}

type modelFile struct {
	Topology struct {
		Node []Node `json:"node"`
	} `json:"modelTopology"`
	Manifest []struct {
		Paths   []string `json:"paths"`
		Weights []struct {
			Name         string `json:"name"`
			Shape        []int  `json:"shape"`
			Dtype        string `json:"dtype"`
			Quantization *struct {
				Dtype string   `json:"dtype"`
				Scale *float64 `json:"scale"`
				Min   *float64 `json:"min"`
			} `json:"quantization"`
		} `json:"weights"`
	} `json:"weightsManifest"`
}

// Load reads model.json and the weight files it names (beside it).
func Load(path string) (*Graph, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m modelFile
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("tfjs: %s: %w", path, err)
	}
	if len(m.Topology.Node) == 0 {
		return nil, fmt.Errorf("tfjs: %s: no graph nodes (not a TensorFlow.js graph model)", path)
	}
	g := &Graph{Nodes: m.Topology.Node, Consts: map[string]*Tensor{}, byName: map[string]*Node{}}
	for i := range g.Nodes {
		g.byName[g.Nodes[i].Name] = &g.Nodes[i]
	}
	for _, group := range m.Manifest {
		var data []byte
		for _, p := range group.Paths {
			b, err := os.ReadFile(filepath.Join(filepath.Dir(path), p))
			if err != nil {
				return nil, fmt.Errorf("tfjs: weights: %w", err)
			}
			data = append(data, b...)
		}
		for _, w := range group.Weights {
			n := 1
			for _, d := range w.Shape {
				n *= d
			}
			t := &Tensor{Shape: w.Shape, Data: make([]float32, n)}
			size, read := 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }
			switch {
			case w.Quantization != nil && w.Quantization.Dtype == "float16":
				size, read = 2, func(b []byte) float32 { return halfToFloat(binary.LittleEndian.Uint16(b)) }
			case w.Quantization != nil:
				return nil, fmt.Errorf("tfjs: weight %s: quantization %s is not supported", w.Name, w.Quantization.Dtype)
			case w.Dtype == "int32":
				read = func(b []byte) float32 { return float32(int32(binary.LittleEndian.Uint32(b))) }
			case w.Dtype != "float32":
				return nil, fmt.Errorf("tfjs: weight %s: dtype %s is not supported", w.Name, w.Dtype)
			}
			if len(data) < n*size {
				return nil, fmt.Errorf("tfjs: weight %s: the weight files end early", w.Name)
			}
			for i := range t.Data {
				t.Data[i] = read(data[i*size:])
			}
			data = data[n*size:]
			g.Consts[w.Name] = t
		}
		if len(data) != 0 {
			return nil, fmt.Errorf("tfjs: %d bytes of weights left over", len(data))
		}
	}
	return g, nil
}

// halfToFloat widens an IEEE 754 half-precision value.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		f := float32(frac) / 1024 * float32(math.Pow(2, -14))
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// input is the name of the node n's input k comes from ("" past its
// inputs).
func (n *Node) input(k int) string {
	if k >= len(n.Inputs) {
		return ""
	}
	return source(n.Inputs[k])
}

// source is the node name an input refers to (without ":k", or "^" of a
// control input).
func source(input string) string {
	input = strings.TrimPrefix(input, "^")
	if i := strings.LastIndexByte(input, ':'); i >= 0 {
		if _, err := strconv.Atoi(input[i+1:]); err == nil {
			return input[:i]
		}
	}
	return input
}

func (a attr) str() string {
	b, err := base64.StdEncoding.DecodeString(a.S)
	if err != nil {
		return a.S
	}
	return string(b)
}

func (a attr) strs() []string {
	out := make([]string, len(a.List.S))
	for i, s := range a.List.S {
		out[i] = attr{S: s}.str()
	}
	return out
}

func (a attr) ints() ([]int64, error) {
	out := make([]int64, len(a.List.I))
	for i, s := range a.List.I {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
