package mmwave

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Magic is the word that starts every frame on the data port.
var Magic = [8]byte{0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07}

// HeaderLen is the length of the frame header, magic word included.
const HeaderLen = 40

// tlvHeaderLen is the length of a TLV's type and length fields.
const tlvHeaderLen = 8

// paddingUnit is what the demo pads every packet to a multiple of.
const paddingUnit = 32

// TLV types of the out-of-box demo.
const (
	TLVPoints       = 1 // detected points
	TLVRangeProfile = 2
	TLVNoiseProfile = 3
	TLVStats        = 6
	TLVSideInfo     = 7 // SNR and noise per point
	TLVTemperature  = 9
)

// Header is the frame header after the magic word.
type Header struct {
	Version        uint32 // SDK version, one byte each: major, minor, bugfix, build
	TotalPacketLen uint32 // bytes, header and padding included
	Platform       uint32 // e.g. 0xA6843
	FrameNumber    uint32
	TimeCPUCycles  uint32 // the radar's own clock at the frame, in CPU cycles
	NumDetectedObj uint32
	NumTLVs        uint32
	SubFrameNumber uint32
}

// SDKMajor returns the major SDK version, which fixes the point layout.
func (h *Header) SDKMajor() int { return int(h.Version >> 24) }

// Point is one detected point in the radar frame (x right of boresight in
// TI's convention is handled by perception; here the values are as sent).
type Point struct {
	X, Y, Z float32 // m
	Doppler float32 // m/s, radial
	// SNR and Noise are in units of 0.1 dB, from the side-info TLV.
	SNR, Noise int16
}

// Stats is the demo's processing statistics TLV.
type Stats struct {
	InterFrameProcessingTime   uint32 // µs
	TransmitOutputTime         uint32 // µs
	InterFrameProcessingMargin uint32 // µs
	InterChirpProcessingMargin uint32 // µs
	ActiveFrameCPULoad         uint32 // %
	InterFrameCPULoad          uint32 // %
}

// Temperature is the temperature-statistics TLV.
type Temperature struct {
	ReportValid int32
	Time        uint32     // ms
	Sensors     [10]uint16 // °C: Rx0..3, Tx0..2, PM, Dig0, Dig1
}

// maxTLVTypes bounds the TLV types recorded per frame.
const maxTLVTypes = 32

// Frame is one decoded frame. Its slices are reused by the next decode
// into the same Frame, so decoding allocates nothing after warm-up.
type Frame struct {
	Header
	Points []Point
	// HasSideInfo is true when the frame carried TLV 7.
	HasSideInfo  bool
	RangeProfile []uint16 // log magnitude per range bin, Q9
	NoiseProfile []uint16
	HasStats     bool
	Stats        Stats
	HasTemp      bool
	Temperature  Temperature
	// TLVTypes lists the TLV types in the order they came.
	TLVTypes []uint32
	// UnknownTLVs counts TLVs of types this package does not decode.
	UnknownTLVs int
}

func (f *Frame) reset() {
	f.Points = f.Points[:0]
	f.RangeProfile = f.RangeProfile[:0]
	f.NoiseProfile = f.NoiseProfile[:0]
	f.TLVTypes = f.TLVTypes[:0]
	f.HasSideInfo, f.HasStats, f.HasTemp = false, false, false
	f.UnknownTLVs = 0
}

// ErrorKind classifies what was wrong with a frame or the stream.
type ErrorKind uint8

// The kinds of damage the parser recognises.
const (
	// ErrGarbage: bytes between frames that start no frame.
	ErrGarbage ErrorKind = iota
	// ErrBadLength: a total packet length that no frame can have.
	ErrBadLength
	// ErrTruncated: the next frame started before this one's length.
	ErrTruncated
	// ErrBadVersion: an SDK version this parser does not know.
	ErrBadVersion
	// ErrBadTLV: TLVs that overrun the packet or do not add up.
	ErrBadTLV
	// ErrBadPoints: a point TLV whose size or count disagrees.
	ErrBadPoints
	// ErrBadSideInfo: side info that does not match the points.
	ErrBadSideInfo
	// NumErrorKinds is the number of kinds.
	NumErrorKinds
)

var errorNames = [NumErrorKinds]string{"garbage", "bad_length", "truncated", "bad_version", "bad_tlv", "bad_points", "bad_side_info"}

