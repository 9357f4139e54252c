package ros

import (
	"slices"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	t.Setenv("ROS_NAMESPACE", "")
	rest, ra := SplitArgs([]string{"--scenario", "x.yaml", "__name:=fusion", "__ns:=vehicle1", "__log:=/tmp/l.log",
		"_output_hz:=10", "_tracker/gate_probability:=0.99", "obstacles:=detected", "__ip:=127.0.0.1", "--set", "a=b"})
	if !slices.Equal(rest, []string{"--scenario", "x.yaml", "--set", "a=b"}) {
		t.Fatalf("rest %v", rest)
	}
	if ra.Name != "fusion" || ra.Namespace != "/vehicle1" || ra.Log != "/tmp/l.log" || ra.Remaps["obstacles"] != "detected" {
		t.Fatalf("%+v", ra)
	}
	sets := ra.ConfigSets()
	slices.Sort(sets)
	if !slices.Equal(sets, []string{"output_hz=10", "tracker.gate_probability=0.99"}) {
		t.Fatalf("sets %v", sets)
	}
	t.Setenv("ROS_NAMESPACE", "/robot/")
	if _, ra := SplitArgs(nil); ra.Namespace != "/robot" {
		t.Fatalf("namespace from the environment: %q", ra.Namespace)
	}
}
