package tfjs

import (
	"encoding/binary"
	"math"
)

// The ONNX protobuf messages are written by hand, field by field: the
// converter needs a dozen fields of six messages, not a protobuf library.

// pb is a protobuf message being written.
type pb struct{ b []byte }

func (p *pb) tag(field, wire int) { p.b = binary.AppendUvarint(p.b, uint64(field<<3|wire)) }

func (p *pb) varint(field int, v int64) {
	p.tag(field, 0)
	p.b = binary.AppendUvarint(p.b, uint64(v))
}

func (p *pb) bytes(field int, data []byte) {
	p.tag(field, 2)
	p.b = binary.AppendUvarint(p.b, uint64(len(data)))
	p.b = append(p.b, data...)
}

func (p *pb) str(field int, s string) { p.bytes(field, []byte(s)) }

func (p *pb) float(field int, f float32) {
	p.tag(field, 5)
	p.b = binary.LittleEndian.AppendUint32(p.b, math.Float32bits(f))
}

func (p *pb) msg(field int, fill func(*pb)) {
	var m pb
	fill(&m)
	p.bytes(field, m.b)
}

// ONNX enumerations used here.
const (
	onnxFloat = 1 // TensorProto.DataType FLOAT

	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrInts   = 7
)

// onnxNode is one ONNX operation.
type onnxNode struct {
	op, name     string
	inputs, outs []string
	attrs        []onnxAttr
}

// onnxAttr is one attribute of a node: kind says which value it holds.
type onnxAttr struct {
	name string
	kind int
	ints []int64
	i    int64
	f    float32
	s    string
}

func intsAttr(name string, v ...int64) onnxAttr { return onnxAttr{name: name, kind: attrInts, ints: v} }
func intAttr(name string, v int64) onnxAttr     { return onnxAttr{name: name, kind: attrInt, i: v} }
func floatAttr(name string, v float32) onnxAttr { return onnxAttr{name: name, kind: attrFloat, f: v} }
func stringAttr(name, v string) onnxAttr        { return onnxAttr{name: name, kind: attrString, s: v} }

// onnxTensor is an initializer: float32 values.
type onnxTensor struct {
	name   string
	dims   []int64
	floats []float32
}

// onnxModel is what the converter builds.
type onnxModel struct {
	nodes        []onnxNode
	initializers []onnxTensor
	input        string
	inputDims    []any // int64 or string (a symbolic dimension)
	outputs      []string
	opset        int64
}

func (t *onnxTensor) write(p *pb) {
	for _, d := range t.dims {
		p.varint(1, d)
	}
	p.varint(2, onnxFloat)
	raw := make([]byte, 0, 4*len(t.floats))
	for _, v := range t.floats {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	p.str(8, t.name)
	p.bytes(9, raw)
}

func (n *onnxNode) write(p *pb) {
	for _, in := range n.inputs {
		p.str(1, in)
	}
	for _, out := range n.outs {
		p.str(2, out)
	}
	p.str(3, n.name)
	p.str(4, n.op)
	for _, a := range n.attrs {
		p.msg(5, func(m *pb) {
			m.str(1, a.name)
			switch a.kind {
			case attrInts:
				for _, x := range a.ints {
					m.varint(8, x)
				}
			case attrInt:
				m.varint(3, a.i)
			case attrFloat:
				m.float(2, a.f)
			case attrString:
				m.str(4, a.s)
			}
			m.varint(20, int64(a.kind))
		})
	}
}

// valueInfo writes a float tensor's name and shape.
func valueInfo(p *pb, name string, dims []any) {
	p.str(1, name)
	p.msg(2, func(tp *pb) {
		tp.msg(1, func(tt *pb) {
			tt.varint(1, onnxFloat)
			tt.msg(2, func(shape *pb) {
				for _, d := range dims {
					shape.msg(1, func(dim *pb) {
						switch d := d.(type) {
						case int64:
							dim.varint(1, d)
						case string:
							dim.str(2, d)
						}
					})
				}
			})
		})
	})
}

// marshal writes the model as an ONNX ModelProto.
func (m *onnxModel) marshal() []byte {
	var p pb
	p.varint(1, 5) // IR version 5 goes with opset 10
	p.str(2, "avfusion tfjs")
	p.msg(7, func(g *pb) {
		for i := range m.nodes {
			g.msg(1, m.nodes[i].write)
		}
		g.str(2, "converted")
		for i := range m.initializers {
			g.msg(5, m.initializers[i].write)
		}
		g.msg(11, func(v *pb) { valueInfo(v, m.input, m.inputDims) })
		for _, out := range m.outputs { // OpenCV wants a shape, symbolic will do
			g.msg(12, func(v *pb) { valueInfo(v, out, []any{int64(1), "channels", "rows", "columns"}) })
		}
	})
	p.msg(8, func(o *pb) {
		o.str(1, "")
		o.varint(2, m.opset)
	})
	return p.b
}