// String returns the kind's snake-case name, used as a JSON key.
func (k ErrorKind) String() string {
	if k < NumErrorKinds {
		return errorNames[k]
	}
	return fmt.Sprintf("error(%d)", uint8(k))
}

// FrameError is a damaged frame.
type FrameError struct {
	Kind   ErrorKind
	Detail string
}

func (e *FrameError) Error() string { return "mmwave: " + e.Kind.String() + ": " + e.Detail }

// Opts tunes decoding.
type Opts struct {
	// DopplerResolutionMps converts SDK 2.x Doppler indices to m/s; SDK 3.x
	// sends m/s directly. Zero leaves SDK 2.x Doppler at zero.
	DopplerResolutionMps float32
	// MaxPacketLen bounds the total packet length (bytes) accepted.
	MaxPacketLen int
}

// DefaultOpts returns the options for an SDK 3.x demo.
func DefaultOpts() Opts { return Opts{MaxPacketLen: 64 << 10} }

var le = binary.LittleEndian

// ParseHeader decodes the header at the start of b, which must hold at
// least HeaderLen bytes starting with the magic word.
func ParseHeader(b []byte) Header {
	return Header{
		Version:        le.Uint32(b[8:]),
		TotalPacketLen: le.Uint32(b[12:]),
		Platform:       le.Uint32(b[16:]),
		FrameNumber:    le.Uint32(b[20:]),
		TimeCPUCycles:  le.Uint32(b[24:]),
		NumDetectedObj: le.Uint32(b[28:]),
		NumTLVs:        le.Uint32(b[32:]),
		SubFrameNumber: le.Uint32(b[36:]),
	}
}

// checkHeader reports what makes a header unusable before its body is read.
func checkHeader(h *Header, opts *Opts) *FrameError {
	switch {
	case h.TotalPacketLen < HeaderLen || int64(h.TotalPacketLen) > int64(opts.MaxPacketLen) || h.TotalPacketLen%paddingUnit != 0:
		return &FrameError{ErrBadLength, fmt.Sprintf("total packet length %d", h.TotalPacketLen)}
	case h.SDKMajor() < 1 || h.SDKMajor() > 3:
		return &FrameError{ErrBadVersion, fmt.Sprintf("version %#08x", h.Version)}
	case h.NumTLVs > maxTLVTypes:
		return &FrameError{ErrBadTLV, fmt.Sprintf("%d TLVs", h.NumTLVs)}
	}
	return nil
}

// ParseFrame decodes one whole packet (magic word to the end of its
// padding) into dst. It is a pure function of its input: the same bytes
// always give the same frame or the same error, a *FrameError.
func ParseFrame(dst *Frame, pkt []byte, opts *Opts) error {
	dst.reset()
	if len(pkt) < HeaderLen || [8]byte(pkt[:8]) != Magic {
		return &FrameError{ErrGarbage, "no magic word"}
	}
	dst.Header = ParseHeader(pkt)
	if err := checkHeader(&dst.Header, opts); err != nil {
		return err
	}
	if int(dst.TotalPacketLen) != len(pkt) {
		return &FrameError{ErrTruncated, fmt.Sprintf("packet of %d bytes, header says %d", len(pkt), dst.TotalPacketLen)}
	}
	off := HeaderLen
	for i := uint32(0); i < dst.NumTLVs; i++ {
		if len(pkt)-off < tlvHeaderLen {
			return &FrameError{ErrBadTLV, fmt.Sprintf("TLV %d header past the packet end", i)}
		}
		typ, n := le.Uint32(pkt[off:]), le.Uint32(pkt[off+4:])
		off += tlvHeaderLen
		if uint64(n) > uint64(len(pkt)-off) {
			return &FrameError{ErrBadTLV, fmt.Sprintf("TLV %d (type %d) of %d bytes overruns the packet", i, typ, n)}
		}
		if err := dst.decodeTLV(typ, pkt[off:off+int(n)], opts); err != nil {
			return err
		}
		dst.TLVTypes = append(dst.TLVTypes, typ)
		off += int(n)
	}
	if len(pkt)-off >= paddingUnit {
		return &FrameError{ErrBadTLV, fmt.Sprintf("%d bytes left after %d TLVs", len(pkt)-off, dst.NumTLVs)}
	}
	if uint32(len(dst.Points)) != dst.NumDetectedObj {
		return &FrameError{ErrBadPoints, fmt.Sprintf("header says %d points, TLVs carry %d", dst.NumDetectedObj, len(dst.Points))}
	}
	return nil
}

