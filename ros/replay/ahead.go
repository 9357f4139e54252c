package replay

import (
	"context"
	"errors"

	"github.com/bluenviron/goroslib/v2/pkg/msgs/nav_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/ros/bag"
	"github.com/avfusion/avfusion/ros/record"
	"github.com/avfusion/avfusion/sensors"
)

// aheadBatchSize is how many messages the read-ahead hands over at once:
// waking the other core costs about a tenth of a millisecond on a virtual
// machine, so it is woken once a batch, not once a message.
const aheadBatchSize = 64

// aheadMsg is one message of the bag's window, read ahead of the
// pipeline (its Data stays valid: bag.Reader.Messages) and, for a radar
// point cloud, clustered beforehand.
type aheadMsg struct {
	m     bag.Message
	t     sensors.Time // its record time
	cloud *aheadCloud  // nil but for a radar point cloud that decoded
}

// aheadCloud is a radar point cloud decoded and clustered ahead, with
// what the clustering took: the capture stamp (repaired as the inputs
// would) and the sensor's own velocity from the ego samples before it.
// The pipeline takes its detections only where it would cluster with the
// same; it clusters again otherwise.
type aheadCloud struct {
	headerStamp sensors.Time
	frameID     string
	pts         []radar.Point
	stamp       sensors.Time
	vx, vy      float64
	dets        []perception.Detection
}

// aheadBatch is a run of messages, or the reading's end with its error.
type aheadBatch struct {
	msgs []aheadMsg
	err  error
	end  bool
}

// errStopped ends a read-ahead the replay no longer wants.
var errStopped = errors.New("replay: read-ahead stopped")

// readAhead reads the bag's window in order into out, batch by batch, and
// clusters its radar point clouds on the way with its own clusterer and
// ego samples: on two cores the clustering of later scans runs beside the
// fusion of earlier ones. It closes out when done or when stop closes.
func (r *replayer) readAhead(ctx context.Context, in *bag.File, out chan<- aheadBatch, stop <-chan struct{}) {
	defer close(out)
	cluster, err := radar.NewClusterer(r.node.RadarPerception)
	if err != nil {
		out <- aheadBatch{err: err, end: true}
		return
	}
	var ego fusion.EgoHistory
	send := func(b aheadBatch) error {
		select {
		case out <- b:
			return nil
		case <-stop:
			return errStopped
		}
	}
	batch := make([]aheadMsg, 0, aheadBatchSize)
	err = in.Messages(func(m *bag.Message) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := sensors.Time(int64(m.Time.Sec)*1e9 + int64(m.Time.Nsec))
		if t < r.from || t > r.to {
			return nil
		}
		a := aheadMsg{m: *m, t: t}
		switch topic := r.remapped(m.Conn.Topic); {
		case topic == record.TopicOdometry:
			var msg nav_msgs.Odometry
			if a.m.Decode(&msg) == nil {
				ego.Push(ros.EgoFromOdometry(&msg))
			}
		case (topic == record.TopicRadarPoints || topic == record.TopicRadarScan) && m.Conn.Type == "sensor_msgs/PointCloud2":
			a.cloud = r.clusterAhead(cluster, &ego, &a)
		}
		batch = append(batch, a)
		if len(batch) < aheadBatchSize {
			return nil
		}
		err := send(aheadBatch{msgs: batch})
		batch = make([]aheadMsg, 0, aheadBatchSize)
		return err
	})
	if errors.Is(err, errStopped) {
		return
	}
	_ = send(aheadBatch{msgs: batch, err: err, end: true}) // stopped: nobody reads it
}

// clusterAhead decodes and clusters a radar point cloud as the pipeline
// would (nil when it does not decode: the pipeline refuses it itself).
func (r *replayer) clusterAhead(cluster *radar.Clusterer, ego *fusion.EgoHistory, a *aheadMsg) *aheadCloud {
	var msg sensor_msgs.PointCloud2
	if a.m.Decode(&msg) != nil {
		return nil
	}
	pts, err := ros.RadarPoints(nil, &msg)
	if err != nil {
		return nil
	}
	c := &aheadCloud{headerStamp: ros.Stamp(msg.Header.Stamp), frameID: msg.Header.FrameId, pts: pts}
	c.stamp, _ = r.inputs.Repaired(c.headerStamp, a.t, r.radar.Latency)
	c.vx, c.vy = ego.At(c.stamp).SensorPose(r.node.Rig.Radar).OwnVelocity()
	c.dets, _ = cluster.Detect(nil, nil, c.stamp, pts, c.vx, c.vy)
	return c
}
