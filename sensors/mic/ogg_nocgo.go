//go:build !cgo

package mic

import "errors"

// ReadOgg needs libvorbisfile, which a build without cgo does not have.
func ReadOgg([]byte) (*Audio, error) {
	return nil, errors.New("ogg: this build has no cgo, so no Ogg Vorbis decoder (WAV and MP3 are read)")
}
