// Package ros connects avfusion to a ROS1 master through goroslib: it
// registers the node, reads its private parameters, and publishes each
// cycle's obstacles, tracks, markers and diagnostics.
package ros

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/launch"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/sensors"
	"github.com/bluenviron/goroslib/v2"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/diagnostic_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/visualization_msgs"
	"go.uber.org/zap"
)

// Conf configures the ROS side of the node.
type Conf struct {
	// MasterURI is the master's address; empty means $ROS_MASTER_URI, and
	// http://127.0.0.1:11311 when that is unset too.
	MasterURI string
	// Name is the node name (default "avfusion"); Namespace its namespace.
	Name      string
	Namespace string
	// Host is the address other nodes reach this one at; empty means
	// $ROS_IP, then $ROS_HOSTNAME, then the master's host when that is a
	// loopback address.
	Host   string
	Logger *zap.Logger
}

// Node is the registered ROS node with its publishers.
type Node struct {
	node                                 *goroslib.Node
	obstacles, tracks, markers, diagPubs *goroslib.Publisher
	radarPoints                          *goroslib.Publisher
	subs                                 []*goroslib.Subscriber
	frames                               launch.Frames
	name, namespace                      string
	log                                  *zap.Logger
}

// MasterAddress returns host:port of a master URI such as
// http://127.0.0.1:11311/.
func MasterAddress(uri string) (string, error) {
	if uri == "" {
		uri = os.Getenv("ROS_MASTER_URI")
	}
	if uri == "" {
		return "127.0.0.1:11311", nil
	}
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("ros: master URI %q: want http://host:port", uri)
	}
	return u.Host, nil
}

// NewNode registers the node with the master. Call Advertise before
// publishing.
func NewNode(c Conf) (*Node, error) {
	master, err := MasterAddress(c.MasterURI)
	if err != nil {
		return nil, err
	}
	if c.Name == "" {
		c.Name = "avfusion"
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	host := c.Host
	for _, env := range []string{"ROS_IP", "ROS_HOSTNAME"} {
		if host == "" {
			host = os.Getenv(env)
		}
	}
	if h, _, err := net.SplitHostPort(master); host == "" && err == nil {
		if ip := net.ParseIP(h); (ip != nil && ip.IsLoopback()) || h == "localhost" {
			host = "127.0.0.1"
		}
	}
	log := c.Logger.Named("ros")
	gn, err := goroslib.NewNode(goroslib.NodeConf{
		MasterAddress:   master,
		Name:            c.Name,
		Namespace:       c.Namespace,
		Host:            host,
		LogDestinations: goroslib.LogDestinationRosout,
	})
	if err != nil {
		return nil, fmt.Errorf("ros: register with master %s: %w", master, err)
	}
	log.Info("registered", zap.String("master", master), zap.String("node", c.Name), zap.String("namespace", c.Namespace))
	return &Node{node: gn, name: c.Name, namespace: c.Namespace, log: log}, nil
}

// Advertise creates the publishers on the configured topics; their
// messages are stamped in the configured frames.
func (n *Node) Advertise(topics launch.Topics, frames launch.Frames) error {
	n.frames = frames
	for _, p := range []struct {
		dst   **goroslib.Publisher
		topic string
		msg   any
	}{
		{&n.obstacles, topics.Obstacles, &vision_msgs.Detection3DArray{}},
		{&n.tracks, topics.Tracks, &derivedobject.ObjectWithCovarianceArray{}},
		{&n.markers, topics.Markers, &visualization_msgs.MarkerArray{}},
		{&n.diagPubs, topics.Diagnostics, &diagnostic_msgs.DiagnosticArray{}},
	} {
		pub, err := goroslib.NewPublisher(goroslib.PublisherConf{Node: n.node, Topic: p.topic, Msg: p.msg})
		if err != nil {
			return fmt.Errorf("ros: advertise %s: %w", p.topic, err)
		}
		*p.dst = pub
	}
	return nil
}

// AdvertiseRadarPoints publishes the local radar's point clouds.
func (n *Node) AdvertiseRadarPoints(topic string) error {
	pub, err := goroslib.NewPublisher(goroslib.PublisherConf{Node: n.node, Topic: topic, Msg: &sensor_msgs.PointCloud2{}})
	if err != nil {
		return fmt.Errorf("ros: advertise %s: %w", topic, err)
	}
	n.radarPoints = pub
	return nil
}

// PublishRadarPoints sends one radar frame's points (sensor frame, ROS
// axes) in ti_mmwave_rospkg's layout.
func (n *Node) PublishRadarPoints(stamp sensors.Time, pts []radar.Point) {
	if n.radarPoints != nil {
		n.radarPoints.Write(RadarCloud(stamp, n.frames.Radar, pts))
	}
}

// Subscribe calls fn (a func(*SomeMessage)) for every message on topic.
func (n *Node) Subscribe(topic string, fn any) error {
	sub, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: n.node, Topic: topic, Callback: fn, QueueSize: 64})
	if err != nil {
		return fmt.Errorf("ros: subscribe %s: %w", topic, err)
	}
	n.subs = append(n.subs, sub)
	return nil
}