func (f *Frame) decodeTLV(typ uint32, p []byte, opts *Opts) error {
	switch typ {
	case TLVPoints:
		if f.SDKMajor() >= 3 {
			return f.decodePointsFloat(p)
		}
		return f.decodePointsQ(p, opts)
	case TLVSideInfo:
		if len(p) != 4*len(f.Points) {
			return &FrameError{ErrBadSideInfo, fmt.Sprintf("%d bytes of side info for %d points", len(p), len(f.Points))}
		}
		for i := range f.Points {
			f.Points[i].SNR = int16(le.Uint16(p[4*i:]))
			f.Points[i].Noise = int16(le.Uint16(p[4*i+2:]))
		}
		f.HasSideInfo = true
	case TLVRangeProfile:
		f.RangeProfile = appendUint16s(f.RangeProfile, p)
	case TLVNoiseProfile:
		f.NoiseProfile = appendUint16s(f.NoiseProfile, p)
	case TLVStats:
		if len(p) < 24 {
			return &FrameError{ErrBadTLV, fmt.Sprintf("stats TLV of %d bytes", len(p))}
		}
		f.Stats = Stats{le.Uint32(p), le.Uint32(p[4:]), le.Uint32(p[8:]), le.Uint32(p[12:]), le.Uint32(p[16:]), le.Uint32(p[20:])}
		f.HasStats = true
	case TLVTemperature:
		if len(p) < 28 {
			return &FrameError{ErrBadTLV, fmt.Sprintf("temperature TLV of %d bytes", len(p))}
		}
		f.Temperature.ReportValid = int32(le.Uint32(p))
		f.Temperature.Time = le.Uint32(p[4:])
		for i := range f.Temperature.Sensors {
			f.Temperature.Sensors[i] = le.Uint16(p[8+2*i:])
		}
		f.HasTemp = true
	default:
		f.UnknownTLVs++
	}
	return nil
}

// decodePointsFloat reads SDK 3.x points: float32 x, y, z, doppler.
func (f *Frame) decodePointsFloat(p []byte) error {
	if len(p)%16 != 0 {
		return &FrameError{ErrBadPoints, fmt.Sprintf("point TLV of %d bytes is not a multiple of 16", len(p))}
	}
	for i := 0; i+16 <= len(p); i += 16 {
		f.Points = append(f.Points, Point{
			X:       math.Float32frombits(le.Uint32(p[i:])),
			Y:       math.Float32frombits(le.Uint32(p[i+4:])),
			Z:       math.Float32frombits(le.Uint32(p[i+8:])),
			Doppler: math.Float32frombits(le.Uint32(p[i+12:])),
		})
	}
	return nil
}

// decodePointsQ reads SDK 1.x/2.x points: a descriptor (uint16 count,
// uint16 xyzQFormat) then per point uint16 rangeIdx, int16 dopplerIdx,
// uint16 peakVal, int16 x, y, z in Q-format.
func (f *Frame) decodePointsQ(p []byte, opts *Opts) error {
	if len(p) < 4 {
		return &FrameError{ErrBadPoints, fmt.Sprintf("point TLV of %d bytes has no descriptor", len(p))}
	}
	n, q := int(le.Uint16(p)), le.Uint16(p[2:])
	if q > 15 || len(p) != 4+12*n {
		return &FrameError{ErrBadPoints, fmt.Sprintf("descriptor says %d points in Q%d, TLV has %d bytes", n, q, len(p))}
	}
	scale := 1 / float32(uint32(1)<<q)
	for i := 0; i < n; i++ {
		o := 4 + 12*i
		f.Points = append(f.Points, Point{
			Doppler: float32(int16(le.Uint16(p[o+2:]))) * opts.DopplerResolutionMps,
			X:       float32(int16(le.Uint16(p[o+6:]))) * scale,
			Y:       float32(int16(le.Uint16(p[o+8:]))) * scale,
			Z:       float32(int16(le.Uint16(p[o+10:]))) * scale,
		})
	}
	return nil
}

func appendUint16s(dst []uint16, p []byte) []uint16 {
	for i := 0; i+2 <= len(p); i += 2 {
		dst = append(dst, le.Uint16(p[i:]))
	}
	return dst
}
