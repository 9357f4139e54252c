package ros

import (
	"os"
	"strings"
)

// Args are the ROS arguments rosrun and roslaunch put on a node's command
// line: special keys (__name:=, __ns:=, __log:=), private parameters
// (_key:=value) and topic remappings (from:=to, which goroslib applies
// itself from the process arguments).
type Args struct {
	Name      string
	Namespace string
	Log       string
	// Params are private parameters by their path with '/' separators.
	Params map[string]string
	Remaps map[string]string
}

// SplitArgs separates ROS arguments from the rest. $ROS_NAMESPACE is the
// namespace unless __ns:= says otherwise.
func SplitArgs(args []string) (rest []string, ra Args) {
	ra = Args{Namespace: os.Getenv("ROS_NAMESPACE"), Params: map[string]string{}, Remaps: map[string]string{}}
	for _, a := range args {
		key, value, ok := strings.Cut(a, ":=")
		if !ok || key == "" || strings.HasPrefix(key, "-") {
			rest = append(rest, a)
			continue
		}
		switch {
		case key == "__name":
			ra.Name = value
		case key == "__ns":
			ra.Namespace = value
		case key == "__log":
			ra.Log = value
		case strings.HasPrefix(key, "__"):
			// __ip, __hostname, __master: goroslib and the environment
			// cover these; ignore the rest as ROS nodes do.
		case strings.HasPrefix(key, "_"):
			ra.Params[key[1:]] = value
		default:
			ra.Remaps[key] = value
		}
	}
	if ra.Namespace != "" && !strings.HasPrefix(ra.Namespace, "/") {
		ra.Namespace = "/" + ra.Namespace
	}
	ra.Namespace = strings.TrimSuffix(ra.Namespace, "/")
	return rest, ra
}

// ConfigSets turns the private parameters into config assignments
// ("tracker/gate_probability" → "tracker.gate_probability=...").
func (ra *Args) ConfigSets() []string {
	var sets []string
	for k, v := range ra.Params {
		sets = append(sets, strings.ReplaceAll(k, "/", ".")+"="+v)
	}
	return sets
}
