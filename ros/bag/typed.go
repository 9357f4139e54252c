package bag

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"

	"github.com/bluenviron/goroslib/v2/pkg/msgproc"
	"github.com/bluenviron/goroslib/v2/pkg/protocommon"
)

// AddTyped registers a connection for messages of msg's type (a goroslib
// message struct), filling type, MD5 sum and definition from it.
func (w *Writer) AddTyped(topic string, msg any, hdr map[string]string) (*Connection, error) {
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Pointer {
		msg = v.Elem().Interface()
	}
	typ, err := msgproc.Type(msg)
	if err != nil {
		return nil, fmt.Errorf("bag: %w", err)
	}
	md5, err := msgproc.MD5(msg)
	if err != nil {
		return nil, fmt.Errorf("bag: %w", err)
	}
	def, err := msgproc.Definition(msg)
	if err != nil {
		return nil, fmt.Errorf("bag: %w", err)
	}
	return w.AddConnection(topic, typ, md5, def, hdr), nil
}

// WriteMsg serialises msg (a pointer to a goroslib message struct) and
// writes it on c at t.
func (w *Writer) WriteMsg(c *Connection, t Time, msg any) error {
	data, err := Encode(msg)
	if err != nil {
		return fmt.Errorf("bag: encode %s: %w", c.Type, err)
	}
	return w.Write(c, t, data)
}

// Encode serialises a goroslib message as a bag message record holds it.
func Encode(msg any) ([]byte, error) {
	var buf bytes.Buffer
	if err := protocommon.MessageEncode(&buf, msg); err != nil {
		return nil, err
	}
	// MessageEncode prefixes the length, which a bag record carries itself.
	return buf.Bytes()[4:], nil
}

// Decode deserialises m into dst, a pointer to a goroslib message struct.
func (m *Message) Decode(dst any) error {
	buf := make([]byte, 4, 4+len(m.Data))
	binary.LittleEndian.PutUint32(buf, uint32(len(m.Data)))
	buf = append(buf, m.Data...)
	if err := protocommon.MessageDecode(bytes.NewReader(buf), dst); err != nil {
		return fmt.Errorf("bag: decode %s on %s: %w", m.Conn.Type, m.Conn.Topic, err)
	}
	return nil
}
