// Package mmwavesim is a virtual TI mmWave radar: it opens a
// pseudo-terminal pair for the CLI port and one for the data port, answers
// the CLI like the out-of-box demo firmware (echo, Done, the mmwDemo:/>
// prompt, Error on unknown commands) and writes TLV frames on the data
// port no faster than its baud rate allows. The node reaches it through
// the same serial code it uses for hardware.
package mmwavesim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/sensors/radar/mmwave"
)

// Prompt is what the demo CLI prints when it waits for a command.
const Prompt = "mmwDemo:/>"

// commandArgs lists the commands the emulator accepts with the number of
// arguments each takes (-1: any).
var commandArgs = map[string]int{
	"sensorStop": 0, "sensorStart": -1, "flushCfg": 0, "dfeDataOutputMode": 1, "channelCfg": 3,
	"adcCfg": 2, "adcbufCfg": 5, "profileCfg": 14, "chirpCfg": 8, "frameCfg": 7, "lowPower": 2,
	"guiMonitor": 7, "cfarCfg": 9, "multiObjBeamForming": 3, "clutterRemoval": 2, "calibDcRangeSig": 5,
	"extendedMaxVelocity": 2, "lvdsStreamCfg": 4, "compRangeBiasAndRxChanPhase": 17, "measureRangeBiasAndRxChanPhase": 3,
	"CQRxSatMonitor": 5, "CQSigImgMonitor": 3, "analogMonitor": 2, "aoaFovCfg": 5, "cfarFovCfg": 4, "calibData": 3,
}

// Emulator is one virtual radar.
type Emulator struct {
	cliMaster, cliSlave   *os.File
	dataMaster, dataSlave *os.File
	baud                  int

	mu      sync.Mutex
	running bool
	period  time.Duration // from frameCfg
	started chan struct{} // closed at the first sensorStart
	done    chan struct{}
	closed  bool
	links   []string // device names made by Link
}

// New opens the two pseudo-terminals and starts answering the CLI.
// baud paces the data port (0: unpaced).
func New(baud int) (*Emulator, error) {
	e := &Emulator{baud: baud, period: 100 * time.Millisecond, started: make(chan struct{}), done: make(chan struct{})}
	var err error
	if e.cliMaster, e.cliSlave, err = openRaw(); err != nil {
		return nil, err
	}
	if e.dataMaster, e.dataSlave, err = openRaw(); err != nil {
		e.cliMaster.Close() //nolint:errcheck,gosec // already failing
		e.cliSlave.Close()  //nolint:errcheck,gosec
		return nil, err
	}
	go e.serveCLI()
	return e, nil
}

func openRaw() (master, slave *os.File, err error) {
	master, slave, err = pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("mmwavesim: open pseudo-terminal: %w", err)
	}
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil {
		master.Close() //nolint:errcheck,gosec // already failing
		slave.Close()  //nolint:errcheck,gosec
		return nil, nil, fmt.Errorf("mmwavesim: raw mode: %w", err)
	}
	// A master in blocking mode cannot be interrupted by Close; a
	// non-blocking duplicate goes through Go's poller and can.
	fd, err := unix.Dup(int(master.Fd()))
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	name := master.Name()
	master.Close() //nolint:errcheck,gosec // replaced by its duplicate
	if err != nil {
		slave.Close() //nolint:errcheck,gosec // already failing
		return nil, nil, fmt.Errorf("mmwavesim: pseudo-terminal: %w", err)
	}
	return os.NewFile(uintptr(fd), name), slave, nil
}

// CLIPath and DataPath are the device paths the node opens.
func (e *Emulator) CLIPath() string { return e.cliSlave.Name() }

// DataPath is the data port's device path.
func (e *Emulator) DataPath() string { return e.dataSlave.Name() }

// FramePeriod is the frame period the configuration asked for.
func (e *Emulator) FramePeriod() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.period
}

// Running reports whether the sensor is started.
func (e *Emulator) Running() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.running
}

// Link makes stable device names for the node: dir/cli and dir/data,
// symbolic links to the pseudo-terminals (as udev gives a USB radar a
// stable name). Links left by an earlier emulator are replaced; Close
// removes them, as udev removes a device's name when it is unplugged —
// a link left behind could lead a node to another process's
// pseudo-terminal once the kernel reuses its number.
func (e *Emulator) Link(dir string) error {
	for name, target := range map[string]string{"cli": e.CLIPath(), "data": e.DataPath()} {
		link := filepath.Join(dir, name)
		if err := os.Remove(link); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("mmwavesim: %w", err)
		}
		if err := os.Symlink(target, link); err != nil {
			return fmt.Errorf("mmwavesim: %w", err)
		}
		e.mu.Lock()
		e.links = append(e.links, link)
		e.mu.Unlock()
	}
	return nil
}

// unlink removes the links that still point at this emulator.
func (e *Emulator) unlink() {
	e.mu.Lock()
	links := e.links
	e.links = nil
	e.mu.Unlock()
	for _, l := range links {
		if target, err := os.Readlink(l); err == nil && (target == e.CLIPath() || target == e.DataPath()) {
			_ = os.Remove(l)
		}
	}
}

