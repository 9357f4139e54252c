package mmwave

import (
	"fmt"
	"io"
	"time"

	"github.com/tarm/serial"
)

// Port is what the driver needs of a serial port: the device does not own
// it and never opens it by path. Reads should return within a bounded time
// (a read timeout), so that the driver can notice cancellation.
type Port interface {
	io.ReadWriter
}

// Baud rates of the out-of-box demo.
const (
	CLIBaud  = 115200
	DataBaud = 921600
)

// OpenSerial opens a serial device (or a pseudo-terminal) at baud, 8N1,
// with reads returning after at most readTimeout.
func OpenSerial(path string, baud int, readTimeout time.Duration) (io.ReadWriteCloser, error) {
	p, err := serial.OpenPort(&serial.Config{Name: path, Baud: baud, ReadTimeout: readTimeout})
	if err != nil {
		return nil, fmt.Errorf("mmwave: open %s: %w", path, err)
	}
	return p, nil
}
