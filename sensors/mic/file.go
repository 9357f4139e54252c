package mic

import (
	"bytes"
	"fmt"
	"os"
)

// maxFileFrames bounds a decoded file: an hour at 48 kHz.
const maxFileFrames = 3600 * 48000

// ReadFile reads a sound file, telling its format by its first bytes:
// RIFF WAVE, Ogg Vorbis, or MP3 (with or without an ID3 tag).
func ReadFile(path string) (*Audio, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a *Audio
	switch {
	case bytes.HasPrefix(data, []byte("RIFF")):
		a, err = ReadWAV(bytes.NewReader(data))
	case bytes.HasPrefix(data, []byte("OggS")):
		a, err = ReadOgg(data)
	case bytes.HasPrefix(data, []byte("ID3")) || len(data) > 1 && data[0] == 0xff && data[1]&0xe0 == 0xe0:
		a, err = ReadMP3(data)
	default:
		err = fmt.Errorf("not a sound file this reads (WAV, Ogg Vorbis or MP3)")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}
