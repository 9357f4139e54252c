package vision

import (
	"encoding/binary"
	"math"
)

// protoBuf is a minimal protocol-buffer encoder, enough to write the ONNX
// test models (field numbers from onnx/onnx.proto, ONNX IR version 7).
type protoBuf []byte

func (b *protoBuf) tag(field, wire int) {
	*b = binary.AppendUvarint(*b, uint64(field<<3|wire))
}

func (b *protoBuf) varint(field int, v int64) {
	b.tag(field, 0)
	*b = binary.AppendUvarint(*b, uint64(v))
}

func (b *protoBuf) bytes(field int, data []byte) {
	b.tag(field, 2)
	*b = binary.AppendUvarint(*b, uint64(len(data)))
	*b = append(*b, data...)
}

func (b *protoBuf) str(field int, s string) { b.bytes(field, []byte(s)) }

// ONNX element types (TensorProto.DataType).
const (
	onnxFloat = 1
	onnxInt64 = 7
)

// onnxTensor encodes a TensorProto holding float32 or int64 data.
func onnxTensor(name string, dims []int64, floats []float32, ints []int64) protoBuf {
	var t protoBuf
	for _, d := range dims {
		t.varint(1, d)
	}
	var raw []byte
	if ints != nil {
		t.varint(2, onnxInt64)
		for _, v := range ints {
			raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
		}
	} else {
		t.varint(2, onnxFloat)
		for _, v := range floats {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	t.str(8, name)
	t.bytes(9, raw)
	return t
}

// onnxValueInfo encodes a float tensor's name and shape.
func onnxValueInfo(name string, dims []int64) protoBuf {
	var shape protoBuf
	for _, d := range dims {
		var dim protoBuf
		dim.varint(1, d)
		shape.bytes(1, dim)
	}
	var tensor protoBuf
	tensor.varint(1, onnxFloat)
	tensor.bytes(2, shape)
	var typ protoBuf
	typ.bytes(1, tensor)
	var vi protoBuf
	vi.str(1, name)
	vi.bytes(2, typ)
	return vi
}

// onnxNode encodes a NodeProto; intsAttrs are INTS attributes.
func onnxNode(op string, inputs, outputs []string, intsAttrs map[string][]int64) protoBuf {
	var n protoBuf
	for _, in := range inputs {
		n.str(1, in)
	}
	for _, out := range outputs {
		n.str(2, out)
	}
	n.str(3, op+"_"+outputs[0])
	n.str(4, op)
	for name, vals := range intsAttrs {
		var a protoBuf
		a.str(1, name)
		for _, v := range vals {
			a.varint(8, v)
		}
		a.varint(20, 7) // AttributeType INTS
		n.bytes(5, a)
	}
	return n
}

// onnxModel wraps a graph into a ModelProto at opset 13.
func onnxModel(nodes, initializers, inputs, outputs []protoBuf) []byte {
	var g protoBuf
	for _, n := range nodes {
		g.bytes(1, n)
	}
	g.str(2, "avfusion_test")
	for _, t := range initializers {
		g.bytes(5, t)
	}
	for _, v := range inputs {
		g.bytes(11, v)
	}
	for _, v := range outputs {
		g.bytes(12, v)
	}
	var opset protoBuf
	opset.varint(2, 13)
	var m protoBuf
	m.varint(1, 7)
	m.str(2, "avfusion tests")
	m.bytes(7, g)
	m.bytes(8, opset)
	return m
}

// constantOutputModel builds a network that takes an RGB image of
// size×size and outputs the fixed tensor out of shape dims, whatever the
// image: a global average pool, a 1×1 convolution with zero weights whose
// biases are the wanted values, and a reshape. It exercises the whole DNN
// path (load, blob, forward, decode) with an output known in advance.
func constantOutputModel(size int64, dims []int64, out []float32) []byte {
	k := int64(len(out))
	nodes := []protoBuf{
		onnxNode("GlobalAveragePool", []string{"images"}, []string{"pooled"}, nil),
		onnxNode("Conv", []string{"pooled", "weights", "known"}, []string{"flat"}, map[string][]int64{"kernel_shape": {1, 1}}),
		onnxNode("Reshape", []string{"flat", "shape"}, []string{"output0"}, nil),
	}
	inits := []protoBuf{
		onnxTensor("weights", []int64{k, 3, 1, 1}, make([]float32, 3*k), nil),
		onnxTensor("known", []int64{k}, out, nil),
		onnxTensor("shape", []int64{int64(len(dims))}, nil, dims),
	}
	return onnxModel(nodes, inits, []protoBuf{onnxValueInfo("images", []int64{1, 3, size, size})}, []protoBuf{onnxValueInfo("output0", dims)})
}
