package fusion

import "math"

// Histogram bins values on a logarithmic scale, each bin 1% wide, from
// 1 µs to 100 s (in ms: 1e-3 to 1e5), so percentiles cost fixed memory and
// no allocation however long the node runs. Percentiles are reported as
// the upper edge of their bin: at most 1% above the true value. The
// maximum is kept exactly.
type Histogram struct {
	counts [histBinCount]uint32
	n      uint64
	max    float64
}

const (
	histMin    = 1e-3 // ms
	histGrowth = 1.01
)

// histBinCount is ⌈ln(1e5/1e-3) / ln 1.01⌉ + 1.
const histBinCount = 1853

func histBin(v float64) int {
	if v <= histMin {
		return 0
	}
	return min(histBinCount-1, int(math.Ceil(math.Log(v/histMin)/math.Log(histGrowth))))
}

// Add records one value (ms).
func (h *Histogram) Add(v float64) {
	h.counts[histBin(v)]++
	h.n++
	h.max = math.Max(h.max, v)
}

// Count returns the number of values recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Reset forgets every value.
func (h *Histogram) Reset() { *h = Histogram{} }

// Percentiles returns the median, the 99th percentile (nearest rank) and
// the maximum; zero when empty.
func (h *Histogram) Percentiles() Percentiles {
	if h.n == 0 {
		return Percentiles{}
	}
	at := func(q float64) float64 {
		rank := uint64(math.Ceil(q * float64(h.n)))
		var seen uint64
		for i, c := range h.counts {
			seen += uint64(c)
			if seen >= rank {
				return math.Min(histMin*math.Pow(histGrowth, float64(i)), h.max)
			}
		}
		return h.max
	}
	return Percentiles{P50: at(0.5), P99: at(0.99), Max: h.max}
}

// CycleStats accumulates a run's cycle measurements, for the summary and
// for the diagnostics windows.
type CycleStats struct {
	// Latency is capture-to-publish latency, Cycle the cycle's duration;
	// the Window ones since the last diagnostics window.
	Latency, Cycle, WindowLatency, WindowCycle Histogram
	// Delivery is the sensor's part of the latency (capture to arrival),
	// Node the node's (arrival to publish).
	Delivery, Node Histogram
	Cycles, Misses int
	// OverBudget counts the cycles whose latency exceeded the latency
	// budget.
	OverBudget int
}

// RecordSplit adds one cycle's latency split into the sensor's delivery
// and the node's part (ms; NaN when nothing was fused yet), and whether
// the whole exceeded the latency budget.
func (s *CycleStats) RecordSplit(deliveryMs, nodeMs float64, overBudget bool) {
	if overBudget {
		s.OverBudget++
	}
	if !math.IsNaN(deliveryMs) {
		s.Delivery.Add(deliveryMs)
		s.Node.Add(nodeMs)
	}
}

// Record adds one cycle. latencyMs is NaN when nothing was fused yet.
func (s *CycleStats) Record(latencyMs, cycleMs float64, missed bool) {
	s.Cycles++
	if missed {
		s.Misses++
	}
	s.Cycle.Add(cycleMs)
	s.WindowCycle.Add(cycleMs)
	if !math.IsNaN(latencyMs) {
		s.Latency.Add(latencyMs)
		s.WindowLatency.Add(latencyMs)
	}
}