// Stream writes a frame every frame period while the sensor is started,
// until ctx ends or the emulator is closed. points(k, uptime) gives frame
// k's points (sensor frame, ROS axes).
func (e *Emulator) Stream(ctx context.Context, points func(k int, uptime time.Duration) []radar.Point) error {
	select {
	case <-e.started:
	case <-ctx.Done():
		return ctx.Err()
	}
	start := time.Now()
	next := start
	var pkt []byte
	for k := 0; ; {
		next = next.Add(e.FramePeriod())
		if d := time.Until(next); d > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
			}
		}
		if !e.Running() {
			continue
		}
		uptime := time.Since(start)
		pkt = EncodeFrame(pkt[:0], uint32(k), uptime, points(k, uptime))
		if err := e.WriteFrame(ctx, pkt); err != nil {
			return err
		}
		k++
	}
}

// Close unplugs the radar: both pseudo-terminals close, and the node's
// reads fail as with a USB device that disappeared.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.unlink() // before the numbers can be reused
	err := errors.Join(e.cliMaster.Close(), e.dataMaster.Close(), e.cliSlave.Close(), e.dataSlave.Close())
	<-e.done
	return err
}

func (e *Emulator) serveCLI() {
	defer close(e.done)
	w := e.cliMaster
	in := bufio.NewScanner(e.cliMaster)
	_, _ = io.WriteString(w, "\r\n"+Prompt)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		// The firmware echoes the command, answers, and prompts again.
		_, _ = io.WriteString(w, line+"\r\n"+e.execute(line)+"\r\n"+Prompt)
	}
}

// execute runs one command and returns the firmware's answer.
func (e *Emulator) execute(line string) string {
	fields := strings.Fields(line)
	want, ok := commandArgs[fields[0]]
	if !ok {
		return fmt.Sprintf("'%s' is not recognized as a CLI command\r\nError -1", fields[0])
	}
	if want >= 0 && len(fields)-1 != want {
		return fmt.Sprintf("Error: %s takes %d arguments, got %d\r\nError -1", fields[0], want, len(fields)-1)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch fields[0] {
	case "frameCfg":
		ms, err := strconv.ParseFloat(fields[5], 64)
		if err != nil || ms <= 0 {
			return "Error -1"
		}
		e.period = time.Duration(ms * float64(time.Millisecond))
	case "sensorStart":
		if !e.running {
			e.running = true
			select {
			case <-e.started:
			default:
				close(e.started)
			}
		}
	case "sensorStop":
		e.running = false
	}
	return "Done"
}

// WriteFrame writes one packet on the data port, paced at the baud rate
// (10 bits a byte) unless the emulator is unpaced.
func (e *Emulator) WriteFrame(ctx context.Context, pkt []byte) error {
	if e.baud <= 0 {
		_, err := e.dataMaster.Write(pkt)
		return err
	}
	const chunk = 256
	perByte := time.Duration(float64(time.Second) * 10 / float64(e.baud))
	next := time.Now()
	for len(pkt) > 0 {
		n := min(chunk, len(pkt))
		if _, err := e.dataMaster.Write(pkt[:n]); err != nil {
			return err
		}
		pkt = pkt[n:]
		next = next.Add(time.Duration(n) * perByte)
		if d := time.Until(next); d > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
			}
		}
	}
	return nil
}

// CPUClockHz is the emulated radar's CPU clock, which stamps frames in
// timeCpuCycles.
const CPUClockHz = 200e6

// EncodeFrame appends an SDK 3.3 frame to dst: TLV 1 with the points, TLV 7
// with their SNR and noise, TLV 6 with plausible processing statistics.
// Points are in the sensor frame with ROS axes (x along boresight, y
// left); TI's demo sends x to the right and y along boresight, so they are
// turned here. elapsed is the radar's uptime, for timeCpuCycles.
func EncodeFrame(dst []byte, number uint32, elapsed time.Duration, pts []radar.Point) []byte {
	var body []byte
	body = le32(body, mmwave.TLVPoints)
	body = le32(body, uint32(16*len(pts)))
	for i := range pts {
		p := &pts[i]
		for _, v := range [4]float64{-p.Y, p.X, p.Z, p.Doppler} {
			body = le32(body, math.Float32bits(float32(v)))
		}
	}
	body = le32(body, mmwave.TLVSideInfo)
	body = le32(body, uint32(4*len(pts)))
	for i := range pts {
		snr := int16(math.Round(10 * pts[i].SNR))
		body = le16(body, uint16(snr))
		body = le16(body, uint16(int16(500)))
	}
	body = le32(body, mmwave.TLVStats)
	body = le32(body, 24)
	for _, v := range [6]uint32{3000, 500, 40000, 10, 25, 5} {
		body = le32(body, v)
	}
	h := mmwave.Header{
		Version:        0x03030002,
		Platform:       0xA6843,
		FrameNumber:    number,
		TimeCPUCycles:  uint32(uint64(elapsed.Seconds()*CPUClockHz) & math.MaxUint32),
		NumDetectedObj: uint32(len(pts)),
		NumTLVs:        3,
	}
	return mmwave.BuildPacket(dst, h, body)
}

func le32(b []byte, v uint32) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

func le16(b []byte, v uint16) []byte { return append(b, byte(v), byte(v>>8)) }
