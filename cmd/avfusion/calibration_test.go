package main

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// TestHeadIsCalibratedOnHeldOutScenarios: on random scenarios outside its
// training seeds, the shipped head's existence and class probabilities
// mean what they say (expected calibration error below 0.03 on the forty scenarios of eval calibration).
func TestHeadIsCalibratedOnHeldOutScenarios(t *testing.T) {
	out, err := exec.Command(sharedBinary(t), "eval", "calibration", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Existence, Class reliability
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("existence ECE %.3f over %d, class ECE %.3f over %d", r.Existence.ECE, r.Existence.N, r.Class.ECE, r.Class.N)
	if r.Existence.N < 1000 || r.Class.N < 1000 || r.Existence.ECE > 0.03 || r.Class.ECE > 0.03 {
		t.Fatalf("existence %+v\nclass %+v", r.Existence, r.Class)
	}
}
