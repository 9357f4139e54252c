package bag

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/dsnet/compress/bzip2"
	"github.com/pierrec/lz4/v4"
)

// WriterOpts configures a Writer.
type WriterOpts struct {
	// Compression of the chunks: CompressionNone (default), CompressionLZ4
	// or CompressionBZ2.
	Compression string
	// ChunkSize is the uncompressed size (bytes) at which a chunk is
	// closed; rosbag's default is 768 KiB.
	ChunkSize int
}

type indexEntry struct {
	t      Time
	offset uint32
}

// Writer writes a bag. Output depends only on what is written, so the same
// messages give a byte-identical file. Not safe for concurrent use.
type Writer struct {
	f     *os.File
	w     *bufio.Writer
	pos   int64
	opts  WriterOpts
	conns []*Connection
	// chunk under construction
	chunk      bytes.Buffer
	chunkIndex map[uint32][]indexEntry
	chunkStart Time
	chunkEnd   Time
	inChunk    map[uint32]bool // connection records already in this chunk
	infos      []ChunkInfo
	closed     bool
}

// Create creates (or truncates) a bag file.
func Create(path string, opts WriterOpts) (*Writer, error) {
	if opts.Compression == "" {
		opts.Compression = CompressionNone
	}
	switch opts.Compression {
	case CompressionNone, CompressionLZ4, CompressionBZ2:
	default:
		return nil, fmt.Errorf("bag: unknown compression %q (want none, lz4 or bz2)", opts.Compression)
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 768 << 10
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bag: %w", err)
	}
	w := &Writer{f: f, w: bufio.NewWriterSize(f, 1<<16), opts: opts}
	// A placeholder header, rewritten by Close with the index position.
	if err := w.write([]byte(Magic)); err != nil {
		return nil, err
	}
	if err := w.write(bagHeader(0, 0, 0)); err != nil {
		return nil, err
	}
	return w, nil
}

// bagHeader is the bag header record padded to 4096 bytes.
func bagHeader(indexPos uint64, conns, chunks uint32) []byte {
	var h []byte
	h = appendField(h, "chunk_count", u32(chunks))
	h = appendField(h, "conn_count", u32(conns))
	h = appendField(h, "index_pos", u64(indexPos))
	h = appendField(h, "op", []byte{opBagHeader})
	pad := bytes.Repeat([]byte{' '}, bagHeaderLen-8-len(h))
	return appendRecord(nil, h, pad)
}

func (w *Writer) write(b []byte) error {
	n, err := w.w.Write(b)
	w.pos += int64(n)
	if err != nil {
		return fmt.Errorf("bag: write: %w", err)
	}
	return nil
}

// AddConnection registers a connection. hdr may carry extra connection
// header fields (callerid, latching).
func (w *Writer) AddConnection(topic, typ, md5, definition string, hdr map[string]string) *Connection {
	c := &Connection{ID: uint32(len(w.conns)), Topic: topic, Type: typ, MD5: md5, Definition: definition, Header: map[string]string{}}
	for k, v := range hdr {
		c.Header[k] = v
	}
	c.Header["topic"], c.Header["type"], c.Header["md5sum"], c.Header["message_definition"] = topic, typ, md5, definition
	w.conns = append(w.conns, c)
	return c
}

func connectionRecord(c *Connection) []byte {
	var h []byte
	h = appendField(h, "conn", u32(c.ID))
	h = appendField(h, "op", []byte{opConnection})
	h = appendField(h, "topic", []byte(c.Topic))
	keys := make([]string, 0, len(c.Header))
	for k := range c.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var data []byte
	for _, k := range keys {
		data = appendField(data, k, []byte(c.Header[k]))
	}
	return appendRecord(nil, h, data)
}

