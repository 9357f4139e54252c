package pipeline

import (
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/sensors"
)

// Inputs accounts for every message on the node's inputs, live and in
// replay alike: how many were fused, how many had their stamp repaired or
// their frame assumed, and how many were refused, and why. Nothing is
// dropped without being counted; the first of each kind per topic is
// logged. It is safe for concurrent use (ROS callbacks run on their own
// goroutines).
type Inputs struct {
	maxAhead, maxAge time.Duration
	log              *zap.Logger

	mu     sync.Mutex
	topics map[string]*fusion.InputHealth
	warned map[warning]bool
}

// warning is a kind of repair or refusal on a topic, logged once.
type warning struct{ kind, topic string }

// Source is what the accounting needs of the sensor a topic carries: the
// frame its configured mount is named by, and its latency.
type Source struct {
	Mount   string
	Latency time.Duration
}

// NewInputs returns the accounting of a node whose stamps may be at most
// maxAhead later than a message's arrival and maxAge earlier (max_latency
// and sensor_timeout).
func NewInputs(maxAhead, maxAge time.Duration, log *zap.Logger) *Inputs {
	if log == nil {
		log = zap.NewNop()
	}
	return &Inputs{maxAhead: maxAhead, maxAge: maxAge, log: log, topics: map[string]*fusion.InputHealth{}, warned: map[warning]bool{}}
}

func (in *Inputs) topic(name string) *fusion.InputHealth {
	t := in.topics[name]
	if t == nil {
		t = &fusion.InputHealth{Topic: name, Refused: map[string]uint64{}}
		in.topics[name] = t
	}
	return t
}

// once logs msg the first time key is seen.
func (in *Inputs) once(key warning, msg string, fields ...zap.Field) {
	if in.warned[key] {
		return
	}
	in.warned[key] = true
	in.log.Warn(msg, fields...)
}

// Stamp returns the capture stamp to fuse a message of topic with: its
// own stamp, or, when that is 0, later than its arrival by more than
// maxAhead or older than maxAge, its arrival (the record time, in a bag)
// minus the sensor's latency. TI's ROS driver, for one, stamps its clouds
// 0 in several of its versions. Each repair is counted; the first on a
// topic is logged.
func (in *Inputs) Stamp(topic string, stamp, arrival sensors.Time, latency time.Duration) sensors.Time {
	repaired, ok := in.Repaired(stamp, arrival, latency)
	if !ok {
		return stamp
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.topic(topic).RepairedStamps++
	in.once(warning{"stamp", topic}, "input stamps repaired: taken as arrival minus the sensor's latency (counted on /diagnostics)",
		zap.String("topic", topic), zap.Float64("stamp_s", stamp.Seconds()), zap.Float64("arrival_s", arrival.Seconds()))
	return repaired
}

// Repaired is the capture stamp Stamp returns and whether it is a repair,
// without counting or logging it.
func (in *Inputs) Repaired(stamp, arrival sensors.Time, latency time.Duration) (sensors.Time, bool) {
	if stamp != 0 && stamp.Sub(arrival) <= in.maxAhead && arrival.Sub(stamp) <= in.maxAge {
		return stamp, false
	}
	return arrival.Add(-latency), true
}

// Frame notes the frame_id of a message of topic: an empty one is taken
// as the sensor's configured mount (counted; the first on a topic is
// logged).
func (in *Inputs) Frame(topic, frame, mount string) {
	if frame != "" {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.topic(topic).AssumedFrames++
	in.once(warning{"frame", topic}, "input without frame_id: taken as the sensor's configured mount", zap.String("topic", topic), zap.String("frame", mount))
}

// Admit notes the frame_id of a message of topic from src (see Frame) and
// returns its capture stamp, repaired where needed (see Stamp).
func (in *Inputs) Admit(topic string, src Source, stamp sensors.Time, frameID string, arrival sensors.Time) sensors.Time {
	in.Frame(topic, frameID, src.Mount)
	return in.Stamp(topic, stamp, arrival, src.Latency)
}

// Fused counts n messages of topic handed to the engine (a frame of
// per-point messages is n of them).
func (in *Inputs) Fused(topic string, n int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.topic(topic).Fused += uint64(n)
}

// Refused counts a message of topic refused for reason (one of the
// fusion.Refused constants); the first of each reason on a topic is logged with
// err.
func (in *Inputs) Refused(topic, reason string, err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.topic(topic).Refused[reason]++
	in.once(warning{"refused " + reason, topic}, "input message refused (counted on /diagnostics)", zap.String("topic", topic), zap.String("reason", reason), zap.Error(err))
}

// Health returns the counts per topic, in topic order.
func (in *Inputs) Health() []fusion.InputHealth {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]fusion.InputHealth, 0, len(in.topics))
	for _, t := range in.topics {
		c := *t
		c.Refused = make(map[string]uint64, len(t.Refused))
		for k, v := range t.Refused {
			c.Refused[k] = v
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b fusion.InputHealth) int { return strings.Compare(a.Topic, b.Topic) })
	return out
}
