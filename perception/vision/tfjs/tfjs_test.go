package tfjs

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHalfToFloat(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x3c00, 1}, {0xc000, -2}, {0x3555, 0.333251953125}, {0x0001, float32(math.Pow(2, -24))},
		{0x7bff, 65504}, {0x8000, float32(math.Copysign(0, -1))},
	} {
		if got := halfToFloat(c.h); got != c.want {
			t.Errorf("half %#04x = %g, want %g", c.h, got, c.want)
		}
	}
	if !math.IsInf(float64(halfToFloat(0x7c00)), 1) {
		t.Error("half infinity")
	}
}

// writeModel writes a TensorFlow.js graph: an 8×8 RGB input, a 3×3 conv
// to 2 channels (float16 weights) with bias and Relu, then op.
func writeModel(t *testing.T, op string) string {
	t.Helper()
	dir := t.TempDir()
	model := `{"modelTopology": {"node": [
	 {"name": "in", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": [{"size": "1"}, {"size": "8"}, {"size": "8"}, {"size": "3"}]}}}},
	 {"name": "w", "op": "Const"}, {"name": "b", "op": "Const"},
	 {"name": "conv", "op": "_FusedConv2D", "input": ["in", "w", "b"], "attr": {
	   "strides": {"list": {"i": ["1", "2", "2", "1"]}}, "padding": {"s": "U0FNRQ=="},
	   "fused_ops": {"list": {"s": ["Qmlhc0FkZA==", "UmVsdQ=="]}}}},
	 {"name": "out", "op": "` + op + `", "input": ["conv"]}]},
	"weightsManifest": [{"paths": ["w.bin"], "weights": [
	 {"name": "w", "shape": [3, 3, 3, 2], "dtype": "float32", "quantization": {"dtype": "float16"}},
	 {"name": "b", "shape": [2], "dtype": "float32"}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "model.json"), []byte(model), 0o600); err != nil {
		t.Fatal(err)
	}
	var bin []byte
	for range 54 {
		bin = binary.LittleEndian.AppendUint16(bin, 0x3800) // 0.5
	}
	for _, v := range []float32{1, -1} {
		bin = binary.LittleEndian.AppendUint32(bin, math.Float32bits(v))
	}
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), bin, 0o600); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "model.json")
}

// TestConvertsAndRefuses: a graph of supported operations becomes an ONNX
// model naming them; an unsupported operation is refused by name.
func TestConvertsAndRefuses(t *testing.T) {
	g, err := Load(writeModel(t, "Relu6"))
	if err != nil {
		t.Fatal(err)
	}
	if w := g.Consts["w"]; len(w.Data) != 54 || w.Data[0] != 0.5 || g.Consts["b"].Data[1] != -1 {
		t.Fatalf("weights read wrong: %v %v", w.Data[:3], g.Consts["b"].Data)
	}
	data, err := g.ToONNX([]string{"out"}, 64)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Conv", "Relu", "Clip", "kernel_shape", "pads", "out"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the ONNX model has no %q", want)
		}
	}
	g, err = Load(writeModel(t, "Softplus"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.ToONNX([]string{"out"}, 64); err == nil || !strings.Contains(err.Error(), "Softplus") {
		t.Errorf("an unsupported operation: %v", err)
	}
	if _, err := g.ToONNX([]string{"nothing"}, 64); err == nil {
		t.Error("an unknown output accepted")
	}
}