// Write appends one message on connection c received at t.
func (w *Writer) Write(c *Connection, t Time, data []byte) error {
	if w.closed {
		return errors.New("bag: write after Close")
	}
	if int(c.ID) >= len(w.conns) || w.conns[c.ID] != c {
		return errors.New("bag: connection not from this writer")
	}
	if w.chunkIndex == nil {
		w.chunkIndex, w.inChunk = map[uint32][]indexEntry{}, map[uint32]bool{}
		w.chunkStart, w.chunkEnd = t, t
	}
	if !w.inChunk[c.ID] {
		w.chunk.Write(connectionRecord(c))
		w.inChunk[c.ID] = true
	}
	if t.Before(w.chunkStart) {
		w.chunkStart = t
	}
	if w.chunkEnd.Before(t) {
		w.chunkEnd = t
	}
	w.chunkIndex[c.ID] = append(w.chunkIndex[c.ID], indexEntry{t, uint32(w.chunk.Len())})
	var h []byte
	h = appendField(h, "conn", u32(c.ID))
	h = appendField(h, "op", []byte{opMessageData})
	h = appendField(h, "time", timeBytes(t))
	w.chunk.Write(appendRecord(nil, h, data))
	if w.chunk.Len() >= w.opts.ChunkSize {
		return w.flushChunk()
	}
	return nil
}

func compress(compression string, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	var zw io.WriteCloser
	switch compression {
	case CompressionNone:
		return data, nil
	case CompressionLZ4:
		zw = lz4.NewWriter(&buf)
	case CompressionBZ2:
		var err error
		if zw, err = bzip2.NewWriter(&buf, &bzip2.WriterConfig{Level: bzip2.BestCompression}); err != nil {
			return nil, err
		}
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// flushChunk writes the chunk under construction and its index records.
func (w *Writer) flushChunk() error {
	if w.chunkIndex == nil {
		return nil
	}
	data, err := compress(w.opts.Compression, w.chunk.Bytes())
	if err != nil {
		return fmt.Errorf("bag: compress chunk: %w", err)
	}
	info := ChunkInfo{Pos: uint64(w.pos), Start: w.chunkStart, End: w.chunkEnd, Counts: map[uint32]uint32{},
		Compression: w.opts.Compression, Size: uint32(w.chunk.Len()), DataLen: uint32(len(data))}
	var h []byte
	h = appendField(h, "compression", []byte(w.opts.Compression))
	h = appendField(h, "op", []byte{opChunk})
	h = appendField(h, "size", u32(uint32(w.chunk.Len())))
	if err := w.write(appendRecord(nil, h, data)); err != nil {
		return err
	}
	ids := make([]uint32, 0, len(w.chunkIndex))
	for id := range w.chunkIndex {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		entries := w.chunkIndex[id]
		info.Counts[id] = uint32(len(entries))
		var ih []byte
		ih = appendField(ih, "conn", u32(id))
		ih = appendField(ih, "count", u32(uint32(len(entries))))
		ih = appendField(ih, "op", []byte{opIndexData})
		ih = appendField(ih, "ver", u32(1))
		var d []byte
		for _, e := range entries {
			d = append(d, timeBytes(e.t)...)
			d = le.AppendUint32(d, e.offset)
		}
		if err := w.write(appendRecord(nil, ih, d)); err != nil {
			return err
		}
	}
	w.infos = append(w.infos, info)
	w.chunk.Reset()
	w.chunkIndex, w.inChunk = nil, nil
	return nil
}

// Close writes the last chunk and the index and closes the file.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.flushChunk()
	indexPos := uint64(w.pos)
	for _, c := range w.conns {
		if err == nil {
			err = w.write(connectionRecord(c))
		}
	}
	for _, ci := range w.infos {
		var h []byte
		h = appendField(h, "chunk_pos", u64(ci.Pos))
		h = appendField(h, "count", u32(uint32(len(ci.Counts))))
		h = appendField(h, "end_time", timeBytes(ci.End))
		h = appendField(h, "op", []byte{opChunkInfo})
		h = appendField(h, "start_time", timeBytes(ci.Start))
		h = appendField(h, "ver", u32(1))
		ids := make([]uint32, 0, len(ci.Counts))
		for id := range ci.Counts {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, cmp.Compare[uint32])
		var d []byte
		for _, id := range ids {
			d = le.AppendUint32(d, id)
			d = le.AppendUint32(d, ci.Counts[id])
		}
		if err == nil {
			err = w.write(appendRecord(nil, h, d))
		}
	}
	if err == nil {
		err = w.w.Flush()
	}
	if err == nil {
		_, err = w.f.WriteAt(bagHeader(indexPos, uint32(len(w.conns)), uint32(len(w.infos))), int64(len(Magic)))
	}
	return errors.Join(err, w.f.Close())
}