// Close unregisters the node.
func (n *Node) Close() {
	for _, s := range n.subs {
		s.Close()
	}
	for _, p := range []*goroslib.Publisher{n.obstacles, n.tracks, n.markers, n.diagPubs, n.radarPoints} {
		if p != nil {
			p.Close()
		}
	}
	n.node.Close()
}

// Publish sends one cycle's obstacles, tracks and markers. Messages are
// built fresh each cycle because goroslib serialises them after Write
// returns.
func (n *Node) Publish(out *fusion.Output) error {
	n.obstacles.Write(Obstacles(out, n.frames.Odom))
	n.tracks.Write(Tracks(out, n.frames.Odom))
	n.markers.Write(Markers(out, n.frames.Odom))
	return nil
}

// PublishDiagnostics sends the node's health on /diagnostics.
func (n *Node) PublishDiagnostics(d *fusion.Diagnostics) error {
	n.diagPubs.Write(DiagnosticArray(d, n.name))
	return nil
}

// ApplyParams overlays the node's private parameters (~output_hz,
// ~tracker/gate_probability, ...) on cfg. A parameter of the wrong type is
// refused with its name.
func (n *Node) ApplyParams(cfg *launch.Config) error {
	prefix := strings.TrimSuffix(n.namespace, "/") + "/" + n.name + "/"
	for _, k := range cfg.Keys() {
		name := prefix + strings.ReplaceAll(k.Path, ".", "/")
		set, err := n.node.ParamIsSet(name)
		if err != nil {
			return fmt.Errorf("ros: param %s: %w", name, err)
		}
		if !set {
			continue
		}
		value, err := n.param(name, k.Kind)
		if err != nil {
			return fmt.Errorf("ros: param %s: %w", name, err)
		}
		if err := cfg.Set(k.Path + "=" + value); err != nil {
			return fmt.Errorf("ros: param %s: %w", name, err)
		}
	}
	return nil
}

func (n *Node) param(name string, kind reflect.Kind) (string, error) {
	switch kind {
	case reflect.Float64:
		// A YAML integer (~output_hz: 10) is an int on the server.
		if v, err := n.node.ParamGetFloat64(name); err == nil {
			return strconv.FormatFloat(v, 'g', -1, 64), nil
		}
		v, err := n.node.ParamGetInt(name)
		return strconv.Itoa(v), err
	case reflect.Int:
		v, err := n.node.ParamGetInt(name)
		return strconv.Itoa(v), err
	case reflect.Bool:
		v, err := n.node.ParamGetBool(name)
		return strconv.FormatBool(v), err
	case reflect.String:
		v, err := n.node.ParamGetString(name)
		return strconv.Quote(v), err
	}
	return "", errors.New("unsupported parameter type")
}
