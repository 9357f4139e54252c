//go:build soak

package sim

import (
	"context"
	"testing"
	"time"

	"github.com/avfusion/avfusion/config"
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

// TestRealTimeLatencyThroughTheVirtualTIRadar: crossing for 20 s in real
// time, its radar frames through the pseudo-terminal at 921 600 baud and
// the serial driver. A cycle runs as each frame is in, so capture to
// publish is the frame's delivery (its stamp offset, its bytes on the
// link, parsing and clustering) and the node's compute: p99 at most
// 40 ms, the node's part at most 5 ms. Deadline misses get the soak's
// budget of 0.5 % of cycles: on the virtual machines this runs on, a
// thread is now and then stalled for 3–25 ms while its own CPU clock
// (CLOCK_THREAD_CPUTIME_ID) counts it as running, whatever it computes
// (a cycle of 0.3 ms measured 20.9 ms once in 400); CI saw one such
// cycle pass the 25 ms deadline. (In this file for the same reason as
// the soak: alone on the machine.)
func TestRealTimeLatencyThroughTheVirtualTIRadar(t *testing.T) {
	sc, err := LoadScenario("scenarios/crossing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), RunConfig{
		Scenario: sc, Node: config.Default(), Duration: 20 * time.Second, Realtime: true, Radar: RadarTI, RadarConfig: builtinTI(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cycles, latency p50 %.1f p99 %.1f ms (delivery p99 %.1f, node p99 %.2f), %d deadline misses, MOTA %.3f, cycle p99 %.2f max %.2f",
		res.Cycles, res.LatencyMs.P50, res.LatencyMs.P99, res.DeliveryMs.P99, res.NodeMs.P99, res.DeadlineMisses, res.Tracking.MOTA, res.CycleMs.P99, res.CycleMs.Max)
	if budget := res.Cycles / 200; res.LatencyMs.P99 > 40 || res.NodeMs.P99 > 5 || res.DeadlineMisses > budget || res.Tracking.MOTA < 0.7 {
		t.Errorf("latency p99 %.1f ms (want ≤ 40), node p99 %.2f ms (want ≤ 5), %d deadline misses (budget %d), MOTA %.3f",
			res.LatencyMs.P99, res.NodeMs.P99, res.DeadlineMisses, budget, res.Tracking.MOTA)
	}
}
