package mmwave

import (
	"math"
	"testing"
)

// goodFrame is a small valid SDK 3.x frame with two points and side info.
func goodFrame(number uint32) []byte {
	body := le.AppendUint32(nil, TLVPoints)
	body = le.AppendUint32(body, 32)
	for _, v := range []float32{1, 2, 0, -0.5, 3, 4, 0.1, 0.25} {
		body = le.AppendUint32(body, math.Float32bits(v))
	}
	body = le.AppendUint32(body, TLVSideInfo)
	body = le.AppendUint32(body, 8)
	body = append(body, 100, 0, 200, 0, 150, 0, 250, 0)
	return BuildPacket(nil, Header{Version: 0x03030002, Platform: 0xA6843, FrameNumber: number, NumDetectedObj: 2, NumTLVs: 2}, body)
}

// FuzzScanner checks that no input panics the parser and that whatever
// bytes come between two good frames, both good frames are decoded.
func FuzzScanner(f *testing.F) {
	f.Add([]byte{})
	f.Add(goodFrame(7))
	f.Add(goodFrame(7)[:50])
	f.Add(append(Magic[:], 0, 0, 3, 3, 0xff, 0xff, 0, 0))
	f.Fuzz(func(t *testing.T, garbage []byte) {
		var fr Frame
		opts := DefaultOpts()
		_ = ParseFrame(&fr, garbage, &opts)

		stream := append(goodFrame(1), garbage...)
		stream = append(stream, goodFrame(2)...)
		s := NewScanner(DefaultOpts())
		var numbers []uint32
		for chunk := 1; len(stream) > 0; chunk = chunk*3 + 1 {
			n := s.Feed(stream[:min(chunk, len(stream))])
			stream = stream[n:]
			for s.Next(&fr) {
				numbers = append(numbers, fr.FrameNumber)
			}
		}
		if len(numbers) < 2 || numbers[0] != 1 || numbers[len(numbers)-1] != 2 {
			t.Fatalf("good frames around %x lost: decoded %v, errors %v", garbage, numbers, s.Errors)
		}
	})
}
