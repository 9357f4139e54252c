// Package mic reads microphones: sound files (WAV, Ogg Vorbis and MP3;
// see ReadFile) and sound cards (see capture.go). Capture stamps come from the
// frame count, not from arrival times.
package mic

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Audio is multichannel sound: Channels[c][i] is channel c's sample i, in
// [-1, 1] for PCM.
type Audio struct {
	Rate     int
	Channels [][]float64
}

// Len is the number of frames (samples per channel).
func (a *Audio) Len() int {
	if len(a.Channels) == 0 {
		return 0
	}
	return len(a.Channels[0])
}

// WAV format codes.
const (
	wavPCM        = 1
	wavFloat      = 3
	wavALaw       = 6
	wavMuLaw      = 7
	wavExtensible = 0xfffe
)

// Limits of what ReadWAV accepts.
const (
	MinRate     = 8000
	MaxRate     = 192000
	MaxChannels = 16
)

// ReadWAV reads a RIFF WAVE stream: 8-, 16-, 24- or 32-bit PCM, 32-bit
// float, or 8-bit G.711 A-law or μ-law (as telephony and old games
// store sound), plain or WAVE_FORMAT_EXTENSIBLE, 8–192 kHz, up to 16
// channels. Errors say what is wrong with the file.
func ReadWAV(r io.Reader) (*Audio, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("wav: header: %w", err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, errors.New("wav: not a RIFF WAVE file")
	}
	var format, channels, bits int
	var rate int
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, errors.New("wav: no data chunk")
			}
			return nil, fmt.Errorf("wav: chunk header: %w", err)
		}
		id, size := string(ch[0:4]), int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch id {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, fmt.Errorf("wav: fmt chunk of %d bytes", size)
			}
			b := make([]byte, size)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, fmt.Errorf("wav: fmt chunk: %w", err)
			}
			format = int(binary.LittleEndian.Uint16(b[0:2]))
			channels = int(binary.LittleEndian.Uint16(b[2:4]))
			rate = int(binary.LittleEndian.Uint32(b[4:8]))
			bits = int(binary.LittleEndian.Uint16(b[14:16]))
			if format == wavExtensible {
				if size < 40 {
					return nil, errors.New("wav: extensible fmt chunk too short")
				}
				format = int(binary.LittleEndian.Uint16(b[24:26])) // the sub-format GUID's first field
			}
			if size%2 == 1 {
				if _, err := io.ReadFull(r, make([]byte, 1)); err != nil {
					return nil, fmt.Errorf("wav: fmt chunk: %w", err)
				}
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, errors.New("wav: data before fmt")
			}
			if err := checkFormat(format, channels, rate, bits); err != nil {
				return nil, err
			}
			return readSamples(r, size, format, channels, rate, bits)
		default:
			if _, err := io.CopyN(io.Discard, r, size+size%2); err != nil {
				return nil, fmt.Errorf("wav: %q chunk: %w", id, err)
			}
		}
	}
}

func checkFormat(format, channels, rate, bits int) error {
	switch {
	case format != wavPCM && format != wavFloat && format != wavALaw && format != wavMuLaw:
		return fmt.Errorf("wav: format %d: PCM (1), IEEE float (3), A-law (6) and μ-law (7) are read", format)
	case format == wavPCM && bits != 8 && bits != 16 && bits != 24 && bits != 32:
		return fmt.Errorf("wav: %d-bit PCM: 8-, 16-, 24- and 32-bit PCM are read", bits)
	case format == wavFloat && bits != 32:
		return fmt.Errorf("wav: %d-bit float: only 32-bit float is read", bits)
	case (format == wavALaw || format == wavMuLaw) && bits != 8:
		return fmt.Errorf("wav: %d-bit G.711: A-law and μ-law are 8-bit", bits)
	case channels < 1 || channels > MaxChannels:
		return fmt.Errorf("wav: %d channels: 1 to %d are read", channels, MaxChannels)
	case rate < MinRate || rate > MaxRate:
		return fmt.Errorf("wav: %d Hz: %d to %d Hz are read", rate, MinRate, MaxRate)
	}
	return nil
}

