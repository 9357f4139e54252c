//go:build cgo

package mic

// #cgo pkg-config: vorbisfile
// #include <stdlib.h>
// #include "ogg.h"
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// No pure-Go Ogg Vorbis decoder is served by the module proxy this
// project builds from, so Ogg is decoded by Debian's libvorbisfile.

// ReadOgg decodes an Ogg Vorbis file held in memory.
func ReadOgg(data []byte) (*Audio, error) {
	if len(data) == 0 {
		return nil, errors.New("ogg: empty file")
	}
	p := C.CBytes(data)
	defer C.free(p)
	var s C.avf_ogg_sound
	rc := int(C.avf_ogg_decode((*C.uchar)(p), C.size_t(len(data)), C.int(maxFileFrames), &s)) //nolint:gocritic // cgo expands &s into a pointer check that compares it with itself
	if rc < 0 {
		return nil, oggError(rc)
	}
	defer C.free(unsafe.Pointer(s.samples))
	channels, rate, frames := int(s.channels), int(s.rate), int(s.frames)
	if err := checkFormat(wavFloat, channels, rate, 32); err != nil {
		return nil, fmt.Errorf("ogg: %w", err)
	}
	if frames == 0 {
		return nil, errors.New("ogg: no samples")
	}
	raw := unsafe.Slice((*float32)(unsafe.Pointer(s.samples)), frames*channels)
	a := &Audio{Rate: rate, Channels: make([][]float64, channels)}
	for c := range a.Channels {
		a.Channels[c] = make([]float64, frames)
		for i := range frames {
			a.Channels[c][i] = float64(raw[i*channels+c])
		}
	}
	return a, nil
}

// oggError names libvorbisfile's error codes.
func oggError(rc int) error {
	switch rc {
	case C.AVF_OGG_TOO_LONG:
		return fmt.Errorf("ogg: longer than %d frames", maxFileFrames)
	case -132: // OV_ENOTVORBIS
		return errors.New("ogg: not Vorbis audio")
	case -133: // OV_EBADHEADER
		return errors.New("ogg: bad or changing Vorbis header")
	case -137: // OV_EBADLINK
		return errors.New("ogg: corrupt stream")
	default:
		return fmt.Errorf("ogg: libvorbisfile error %d", rc)
	}
}
