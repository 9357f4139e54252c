// Package ros connects avfusion to a ROS1 master through goroslib: it
// registers the node, reads its private parameters, and publishes each
// cycle's obstacles, tracks, markers and diagnostics.
package ros

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bluenviron/goroslib/v2"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/diagnostic_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/sensor_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/vision_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/visualization_msgs"
	"go.uber.org/zap"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/sensors"
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
	Host string
	// WatchPeriod is how often the node checks that the master still
	// knows it (default 1 s).
	WatchPeriod time.Duration
	Logger      *zap.Logger
}

// Node is the registered ROS node with its publishers and subscribers.
// It owns a goroutine that watches the master: when the master restarts
// (and so forgets the node), it registers the node again with every
// publisher and subscriber. Close stops it.
type Node struct {
	mu          sync.RWMutex // guards the goroslib objects against re-registration
	conf        goroslib.NodeConf
	node        *goroslib.Node
	obstacles   *goroslib.Publisher
	tracks      *goroslib.Publisher
	markers     *goroslib.Publisher
	diagPubs    *goroslib.Publisher
	explain     *goroslib.Publisher
	radarPoints *goroslib.Publisher
	subs        []*goroslib.Subscriber
	// What was asked for, to do again after a master restart.
	adverts []advert
	wanted  []subscription

	frames          config.Frames
	name, namespace string
	log             *zap.Logger

	stopWatch context.CancelFunc
	watching  sync.WaitGroup
}

type advert struct {
	dst   **goroslib.Publisher
	topic string
	msg   any
}

type subscription struct {
	topic string
	fn    any
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
	conf := goroslib.NodeConf{
		MasterAddress:   master,
		Name:            c.Name,
		Namespace:       c.Namespace,
		Host:            host,
		LogDestinations: goroslib.LogDestinationRosout,
	}
	gn, err := goroslib.NewNode(conf)
	if err != nil {
		return nil, fmt.Errorf("ros: register with master %s: %w", master, err)
	}
	log.Info("registered", zap.String("master", master), zap.String("node", c.Name), zap.String("namespace", c.Namespace))
	n := &Node{conf: conf, node: gn, name: c.Name, namespace: c.Namespace, log: log}
	period := c.WatchPeriod
	if period <= 0 {
		period = time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.stopWatch = cancel
	n.watching.Add(1)
	go func() {
		defer n.watching.Done()
		n.watch(ctx, period)
	}()
	return n, nil
}

// advertise creates one publisher and remembers it for re-registration.
func (n *Node) advertise(a advert) error {
	pub, err := goroslib.NewPublisher(goroslib.PublisherConf{Node: n.node, Topic: a.topic, Msg: a.msg})
	if err != nil {
		return fmt.Errorf("ros: advertise %s: %w", a.topic, err)
	}
	*a.dst = pub
	return nil
}

// Advertise creates the publishers on the configured topics; their
// messages are stamped in the configured frames.
func (n *Node) Advertise(topics config.Topics, frames config.Frames) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.frames = frames
	for _, a := range []advert{
		{&n.obstacles, topics.Obstacles, &vision_msgs.Detection3DArray{}},
		{&n.tracks, topics.Tracks, &derivedobject.ObjectWithCovarianceArray{}},
		{&n.markers, topics.Markers, &visualization_msgs.MarkerArray{}},
		{&n.diagPubs, topics.Diagnostics, &diagnostic_msgs.DiagnosticArray{}},
		{&n.explain, topics.Explain, &diagnostic_msgs.DiagnosticArray{}},
	} {
		if err := n.advertise(a); err != nil {
			return err
		}
		n.adverts = append(n.adverts, a)
	}
	return nil
}

// AdvertiseRadarPoints publishes the local radar's point clouds.
func (n *Node) AdvertiseRadarPoints(topic string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	a := advert{&n.radarPoints, topic, &sensor_msgs.PointCloud2{}}
	if err := n.advertise(a); err != nil {
		return err
	}
	n.adverts = append(n.adverts, a)
	return nil
}

// PublishRadarPoints sends one radar frame's points (sensor frame, ROS
// axes) in ti_mmwave_rospkg's layout.
func (n *Node) PublishRadarPoints(stamp sensors.Time, pts []radar.Point) {
	msg := RadarCloud(stamp, n.frames.Radar, pts)
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.radarPoints != nil {
		n.radarPoints.Write(msg)
	}
}

