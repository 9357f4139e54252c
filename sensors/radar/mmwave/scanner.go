package mmwave

import (
	"bytes"
	"errors"
)

// Scanner cuts a byte stream from the data port into frames. It
// resynchronises on the magic word, so garbage between frames, truncated
// frames and corrupted headers cost at most the damaged frame: a frame
// whose claimed length reaches into the next magic word is dropped at that
// word, never swallowing the frame behind it. Damage is counted by kind.
// Its buffer is allocated once; scanning allocates nothing per frame.
type Scanner struct {
	opts Opts
	buf  []byte
	r, w int // unread bytes are buf[r:w]
	// Errors counts damaged frames and resynchronisations by kind.
	Errors [NumErrorKinds]uint64
	// SkippedBytes counts bytes dropped while resynchronising.
	SkippedBytes uint64
	// Frames counts frames decoded.
	Frames uint64
	// LastErr is the latest damage, for diagnostics.
	LastErr error
	// resyncing is set after a damaged frame until the next good one;
	// inGarbage while skipping one run of garbage, so a run split across
	// reads counts once.
	resyncing, inGarbage bool
	// ended is set by End: no more bytes will come.
	ended bool
}

// End tells the scanner that the stream is over (end of a file), so it
// stops waiting for bytes that might start another frame.
func (s *Scanner) End() { s.ended = true }

// NewScanner returns a scanner whose buffer holds two maximum packets.
func NewScanner(opts Opts) *Scanner {
	if opts.MaxPacketLen < HeaderLen {
		opts.MaxPacketLen = DefaultOpts().MaxPacketLen
	}
	return &Scanner{opts: opts, buf: make([]byte, 2*opts.MaxPacketLen+HeaderLen)}
}

// Space returns the free space at the end of the buffer, for a reader to
// fill directly; call Commit with the number of bytes written.
func (s *Scanner) Space() []byte {
	if s.r > 0 && s.w > len(s.buf)/2 {
		n := copy(s.buf, s.buf[s.r:s.w])
		s.r, s.w = 0, n
	}
	if s.w == len(s.buf) {
		// Full of bytes that hold no frame: keep the tail where a magic
		// word may be starting.
		s.garbage(s.w - s.r - len(Magic) + 1)
		n := copy(s.buf, s.buf[s.r:s.w])
		s.r, s.w = 0, n
	}
	return s.buf[s.w:]
}

// Commit marks n bytes of the last Space as written.
func (s *Scanner) Commit(n int) { s.w += n }

// Feed copies as much of p into the buffer as fits and returns how much
// that was; call Next until it returns false before feeding the rest.
func (s *Scanner) Feed(p []byte) int {
	n := copy(s.Space(), p)
	s.Commit(n)
	return n
}

func (s *Scanner) skip(n int) {
	if n <= 0 {
		return
	}
	s.r += n
	s.SkippedBytes += uint64(n)
}

func (s *Scanner) fail(err *FrameError) {
	s.Errors[err.Kind]++
	s.LastErr = err
	s.resyncing = true
}

// garbage counts bytes skipped between frames, unless they are the rest of
// a frame already counted as damaged.
func (s *Scanner) garbage(n int) {
	if !s.resyncing && !s.inGarbage {
		s.Errors[ErrGarbage]++
	}
	s.inGarbage = true
	s.skip(n)
}

// Next decodes the next complete frame into dst and reports whether there
// was one. When it returns false, more bytes are needed.
func (s *Scanner) Next(dst *Frame) bool {
	for {
		data := s.buf[s.r:s.w]
		i := bytes.Index(data, Magic[:])
		if i < 0 {
			// Keep a possible partial magic word at the end.
			if keep := len(Magic) - 1; len(data) > keep {
				s.garbage(len(data) - keep)
			}
			return false
		}
		if i > 0 {
			s.garbage(i)
			data = data[i:]
		}
		s.inGarbage = false
		if len(data) < HeaderLen {
			return false
		}
		h := ParseHeader(data)
		if err := checkHeader(&h, &s.opts); err != nil {
			s.fail(err)
			s.skip(1)
			continue
		}
		// A magic word starting inside the claimed packet means this frame
		// was cut short (or its length is corrupt): drop it at that word.
		end := int(h.TotalPacketLen)
		if next := bytes.Index(data[len(Magic):min(end+len(Magic)-1, len(data))], Magic[:]); next >= 0 && len(Magic)+next < end {
			s.fail(&FrameError{ErrTruncated, "next frame began inside this one"})
			s.skip(len(Magic) + next)
			continue
		}
		if len(data) < end {
			return false
		}
		// If the packet ends in what may be the start of a magic word, wait
		// for the bytes that tell.
		if k := magicPrefixSuffix(data[:end]); k > 0 && len(data) < end+len(Magic)-k && !s.ended {
			return false
		}
		if err := ParseFrame(dst, data[:end], &s.opts); err != nil {
			var fe *FrameError
			if !errors.As(err, &fe) {
				fe = &FrameError{ErrBadTLV, err.Error()}
			}
			s.fail(fe)
			s.skip(1)
			continue
		}
		s.r += end
		s.Frames++
		s.resyncing = false
		return true
	}
}

// magicPrefixSuffix returns the length of the longest end of b that is a
// proper beginning of the magic word (0 if none).
func magicPrefixSuffix(b []byte) int {
	for k := min(len(Magic)-1, len(b)); k > 0; k-- {
		if bytes.Equal(b[len(b)-k:], Magic[:k]) {
			return k
		}
	}
	return 0
}

// Buffered returns the number of bytes received but not yet decoded.
func (s *Scanner) Buffered() int { return s.w - s.r }
