package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestShippedParamsFileMatchesDefaults(t *testing.T) {
	var c Config // from zero, so the file must spell out every default
	if err := c.LoadFile("../launch/avfusion.yaml"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Fatalf("launch/avfusion.yaml differs from the built-in defaults:\n%+v\n%+v", c, Default())
	}
}

func TestLayersAndErrorsNameTheField(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte("output_hz: 10\ntracker:\n  gate_probability: 0.99\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	if err := c.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("deadline=40ms"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("tracker.radar.p_detect=0.8"); err != nil {
		t.Fatal(err)
	}
	if c.OutputHz != 10 || c.Tracker.GateProbability != 0.99 || c.Deadline != 40*time.Millisecond ||
		c.Tracker.Radar.PDetect != 0.8 || c.Tracker.ConfirmHits != Default().Tracker.ConfirmHits {
		t.Fatalf("layers not applied: %+v", c)
	}
	for _, bad := range []struct{ set, field string }{
		{"output_hz=-1", "output_hz"},
		{"tracker.gate_probability=1.5", "tracker.gate_probability"},
		{"tracker.camera.fov_deg=0", "tracker.camera.fov_deg"},
		{"rig.lens.width=0", "rig.lens.width"},
		{"topics.tracks=a b", "topics.tracks"},
		{"mic.siren_confirm_s=-1", "mic.siren_confirm_s"},
		{"mic.siren_confirm_s=60", "mic.siren_confirm_s"},
	} {
		c := Default()
		if err := c.Set(bad.set); err != nil {
			t.Fatalf("%s: %v", bad.set, err)
		}
		err := c.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), bad.field+":") {
			t.Errorf("%s: error %v does not name %s", bad.set, err, bad.field)
		}
	}
	c = Default()
	if err := c.Set("tracker.no_such=1"); err == nil || !strings.Contains(err.Error(), "tracker.no_such") {
		t.Errorf("unknown key: %v", err)
	}
	if err := c.Set("deadline=soon"); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("bad duration: %v", err)
	}
	if err := os.WriteFile(file, []byte("tracker:\n  gate: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.LoadFile(file); err == nil || !strings.Contains(err.Error(), "gate") {
		t.Errorf("unknown key in file: %v", err)
	}
}
