package mmwave

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ConfigLine is one command of a TI .cfg file with its line number.
type ConfigLine struct {
	Number  int
	Command string
}

// ReadConfig reads a TI .cfg file: one CLI command per line; blank lines
// and comments (from '%' to the end of the line) are skipped.
func ReadConfig(r io.Reader) ([]ConfigLine, error) {
	var lines []ConfigLine
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text, _, _ := strings.Cut(sc.Text(), "%")
		text = strings.TrimSpace(text)
		if text != "" {
			lines = append(lines, ConfigLine{Number: n, Command: text})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("mmwave: read config: %w", err)
	}
	if len(lines) == 0 {
		return nil, errors.New("mmwave: config has no commands")
	}
	return lines, nil
}

// ConfigError is a command the radar refused or did not answer.
type ConfigError struct {
	Line     ConfigLine
	Response string // what the radar said, or "" on a timeout
	Timeout  bool
}

func (e *ConfigError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("mmwave: config line %d %q: no Done or Error within the timeout", e.Line.Number, e.Line.Command)
	}
	return fmt.Sprintf("mmwave: config line %d %q: %s", e.Line.Number, e.Line.Command, e.Response)
}

// Configure sends the commands to the CLI port one at a time and waits up
// to timeout for each to answer Done. It stops at the first command that
// answers Error (or "not recognized") or does not answer, and reports it
// with its line number.
func Configure(ctx context.Context, cli Port, lines []ConfigLine, timeout time.Duration) error {
	r := &lineReader{port: cli}
	for _, l := range lines {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := io.WriteString(cli, l.Command+"\n"); err != nil {
			return fmt.Errorf("mmwave: config line %d: write: %w", l.Number, err)
		}
		deadline := time.Now().Add(timeout)
		for {
			line, err := r.next(deadline)
			if err != nil {
				var te *timeoutError
				if errors.As(err, &te) {
					return &ConfigError{Line: l, Timeout: true}
				}
				return fmt.Errorf("mmwave: config line %d: read: %w", l.Number, err)
			}
			if line == "Done" {
				break
			}
			if strings.HasPrefix(line, "Error") || strings.Contains(line, "not recognized") {
				return &ConfigError{Line: l, Response: line}
			}
			// The echo of the command, the prompt, and informational lines.
		}
	}
	return nil
}

type timeoutError struct{}

func (*timeoutError) Error() string { return "timeout" }

// lineReader splits what the CLI port sends into lines, dropping the
// "mmwDemo:/>" prompt, with a deadline per line. Ports return from Read
// within their read timeout, so the deadline is checked between reads.
type lineReader struct {
	port    Port
	pending []byte
	buf     [256]byte
}

func (r *lineReader) next(deadline time.Time) (string, error) {
	for {
		if i := strings.IndexAny(string(r.pending), "\r\n"); i >= 0 {
			line := strings.TrimSpace(strings.TrimPrefix(string(r.pending[:i]), "mmwDemo:/>"))
			r.pending = r.pending[i+1:]
			if line != "" {
				return line, nil
			}
			continue
		}
		if time.Now().After(deadline) {
			return "", &timeoutError{}
		}
		n, err := r.port.Read(r.buf[:])
		r.pending = append(r.pending, r.buf[:n]...)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
	}
}
