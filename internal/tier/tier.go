// Package tier sorts the tests into tiers: `go test -short ./...` runs the
// unit tests alone (about a minute); without -short the integration tests
// run too. `make test` runs every tier.
package tier

import "testing"

// Integration skips t under `go test -short`: it needs real parts (a
// roscore, the rosbag tools, qemu, a pseudo-terminal, a sound device, the
// command built) or runs long.
func Integration(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: runs without -short (make test)")
	}
}
