// Package rostest starts the real ROS tools (roscore from Debian's ros-core,
// rosbag) for integration tests, on loopback and on a free port, and stops
// exactly the processes it started.
package rostest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bluenviron/goroslib/v2"

	"github.com/avfusion/avfusion/internal/tier"
)

// Master is a running roscore.
type Master struct {
	URI  string
	Port int
	// Env is the environment for processes that talk to this master.
	Env []string
	cmd *exec.Cmd
}

// Stop stops this roscore now (a crash, as far as its nodes can tell).
func (m *Master) Stop() { StopCmd(m.cmd) }

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() //nolint:errcheck // only probing for a free port
	return l.Addr().(*net.TCPAddr).Port
}

// StartMaster starts roscore on a free loopback port and stops it when the
// test ends. It fails the test when roscore is not installed: `make test`
// installs Debian's ros-core.
func StartMaster(t testing.TB) *Master {
	t.Helper()
	return StartMasterAt(t, freePort(t))
}

// StartMasterAt starts roscore on the given loopback port (to restart a
// master where nodes expect it).
func StartMasterAt(t testing.TB, port int) *Master {
	t.Helper()
	tier.Integration(t)
	if _, err := exec.LookPath("roscore"); err != nil {
		t.Fatal("roscore not found: install Debian's ros-core (make test does)")
	}
	home := t.TempDir()
	m := &Master{URI: fmt.Sprintf("http://127.0.0.1:%d", port), Port: port}
	m.Env = append(os.Environ(),
		"ROS_MASTER_URI="+m.URI, "ROS_IP=127.0.0.1", "ROS_HOSTNAME=127.0.0.1",
		"ROS_HOME="+home, "ROS_LOG_DIR="+filepath.Join(home, "log"))
	cmd := m.Command("roscore", "-p", fmt.Sprint(port))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	Start(t, cmd)
	m.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for {
		probe := m.Command("rosnode", "list")
		if err := probe.Run(); err == nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("roscore did not answer on %s within 30 s:\n%s", m.URI, out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Command returns a command that talks to this master.
func (m *Master) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = m.Env
	return cmd
}

// Start starts cmd in its own process group and, when the test ends,
// interrupts that group (the process and the children it spawned, and
// nothing else), waiting up to 15 s before killing it.
func Start(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	startedMu.Lock()
	started[cmd] = done
	startedMu.Unlock()
	t.Cleanup(func() { Stop(cmd, done) })
}

// started remembers the wait channel of each command Start started.
var (
	startedMu sync.Mutex
	started   = map[*exec.Cmd]chan struct{}{}
)

// StopCmd stops a command that Start started, now rather than at the end
// of the test.
func StopCmd(cmd *exec.Cmd) {
	startedMu.Lock()
	done := started[cmd]
	startedMu.Unlock()
	Stop(cmd, done)
}

// Stop interrupts cmd's process group and waits for done, killing the
// group after 15 s.
func Stop(cmd *exec.Cmd, done <-chan struct{}) {
	select {
	case <-done:
		return
	default:
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// Recorder is a running `rosbag record`.
type Recorder struct {
	Path string
	cmd  *exec.Cmd
	done chan struct{}
}

// Record starts `rosbag record -O path topics...` against the master and
// waits until it has subscribed.
func (m *Master) Record(t testing.TB, path string, topics ...string) *Recorder {
	t.Helper()
	args := append([]string{"record", "-O", path}, topics...)
	cmd := m.Command("rosbag", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start rosbag record: %v", err)
	}
	r := &Recorder{Path: path, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(r.done) }()
	t.Cleanup(func() { Stop(cmd, r.done) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		info := m.Command("rosnode", "list")
		names, _ := info.Output()
		if bytes.Contains(names, []byte("/record_")) {
			return r
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("rosbag record did not register within 20 s:\n%s", out.String())
	return nil
}

// Finish stops the recording cleanly (SIGINT, as Ctrl-C) so that the bag is
// closed and indexed, and waits for it.
func (r *Recorder) Finish(t testing.TB) {
	t.Helper()
	Stop(r.cmd, r.done)
	if _, err := os.Stat(r.Path); err != nil {
		t.Fatalf("rosbag record left no bag: %v", err)
	}
}

// Output collects a running process's output; safe to read while the
// process still writes.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Node registers a goroslib node named name with this master, for a test
// to publish or subscribe; it is closed when the test ends.
func (m *Master) Node(t testing.TB, name string) *goroslib.Node {
	t.Helper()
	n, err := goroslib.NewNode(goroslib.NodeConf{Name: name, MasterAddress: fmt.Sprintf("127.0.0.1:%d", m.Port), Host: "127.0.0.1"})
	if err != nil {
		t.Fatalf("test node %s: %v", name, err)
	}
	t.Cleanup(n.Close)
	return n
}
