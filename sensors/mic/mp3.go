package mic

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/hajimehoshi/go-mp3"
)

// ReadMP3 decodes an MP3 file held in memory (MPEG-1/2 layer III; the
// decoder always gives two channels, a mono file's twice).
func ReadMP3(data []byte) (*Audio, error) {
	d, err := mp3.NewDecoder(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("mp3: %w", err)
	}
	if err := checkFormat(wavPCM, 2, d.SampleRate(), 16); err != nil {
		return nil, fmt.Errorf("mp3: %w", err)
	}
	a := &Audio{Rate: d.SampleRate(), Channels: make([][]float64, 2)}
	buf := make([]byte, 4*4096)
	for {
		n, err := io.ReadFull(d, buf)
		for off := 0; off+4 <= n; off += 4 {
			a.Channels[0] = append(a.Channels[0], float64(int16(binary.LittleEndian.Uint16(buf[off:])))/(1<<15))
			a.Channels[1] = append(a.Channels[1], float64(int16(binary.LittleEndian.Uint16(buf[off+2:])))/(1<<15))
		}
		if a.Len() > maxFileFrames {
			return nil, fmt.Errorf("mp3: longer than %d frames", maxFileFrames)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("mp3: %w", err)
		}
	}
	if a.Len() == 0 {
		return nil, errors.New("mp3: no samples")
	}
	return a, nil
}
