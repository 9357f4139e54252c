package corpus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/avfusion/avfusion/sensors/mic"
)

// catClip is one sound of an OpenTTD sound container: its title and
// where its RIFF WAV lies in the file.
type catClip struct {
	title     string
	off, size int64
}

// readCat reads the table of an OpenTTD sound container (opensfx.cat):
// (offset with bit 31 set, size) pairs, little-endian, then at each
// offset a length-prefixed name and credit followed by a RIFF WAV of
// that size. Only the table and the names are read.
func readCat(f io.ReaderAt, size int64) ([]catClip, error) {
	var first [4]byte
	if _, err := f.ReadAt(first[:], 0); err != nil {
		return nil, fmt.Errorf("too short for a sound container: %w", err)
	}
	n := int64(binary.LittleEndian.Uint32(first[:])&^(1<<31)) / 8
	if n == 0 || 8*n > size {
		return nil, fmt.Errorf("a table of %d entries in %d bytes", n, size)
	}
	table := make([]byte, 8*n)
	if _, err := f.ReadAt(table, 0); err != nil {
		return nil, err
	}
	clips := make([]catClip, n)
	for i := range clips {
		off := int64(binary.LittleEndian.Uint32(table[8*i:]) &^ (1 << 31))
		wavSize := int64(binary.LittleEndian.Uint32(table[8*i+4:]))
		var nameLen [1]byte
		if _, err := f.ReadAt(nameLen[:], off); err != nil {
			return nil, fmt.Errorf("entry %d at %d: %w", i, off, err)
		}
		name := make([]byte, nameLen[0])
		if _, err := f.ReadAt(name, off+1); err != nil {
			return nil, fmt.Errorf("entry %d at %d: %w", i, off, err)
		}
		wav := off + 1 + int64(nameLen[0])
		if wav+wavSize > size {
			return nil, fmt.Errorf("entry %d (%d bytes at %d) runs past the end", i, wavSize, wav)
		}
		clips[i] = catClip{title: string(bytes.TrimRight(name, "\x00")), off: wav, size: wavSize}
	}
	return clips, nil
}

// catTitles lists the titles of a container's clips.
func catTitles(path string) ([]string, error) {
	f, clips, err := openCat(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read-only
	titles := make([]string, len(clips))
	for i, c := range clips {
		titles[i] = c.title
	}
	return titles, nil
}

// readCatEntry decodes one clip of a container, reading only its table
// and that clip.
func readCatEntry(path string, entry int) (*mic.Audio, error) {
	f, clips, err := openCat(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read-only
	if entry >= len(clips) {
		return nil, fmt.Errorf("%s has %d entries, not %d", path, len(clips), entry+1)
	}
	c := clips[entry]
	wav := make([]byte, c.size)
	if _, err := f.ReadAt(wav, c.off); err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(wav, []byte("RIFF")) {
		return nil, errors.New("the entry is not a RIFF WAV")
	}
	return mic.ReadWAV(bytes.NewReader(wav))
}

// openCat opens a container and reads its table of clips; the caller
// closes the file.
func openCat(path string) (*os.File, []catClip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil {
		var clips []catClip
		if clips, err = readCat(f, st.Size()); err == nil {
			return f, clips, nil
		}
	}
	_ = f.Close()
	return nil, nil, fmt.Errorf("%s: %w", path, err)
}
