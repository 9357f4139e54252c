package bag

import (
	"bytes"
	"cmp"
	"compress/bzip2"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/pierrec/lz4/v4"
)

// maxRecordPart bounds any one record header or data length (and a chunk's
// uncompressed size), so a corrupt length cannot ask for absurd memory.
const maxRecordPart = 1 << 30

// ChunkInfo describes one chunk, from its chunk-info record.
type ChunkInfo struct {
	Pos        uint64
	Start, End Time
	// Counts is the number of messages per connection id.
	Counts      map[uint32]uint32
	Compression string
	// Size is the chunk's uncompressed size; DataLen its stored size.
	Size    uint32
	DataLen uint32
}

// Reader reads a bag through random access.
type Reader struct {
	r     io.ReaderAt
	size  int64
	Conns []*Connection // in the order of their records
	byID  map[uint32]*Connection
	// Chunks in file order.
	Chunks []ChunkInfo
	// Indexed is false for a bag without an index (a recording that was
	// never closed); its chunks are then found by scanning.
	Indexed bool
}

// File is a Reader over an open file.
type File struct {
	*Reader
	f *os.File
}

// Open opens a bag file.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bag: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close() //nolint:errcheck,gosec // already failing
		return nil, fmt.Errorf("bag: %w", err)
	}
	r, err := NewReader(f, st.Size())
	if err != nil {
		f.Close() //nolint:errcheck,gosec // already failing
		return nil, fmt.Errorf("bag %s: %w", path, err)
	}
	return &File{Reader: r, f: f}, nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// record is one record read from the file or a chunk.
type record struct {
	hdr  header
	op   byte
	data []byte
	end  int64 // offset just past the record
}

// readRecordAt reads the record at off of r (size bytes long).
func readRecordAt(r io.ReaderAt, size, off int64) (record, error) {
	var lenBuf [4]byte
	if _, err := r.ReadAt(lenBuf[:], off); err != nil {
		return record{}, fmt.Errorf("%w: record at %d: %w", ErrFormat, off, err)
	}
	hl := int64(le.Uint32(lenBuf[:]))
	if hl > maxRecordPart || off+4+hl+4 > size {
		return record{}, fmt.Errorf("%w: record header at %d of %d bytes overruns the file", ErrFormat, off, hl)
	}
	hb := make([]byte, hl+4)
	if _, err := r.ReadAt(hb, off+4); err != nil {
		return record{}, fmt.Errorf("%w: record at %d: %w", ErrFormat, off, err)
	}
	dl := int64(le.Uint32(hb[hl:]))
	if dl > maxRecordPart || off+8+hl+dl > size {
		return record{}, fmt.Errorf("%w: record data at %d of %d bytes overruns the file", ErrFormat, off, dl)
	}
	data := make([]byte, dl)
	if _, err := r.ReadAt(data, off+8+hl); err != nil {
		return record{}, fmt.Errorf("%w: record at %d: %w", ErrFormat, off, err)
	}
	return parseRecord(hb[:hl], data, off+8+hl+dl)
}

func parseRecord(hb, data []byte, end int64) (record, error) {
	h, err := parseHeader(hb)
	if err != nil {
		return record{}, err
	}
	op, err := h.op()
	if err != nil {
		return record{}, err
	}
	return record{hdr: h, op: op, data: data, end: end}, nil
}

// splitRecords parses the records packed in a chunk's uncompressed data.
func splitRecords(b []byte, fn func(r record, off int) error) error {
	off := 0
	for off < len(b) {
		if len(b)-off < 8 {
			return fmt.Errorf("%w: truncated record in chunk", ErrFormat)
		}
		hl := int(le.Uint32(b[off:]))
		if hl < 0 || hl > len(b)-off-8 {
			return fmt.Errorf("%w: record header overruns its chunk", ErrFormat)
		}
		dl := int(le.Uint32(b[off+4+hl:]))
		if dl < 0 || dl > len(b)-off-8-hl {
			return fmt.Errorf("%w: record data overruns its chunk", ErrFormat)
		}
		r, err := parseRecord(b[off+4:off+4+hl], b[off+8+hl:off+8+hl+dl], 0)
		if err != nil {
			return err
		}
		if err := fn(r, off); err != nil {
			return err
		}
		off += 8 + hl + dl
	}
	return nil
}

