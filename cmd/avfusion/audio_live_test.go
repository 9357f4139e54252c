package main

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/goroslib/v2"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/audio_common_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/diagnostic_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/std_msgs"

	"github.com/avfusion/avfusion/ros/msgs/derivedobject"
	"github.com/avfusion/avfusion/ros/msgs/radarmsgs"
	"github.com/avfusion/avfusion/ros/rostest"
	"github.com/avfusion/avfusion/sim/audio"
)

// TestLiveNodeHearsASiren publishes, to `avfusion run` on a real roscore,
// radar returns of a vehicle 20 m ahead of the radar, closing at 1 m/s,
// and the sound of a siren at that vehicle on a 4-microphone array as
// audio_common_msgs/AudioDataStamped: the vehicle's track turns
// emergency_vehicle (derived_object_msgs' other-vehicle class). Then the
// siren moves behind the car, where no track is: /diagnostics reports the
// unexplained sound.
func TestLiveNodeHearsASiren(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	array := filepath.Join(dir, "array.yaml")
	mics := [][3]float64{{0.05, 0.05, 0}, {-0.05, 0.05, 0}, {-0.05, -0.05, 0}, {0.05, -0.05, 0}}
	if err := os.WriteFile(array, []byte("name: roof\nmicrophones: [[0.05, 0.05, 0], [-0.05, 0.05, 0], [-0.05, -0.05, 0], [0.05, -0.05, 0]]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	master := rostest.StartMaster(t)
	node := master.Command(bin, "run", "--status", "off", "--duration", "40s", "--set", "mic.array="+array)
	var nodeOut rostest.Output
	node.Stdout, node.Stderr = &nodeOut, &nodeOut
	rostest.Start(t, node)

	pub := master.Node(t, "test_sound")
	scans, err := goroslib.NewPublisher(goroslib.PublisherConf{Node: pub, Topic: "/radar/scan", Msg: &radarmsgs.RadarScan{}})
	if err != nil {
		t.Fatal(err)
	}
	defer scans.Close()
	sound, err := goroslib.NewPublisher(goroslib.PublisherConf{Node: pub, Topic: "/audio/audio", Msg: &audio_common_msgs.AudioDataStamped{}})
	if err != nil {
		t.Fatal(err)
	}
	defer sound.Close()
	var mu sync.Mutex
	emergency, heardMsg := false, ""
	tracks, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: pub, Topic: "/obstacles/tracks",
		Callback: func(m *derivedobject.ObjectWithCovarianceArray) {
			for _, o := range m.Objects {
				if o.Classification == derivedobject.ClassificationOtherVehicle {
					mu.Lock()
					emergency = true
					mu.Unlock()
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer tracks.Close()
	diags, err := goroslib.NewSubscriber(goroslib.SubscriberConf{Node: pub, Topic: "/diagnostics",
		Callback: func(m *diagnostic_msgs.DiagnosticArray) {
			for _, s := range m.Status {
				if strings.HasSuffix(s.Name, ": acoustic") {
					mu.Lock()
					heardMsg = s.Message
					mu.Unlock()
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer diags.Close()

	// The siren, at the vehicle (radar at x 3.7 m, array at x 1.0 m in
	// base_link): 22.7 m straight ahead of the array, closing at 1 m/s;
	// later 15 m behind.
	rnd := rand.New(rand.NewPCG(8, 8))
	siren := make([]float64, 60*audio.SampleRate)
	audio.RandomSiren(rnd).Generate(siren, 0)
	behind := false
	src := audio.Source{Signal: siren, T0: -1, Level: 4, Position: func(t float64) (float64, float64) {
		mu.Lock()
		defer mu.Unlock()
		if behind {
			return -15, 0
		}
		return 22.7 - t, 0
	}}
	const chunk = audio.SampleRate / 10
	chans := make([][]float64, 4)
	for c := range chans {
		chans[c] = make([]float64, chunk)
	}
	start := time.Now()
	deadline := start.Add(15 * time.Second)
	for k := 0; time.Now().Before(deadline); k++ {
		now := time.Now()
		scans.Write(&radarmsgs.RadarScan{Header: std_msgs.Header{Stamp: now},
			Returns: []radarmsgs.RadarReturn{{Range: float32(20 - now.Sub(start).Seconds()), DopplerVelocity: -1, Amplitude: 20}}})
		if k%2 == 0 { // a 0.1 s audio chunk every other 50 ms radar scan
			t0 := float64(k/2) * 0.1
			data := make([]byte, 0, 2*4*chunk)
			for c, m := range mics {
				clear(chans[c])
				audio.Receive(chans[c], t0, func(float64) (float64, float64, float64) { return m[0], m[1], 0.6 }, []audio.Source{src})
			}
			for i := range chunk {
				for c := range chans {
					v := chans[c][i] + 0.01*rnd.NormFloat64()
					data = binary.LittleEndian.AppendUint16(data, uint16(int16(math.Max(-1, math.Min(1, v))*32767)))
				}
			}
			sound.Write(&audio_common_msgs.AudioDataStamped{Header: std_msgs.Header{Stamp: start.Add(time.Duration(t0 * 1e9))},
				Audio: audio_common_msgs.AudioData{Data: data}})
		}
		mu.Lock()
		if emergency && !behind {
			behind = true
		}
		done := behind && strings.Contains(heardMsg, "siren")
		mu.Unlock()
		if done {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Fatalf("emergency_vehicle track seen: %v; acoustic diagnostics: %q\nnode log:\n%s", emergency, heardMsg, nodeOut.String())
}