// Subscribe calls fn (a func(*SomeMessage)) for every message on topic.
func (n *Node) Subscribe(topic string, fn any) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.subscribe(subscription{topic, fn}); err != nil {
		return err
	}
	n.wanted = append(n.wanted, subscription{topic, fn})
	return nil
}

func (n *Node) subscribe(w subscription) error {
	sub, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: n.node, Topic: w.topic, Callback: w.fn, QueueSize: 64})
	if err != nil {
		return fmt.Errorf("ros: subscribe %s: %w", w.topic, err)
	}
	n.subs = append(n.subs, sub)
	return nil
}

// watch checks every period that the master still knows the node and,
// after a master restart, registers it again with its publishers and
// subscribers. It returns when ctx ends or the node is closed.
func (n *Node) watch(ctx context.Context, period time.Duration) {
	self := strings.TrimSuffix(n.namespace, "/") + "/" + n.name
	lost := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(period):
		}
		n.mu.RLock()
		if n.node == nil {
			n.mu.RUnlock()
			return // closed
		}
		nodes, err := n.node.MasterGetNodes()
		n.mu.RUnlock()
		if err != nil {
			if !lost {
				n.log.Warn("master unreachable; will register again when it is back", zap.Error(err))
			}
			lost = true
			continue
		}
		if _, known := nodes[self]; known && !lost {
			continue
		}
		if err := n.reregister(); err != nil {
			n.log.Warn("registering again failed; retrying", zap.Error(err))
			lost = true
			continue
		}
		lost = false
		n.log.Info("registered again with the master")
	}
}

// Now is the ROS time: the /clock topic when /use_sim_time is set, the
// wall clock otherwise (goroslib follows the parameter); 0 before the
// first /clock message.
func (n *Node) Now() sensors.Time {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.node == nil {
		return sensors.WallClock{}.Now()
	}
	t := n.node.TimeNow()
	if t.Unix() <= 0 {
		return 0
	}
	return sensors.Time(t.UnixNano())
}

// SimTime reports whether the master's /use_sim_time is set.
func (n *Node) SimTime() bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if set, err := n.node.ParamIsSet("/use_sim_time"); err != nil || !set {
		return false
	}
	v, err := n.node.ParamGetBool("/use_sim_time")
	return err == nil && v
}

func (n *Node) reregister() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closeLocked()
	gn, err := goroslib.NewNode(n.conf)
	if err != nil {
		return err
	}
	n.node = gn
	for _, a := range n.adverts {
		if err := n.advertise(a); err != nil {
			return err
		}
	}
	for _, w := range n.wanted {
		if err := n.subscribe(w); err != nil {
			return err
		}
	}
	return nil
}

// Close stops watching the master, closes every publisher and
// subscriber and unregisters the node.
func (n *Node) Close() {
	n.stopWatch()
	n.watching.Wait()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closeLocked()
}

func (n *Node) closeLocked() {
	for _, s := range n.subs {
		s.Close()
	}
	n.subs = nil
	for _, p := range []**goroslib.Publisher{&n.obstacles, &n.tracks, &n.markers, &n.diagPubs, &n.explain, &n.radarPoints} {
		if *p != nil {
			(*p).Close()
			*p = nil
		}
	}
	if n.node != nil {
		n.node.Close()
		n.node = nil
	}
}

// Publish sends one cycle's obstacles, tracks and markers. Messages are
// built fresh each cycle because goroslib serialises them after Write
// returns.
func (n *Node) Publish(out *fusion.Output) error {
	obstacles, tracks, markers := Obstacles(out, n.frames.Odom), Tracks(out, n.frames.Odom), Markers(out, n.frames.Odom)
	explain := Explain(out, n.name)
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.obstacles == nil {
		return errors.New("ros: not advertised")
	}
	n.obstacles.Write(obstacles)
	n.tracks.Write(tracks)
	n.markers.Write(markers)
	n.explain.Write(explain)
	return nil
}

// PublishDiagnostics sends the node's health on /diagnostics.
func (n *Node) PublishDiagnostics(d *fusion.Diagnostics) error {
	msg := DiagnosticArray(d, n.name)
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.diagPubs == nil {
		return errors.New("ros: not advertised")
	}
	n.diagPubs.Write(msg)
	return nil
}

// ApplyParams overlays the node's private parameters (~output_hz,
// ~tracker/gate_probability, ...) on cfg. A parameter of the wrong type is
// refused with its name.
func (n *Node) ApplyParams(cfg *config.Config) error {
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