// NewReader reads the bag header, connections and chunk index of a bag.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	magic := make([]byte, len(Magic))
	if _, err := r.ReadAt(magic, 0); err != nil || string(magic) != Magic {
		return nil, fmt.Errorf("%w: not a version 2.0 bag", ErrFormat)
	}
	b := &Reader{r: r, size: size, byID: map[uint32]*Connection{}}
	hdr, err := readRecordAt(r, size, int64(len(Magic)))
	if err != nil {
		return nil, err
	}
	if hdr.op != opBagHeader {
		return nil, fmt.Errorf("%w: first record is op %#x, not the bag header", ErrFormat, hdr.op)
	}
	indexPos, err := hdr.hdr.uint64("index_pos")
	if err != nil {
		return nil, err
	}
	if indexPos == 0 {
		return b, b.scan(hdr.end)
	}
	if int64(indexPos) > size || indexPos < uint64(hdr.end) {
		return nil, fmt.Errorf("%w: index position %d outside the file", ErrFormat, indexPos)
	}
	b.Indexed = true
	for off := int64(indexPos); off < size; {
		rec, err := readRecordAt(r, size, off)
		if err != nil {
			return nil, err
		}
		switch rec.op {
		case opConnection:
			if err := b.addConnection(rec); err != nil {
				return nil, err
			}
		case opChunkInfo:
			ci, err := chunkInfo(rec)
			if err != nil {
				return nil, err
			}
			b.Chunks = append(b.Chunks, ci)
		}
		off = rec.end
	}
	for i := range b.Chunks {
		if err := b.chunkHeader(&b.Chunks[i]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// chunkHeader fills a chunk info's compression and sizes from the chunk.
func (b *Reader) chunkHeader(ci *ChunkInfo) error {
	if ci.Pos >= uint64(b.size) {
		return fmt.Errorf("%w: chunk position %d outside the file", ErrFormat, ci.Pos)
	}
	var lenBuf [4]byte
	if _, err := b.r.ReadAt(lenBuf[:], int64(ci.Pos)); err != nil {
		return fmt.Errorf("%w: chunk at %d: %w", ErrFormat, ci.Pos, err)
	}
	hl := int64(le.Uint32(lenBuf[:]))
	if hl > maxRecordPart || int64(ci.Pos)+8+hl > b.size {
		return fmt.Errorf("%w: chunk header at %d overruns the file", ErrFormat, ci.Pos)
	}
	hb := make([]byte, hl+4)
	if _, err := b.r.ReadAt(hb, int64(ci.Pos)+4); err != nil {
		return fmt.Errorf("%w: chunk at %d: %w", ErrFormat, ci.Pos, err)
	}
	h, err := parseHeader(hb[:hl])
	if err != nil {
		return err
	}
	if op, err := h.op(); err != nil || op != opChunk {
		return fmt.Errorf("%w: no chunk at %d", ErrFormat, ci.Pos)
	}
	ci.Compression = string(h["compression"])
	if ci.Size, err = h.uint32("size"); err != nil {
		return err
	}
	ci.DataLen = le.Uint32(hb[hl:])
	return nil
}

func (b *Reader) addConnection(rec record) error {
	id, err := rec.hdr.uint32("conn")
	if err != nil {
		return err
	}
	if _, dup := b.byID[id]; dup {
		return nil
	}
	ch, err := parseHeader(rec.data)
	if err != nil {
		return err
	}
	c := &Connection{ID: id, Topic: string(rec.hdr["topic"]), Header: map[string]string{}}
	for k, v := range ch {
		c.Header[k] = string(v)
	}
	c.Type, c.MD5, c.Definition = c.Header["type"], c.Header["md5sum"], c.Header["message_definition"]
	b.byID[id] = c
	b.Conns = append(b.Conns, c)
	return nil
}

func chunkInfo(rec record) (ChunkInfo, error) {
	var ci ChunkInfo
	var err error
	if ci.Pos, err = rec.hdr.uint64("chunk_pos"); err != nil {
		return ci, err
	}
	if ci.Start, err = rec.hdr.time("start_time"); err != nil {
		return ci, err
	}
	if ci.End, err = rec.hdr.time("end_time"); err != nil {
		return ci, err
	}
	n, err := rec.hdr.uint32("count")
	if err != nil {
		return ci, err
	}
	if uint64(n)*8 != uint64(len(rec.data)) {
		return ci, fmt.Errorf("%w: chunk info with %d connections has %d bytes", ErrFormat, n, len(rec.data))
	}
	ci.Counts = make(map[uint32]uint32, n)
	for i := 0; i < int(n); i++ {
		ci.Counts[le.Uint32(rec.data[8*i:])] += le.Uint32(rec.data[8*i+4:])
	}
	return ci, nil
}

// scan rebuilds connections and chunk infos of an unindexed bag by reading
// every record from off on.
func (b *Reader) scan(off int64) error {
	for off < b.size {
		rec, err := readRecordAt(b.r, b.size, off)
		if err != nil {
			return err
		}
		switch rec.op {
		case opConnection:
			if err := b.addConnection(rec); err != nil {
				return err
			}
		case opChunk:
			if err := b.scanChunk(rec, off); err != nil {
				return err
			}
		}
		off = rec.end
	}
	return nil
}

// scanChunk indexes the chunk record rec at off: its connections, and
// its messages' count per connection and time span.
func (b *Reader) scanChunk(rec record, off int64) error {
	ci := ChunkInfo{Pos: uint64(off), Counts: map[uint32]uint32{}}
	if err := b.chunkHeader(&ci); err != nil {
		return err
	}
	data, err := decompress(ci.Compression, rec.data, ci.Size)
	if err != nil {
		return err
	}
	first := true
	err = splitRecords(data, func(r record, _ int) error {
		switch r.op {
		case opConnection:
			return b.addConnection(r)
		case opMessageData:
			conn, err := r.hdr.uint32("conn")
			if err != nil {
				return err
			}
			t, err := r.hdr.time("time")
			if err != nil {
				return err
			}
			if first || t.Before(ci.Start) {
				ci.Start = t
			}
			if first || ci.End.Before(t) {
				ci.End = t
			}
			first = false
			ci.Counts[conn]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(ci.Counts) > 0 {
		b.Chunks = append(b.Chunks, ci)
	}
	return nil
}

// decompress returns the uncompressed chunk data.
func decompress(compression string, data []byte, size uint32) ([]byte, error) {
	if size > maxRecordPart {
		return nil, fmt.Errorf("%w: chunk of %d bytes", ErrFormat, size)
	}
	var r io.Reader
	switch compression {
	case CompressionNone:
		if uint32(len(data)) != size {
			return nil, fmt.Errorf("%w: chunk holds %d bytes, header says %d", ErrFormat, len(data), size)
		}
		return data, nil
	case CompressionBZ2:
		r = bzip2.NewReader(bytes.NewReader(data))
	case CompressionLZ4:
		zr := lz4.NewReader(bytes.NewReader(data))
		// Reset hands the reader's block buffer (up to 4 MB) back to
		// lz4's pool: reading exactly size bytes never reaches the EOF
		// that would, and a fresh buffer per chunk costs more than the
		// decompression.
		defer zr.Reset(nil)
		r = zr
	default:
		return nil, fmt.Errorf("%w: unknown compression %q", ErrFormat, compression)
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("%w: %s chunk: %w", ErrFormat, compression, err)
	}
	return out, nil
}

// Connection returns the connection with the given id.
func (b *Reader) Connection(id uint32) *Connection { return b.byID[id] }

// Messages calls fn for every message, in time order (stable for equal
// times; chunks written out of time order are merged). It stops at the
// first error fn returns. Each chunk is read into memory of its own, so a
// message's Data stays valid and unchanged after fn returns (the
// *Message itself does not: copy it).
func (b *Reader) Messages(fn func(*Message) error) error {
	chunks := slices.Clone(b.Chunks)
	sort.SliceStable(chunks, func(i, j int) bool { return chunks[i].Start.Before(chunks[j].Start) })
	var pending []Message
	for ci := range chunks {
		rec, err := readRecordAt(b.r, b.size, int64(chunks[ci].Pos))
		if err != nil {
			return err
		}
		data, err := decompress(chunks[ci].Compression, rec.data, chunks[ci].Size)
		if err != nil {
			return err
		}
		err = splitRecords(data, func(r record, _ int) error {
			if r.op != opMessageData {
				return nil
			}
			id, err := r.hdr.uint32("conn")
			if err != nil {
				return err
			}
			t, err := r.hdr.time("time")
			if err != nil {
				return err
			}
			c := b.byID[id]
			if c == nil {
				return fmt.Errorf("%w: message on unknown connection %d", ErrFormat, id)
			}
			pending = append(pending, Message{Conn: c, Time: t, Data: r.data})
			return nil
		})
		if err != nil {
			return err
		}
		// Everything before the next chunk's start can go out now.
		slices.SortStableFunc(pending, func(a, b Message) int {
			if c := cmp.Compare(a.Time.Sec, b.Time.Sec); c != 0 {
				return c
			}
			return cmp.Compare(a.Time.Nsec, b.Time.Nsec)
		})
		n := len(pending)
		if ci+1 < len(chunks) {
			next := chunks[ci+1].Start
			n = sort.Search(len(pending), func(i int) bool { return !pending[i].Time.Before(next) })
		}
		for i := 0; i < n; i++ {
			if err := fn(&pending[i]); err != nil {
				return err
			}
		}
		pending = append(pending[:0], pending[n:]...)
	}
	return nil
}
