package bag

import (
	"slices"
)

// TopicInfo is one topic of a bag.
type TopicInfo struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	MD5   string `json:"md5"`
	Count uint64 `json:"count"`
	// Connections is how many connections published on the topic.
	Connections int `json:"-"`
}

// Info summarises a bag the way `rosbag info` does: start and end are the
// first chunk's start and the last chunk's end in file order (so a bag with
// chunks out of time order can have a negative duration, as rosbag says);
// they are nil for a bag without messages.
type Info struct {
	Version     string      `json:"version"`
	DurationS   *float64    `json:"duration_s"`
	Start       *float64    `json:"start"`
	End         *float64    `json:"end"`
	Messages    uint64      `json:"messages"`
	Compression string      `json:"compression"`
	Topics      []TopicInfo `json:"topics"`
}

// Info computes the bag's summary.
func (b *Reader) Info() Info {
	info := Info{Version: "2.0", Compression: CompressionNone, Topics: []TopicInfo{}}
	perConn := map[uint32]uint64{}
	chunksBy := map[string]int{}
	for _, ci := range b.Chunks {
		for id, n := range ci.Counts {
			perConn[id] += uint64(n)
			info.Messages += uint64(n)
		}
		chunksBy[ci.Compression]++
	}
	if len(b.Chunks) > 0 {
		start, end := b.Chunks[0].Start.Seconds(), b.Chunks[len(b.Chunks)-1].End.Seconds()
		d := end - start
		info.Start, info.End, info.DurationS = &start, &end, &d
		best := 0
		for _, name := range []string{CompressionNone, CompressionLZ4, CompressionBZ2} {
			if chunksBy[name] > best {
				info.Compression, best = name, chunksBy[name]
			}
		}
	}
	byTopic := map[string]*TopicInfo{}
	for _, c := range b.Conns {
		t := byTopic[c.Topic]
		if t == nil {
			t = &TopicInfo{Name: c.Topic, Type: c.Type, MD5: c.MD5}
			byTopic[c.Topic] = t
		}
		t.Count += perConn[c.ID]
		t.Connections++
	}
	for _, t := range byTopic {
		info.Topics = append(info.Topics, *t)
	}
	slices.SortFunc(info.Topics, func(a, b TopicInfo) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return info
}
