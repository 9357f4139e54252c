package corpus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/avfusion/avfusion/sensors/mic"
)

// catClip is one sound of an OpenTTD sound container.
type catClip struct {
	title string
	wav   []byte
}

// readCat reads an OpenTTD sound container (opensfx.cat): a table of
// (offset with bit 31 set, size) pairs, little-endian, then at each
// offset a length-prefixed name and credit followed by a RIFF WAV of
// that size.
func readCat(path string) ([]catClip, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 8 {
		return nil, fmt.Errorf("%s: too short for a sound container", path)
	}
	first := binary.LittleEndian.Uint32(data) &^ (1 << 31)
	n := int(first / 8)
	if n == 0 || int(first) > len(data) {
		return nil, fmt.Errorf("%s: a table of %d bytes", path, first)
	}
	clips := make([]catClip, n)
	for i := range clips {
		off := int(binary.LittleEndian.Uint32(data[8*i:]) &^ (1 << 31))
		size := int(binary.LittleEndian.Uint32(data[8*i+4:]))
		if off >= len(data) || off+1+int(data[off])+size > len(data) {
			return nil, fmt.Errorf("%s: entry %d (%d bytes at %d) runs past the end", path, i, size, off)
		}
		wav := off + 1 + int(data[off])
		clips[i] = catClip{title: string(bytes.TrimRight(data[off+1:wav], "\x00")), wav: data[wav : wav+size]}
	}
	return clips, nil
}

// readCatEntry decodes one clip of a container.
func readCatEntry(path string, entry int) (*mic.Audio, error) {
	clips, err := readCat(path)
	if err != nil {
		return nil, err
	}
	if entry >= len(clips) {
		return nil, fmt.Errorf("%s has %d entries, not %d", path, len(clips), entry+1)
	}
	if !bytes.HasPrefix(clips[entry].wav, []byte("RIFF")) {
		return nil, errors.New("the entry is not a RIFF WAV")
	}
	return mic.ReadWAV(bytes.NewReader(clips[entry].wav))
}
