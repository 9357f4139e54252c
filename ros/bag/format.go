// Package bag reads and writes ROS1 bag files, format version 2.0: chunks
// (uncompressed, bz2 or lz4), connection, index, chunk-info and message
// records, as written by `rosbag record` and read by the rosbag tools.
// The format is documented at http://wiki.ros.org/Bags/Format/2.0.
package bag

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic starts every version-2.0 bag.
const Magic = "#ROSBAG V2.0\n"

// Record op codes.
const (
	opMessageData = 0x02
	opBagHeader   = 0x03
	opIndexData   = 0x04
	opChunk       = 0x05
	opChunkInfo   = 0x06
	opConnection  = 0x07
)

// bagHeaderLen is the padded length of the bag header record.
const bagHeaderLen = 4096

// Compression names as they appear in chunk headers.
const (
	CompressionNone = "none"
	CompressionBZ2  = "bz2"
	CompressionLZ4  = "lz4"
)

// ErrFormat marks a file that is not a well-formed bag.
var ErrFormat = errors.New("bag: malformed")

var le = binary.LittleEndian

// Time is a ROS time: seconds and nanoseconds since the epoch.
type Time struct {
	Sec, Nsec uint32
}

// Seconds returns t as floating-point seconds.
func (t Time) Seconds() float64 { return float64(t.Sec) + float64(t.Nsec)/1e9 }

// Before reports whether t is earlier than u.
func (t Time) Before(u Time) bool { return t.Sec < u.Sec || (t.Sec == u.Sec && t.Nsec < u.Nsec) }

func putTime(b []byte, t Time) {
	le.PutUint32(b, t.Sec)
	le.PutUint32(b[4:], t.Nsec)
}

func getTime(b []byte) Time { return Time{le.Uint32(b), le.Uint32(b[4:])} }

// header is a record header: name=value fields.
type header map[string][]byte

// parseHeader splits a record header into its fields.
func parseHeader(b []byte) (header, error) {
	h := header{}
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: truncated header field length", ErrFormat)
		}
		n := le.Uint32(b)
		b = b[4:]
		if uint64(n) > uint64(len(b)) {
			return nil, fmt.Errorf("%w: header field of %d bytes overruns its header", ErrFormat, n)
		}
		field := b[:n]
		b = b[n:]
		for i, c := range field {
			if c == '=' {
				h[string(field[:i])] = field[i+1:]
				break
			}
		}
	}
	return h, nil
}

func (h header) op() (byte, error) {
	v, ok := h["op"]
	if !ok || len(v) != 1 {
		return 0, fmt.Errorf("%w: record without op", ErrFormat)
	}
	return v[0], nil
}

func (h header) uint32(name string) (uint32, error) {
	v, ok := h[name]
	if !ok || len(v) != 4 {
		return 0, fmt.Errorf("%w: field %s missing or not 4 bytes", ErrFormat, name)
	}
	return le.Uint32(v), nil
}

func (h header) uint64(name string) (uint64, error) {
	v, ok := h[name]
	if !ok || len(v) != 8 {
		return 0, fmt.Errorf("%w: field %s missing or not 8 bytes", ErrFormat, name)
	}
	return le.Uint64(v), nil
}

func (h header) time(name string) (Time, error) {
	v, ok := h[name]
	if !ok || len(v) != 8 {
		return Time{}, fmt.Errorf("%w: field %s missing or not 8 bytes", ErrFormat, name)
	}
	return getTime(v), nil
}

// appendField appends one name=value header field.
func appendField(dst []byte, name string, value []byte) []byte {
	dst = le.AppendUint32(dst, uint32(len(name)+1+len(value)))
	dst = append(dst, name...)
	dst = append(dst, '=')
	return append(dst, value...)
}

func u32(v uint32) []byte { return le.AppendUint32(nil, v) }

func u64(v uint64) []byte { return le.AppendUint64(nil, v) }

func timeBytes(t Time) []byte {
	b := make([]byte, 8)
	putTime(b, t)
	return b
}

// appendRecord appends a record: header length, header, data length, data.
func appendRecord(dst, hdr, data []byte) []byte {
	dst = le.AppendUint32(dst, uint32(len(hdr)))
	dst = append(dst, hdr...)
	dst = le.AppendUint32(dst, uint32(len(data)))
	return append(dst, data...)
}

// Connection is one publisher's topic and type in a bag.
type Connection struct {
	ID    uint32
	Topic string
	// Type, MD5 and Definition come from the connection header.
	Type       string
	MD5        string
	Definition string
	// Header holds every field of the connection header (callerid,
	// latching, ...).
	Header map[string]string
}

// Message is one message record.
type Message struct {
	Conn *Connection
	Time Time
	Data []byte // serialized message
}