// readSamples reads the data chunk (size bytes, or to the end of the
// stream for a size of 0 or 0xffffffff, as streaming writers leave it).
func readSamples(r io.Reader, size int64, format, channels, rate, bits int) (*Audio, error) {
	frameBytes := channels * bits / 8
	if size == 0 || size == 0xffffffff {
		size = math.MaxInt64
	}
	a := &Audio{Rate: rate, Channels: make([][]float64, channels)}
	buf := make([]byte, frameBytes*4096)
	for size > 0 {
		want := int64(len(buf))
		if size < want {
			want = size - size%int64(frameBytes)
		}
		if want == 0 {
			break
		}
		n, err := io.ReadFull(r, buf[:want])
		n -= n % frameBytes
		for off := 0; off < n; off += frameBytes {
			for c := range channels {
				p := buf[off+c*bits/8:]
				a.Channels[c] = append(a.Channels[c], sample(p, format, bits))
			}
		}
		size -= int64(n)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break // a truncated file: keep what is whole
			}
			return nil, fmt.Errorf("wav: data: %w", err)
		}
	}
	if a.Len() == 0 {
		return nil, errors.New("wav: no samples")
	}
	return a, nil
}

// sample decodes one sample at the start of p.
func sample(p []byte, format, bits int) float64 {
	switch {
	case format == wavFloat:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(p)))
	case format == wavMuLaw:
		return muLaw(p[0])
	case format == wavALaw:
		return aLaw(p[0])
	case bits == 8: // unsigned, 128 is silence
		return (float64(p[0]) - 128) / 128
	case bits == 16:
		return float64(int16(binary.LittleEndian.Uint16(p))) / (1 << 15)
	case bits == 24:
		return float64(int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24)>>8) / (1 << 23)
	default:
		return float64(int32(binary.LittleEndian.Uint32(p))) / (1 << 31)
	}
}

// muLaw decodes a G.711 μ-law byte (stored inverted: 0xff is silence)
// to [-1, 1]: a sign, a 3-bit segment and a 4-bit step within it.
func muLaw(b byte) float64 {
	u := ^b
	segment, step := u>>4&7, int(u&0x0f)
	v := ((step<<3 | 0x84) << segment) - 0x84
	if u&0x80 != 0 {
		v = -v
	}
	return float64(v) / (1 << 15)
}

// aLaw decodes a G.711 A-law byte (even bits stored inverted) to
// [-1, 1]; unlike μ-law, a set sign bit is positive.
func aLaw(b byte) float64 {
	a := b ^ 0x55
	segment, step := a>>4&7, int(a&0x0f)
	v := step<<4 | 8
	if segment > 0 {
		v = (v | 0x100) << (segment - 1)
	}
	if a&0x80 == 0 {
		v = -v
	}
	return float64(v) / (1 << 15)
}

// WriteWAV writes a as 16-bit PCM (values clipped to [-1, 1]).
func WriteWAV(w io.Writer, a *Audio) error {
	ch := len(a.Channels)
	n := a.Len()
	data := 2 * ch * n
	b := make([]byte, 0, 44+data)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(36+data))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, wavPCM)
	b = binary.LittleEndian.AppendUint16(b, uint16(ch))
	b = binary.LittleEndian.AppendUint32(b, uint32(a.Rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(a.Rate*2*ch))
	b = binary.LittleEndian.AppendUint16(b, uint16(2*ch))
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(data))
	for i := range n {
		for c := range ch {
			v := math.Max(-1, math.Min(1, a.Channels[c][i]))
			b = binary.LittleEndian.AppendUint16(b, uint16(int16(math.Round(v*32767))))
		}
	}
	_, err := w.Write(b)
	return err
}
