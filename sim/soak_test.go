//go:build soak

package sim

import (
	"context"
	"testing"
	"time"
)

// TestSoakCompressed is the CI version of the hour-long soak: two minutes
// of the soak scenario in real time. Deadline misses must stay within a
// budget of 0.5 % of cycles and the heap must not grow. It is built with
// the soak tag so that `make test` runs it on its own, after the other
// packages (their parallel tests would load the machine and make the
// deadline budget a measure of them), without the race detector.
func TestSoakCompressed(t *testing.T) {
	sc, err := LoadScenario("scenarios/long/soak.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), RunConfig{
		Scenario: sc, Node: trackerOnly(25 * time.Millisecond), Duration: 2 * time.Minute, Realtime: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cycles, %d deadline misses, cycle p99 %.2f ms, latency p99 %.1f ms, heap %.2f → %.2f MB, MOTA %.3f",
		res.Cycles, res.DeadlineMisses, res.CycleMs.P99, res.LatencyMs.P99, res.HeapStartMB, res.HeapEndMB, res.Tracking.MOTA)
	if res.Cycles != 2400 {
		t.Fatalf("%d cycles in two minutes at 20 Hz", res.Cycles)
	}
	if budget := res.Cycles / 200; res.DeadlineMisses > budget {
		t.Errorf("%d deadline misses, budget %d", res.DeadlineMisses, budget)
	}
	if res.HeapEndMB > res.HeapStartMB+1 {
		t.Errorf("heap grew from %.2f to %.2f MB", res.HeapStartMB, res.HeapEndMB)
	}
}
