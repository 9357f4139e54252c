package eval

import (
	"math"
	"path/filepath"
	"reflect"
	"testing"
)

const testdata = "../../testdata/motchallenge"

// TestTUDCampusMatchesPyMotmetrics checks every metric against the values
// py-motmetrics reports for TUD-Campus with IoU ≥ 0.5 (listed in
// ../../testdata/README.md).
func TestTUDCampusMatchesPyMotmetrics(t *testing.T) {
	gt, err := ReadMOTFile(filepath.Join(testdata, "TUD-Campus/gt.txt"), 1)
	if err != nil {
		t.Fatal(err)
	}
	test, err := ReadMOTFile(filepath.Join(testdata, "TUD-Campus/test.txt"), math.Inf(-1))
	if err != nil {
		t.Fatal(err)
	}
	m := Evaluate(gt, test, IoUDistance(0.5))
	floats := []struct {
		name      string
		got, want float64
	}{
		{"idf1", m.IDF1, 0.557659}, {"idp", m.IDP, 0.729730}, {"idr", m.IDR, 0.451253},
		{"recall", m.Recall, 0.582173}, {"precision", m.Precision, 0.941441},
		{"mota", m.MOTA, 0.526462}, {"motp", m.MOTP, 0.277201},
	}
	for _, f := range floats {
		if math.Abs(f.got-f.want) > 1e-3 {
			t.Errorf("%s = %.6f, want %.6f", f.name, f.got, f.want)
		}
	}
	ints := []struct {
		name      string
		got, want int
	}{
		{"num_unique_objects", m.UniqueObjects, 8}, {"mostly_tracked", m.MostlyTracked, 1},
		{"partially_tracked", m.PartiallyTracked, 6}, {"mostly_lost", m.MostlyLost, 1},
		{"num_false_positives", m.FalsePositives, 13}, {"num_misses", m.Misses, 150},
		{"num_switches", m.Switches, 7}, {"num_fragmentations", m.Fragmentations, 7},
	}
	for _, i := range ints {
		if i.got != i.want {
			t.Errorf("%s = %d, want %d", i.name, i.got, i.want)
		}
	}
}

func TestGroundDistanceCases(t *testing.T) {
	// Frame 1: both objects matched. Frame 2: hypothesis 10 jumps to object
	// 2 and 11 to object 1 (two switches). Frame 3: object 1 missed, an
	// extra hypothesis far away (one miss, one false positive).
	acc := NewAccumulator(GroundDistance(2))
	acc.Update([]Object{{ID: 1, X: 0}, {ID: 2, X: 10}}, []Object{{ID: 10, X: 0.5}, {ID: 11, X: 10}})
	acc.Update([]Object{{ID: 1, X: 0}, {ID: 2, X: 10}}, []Object{{ID: 11, X: 0}, {ID: 10, X: 10}})
	acc.Update([]Object{{ID: 1, X: 0}, {ID: 2, X: 10}}, []Object{{ID: 10, X: 10}, {ID: 12, X: 50}})
	m := acc.Metrics()
	if m.Switches != 2 || m.Misses != 1 || m.FalsePositives != 1 {
		t.Fatalf("switches %d misses %d fp %d, want 2 1 1", m.Switches, m.Misses, m.FalsePositives)
	}
	if want := 1 - 4.0/6; math.Abs(m.MOTA-want) > 1e-12 {
		t.Errorf("MOTA %g, want %g", m.MOTA, want)
	}
	if want := 0.5 / 5; math.Abs(m.MOTP-want) > 1e-12 {
		t.Errorf("MOTP %g, want %g", m.MOTP, want)
	}
}

func TestIoU(t *testing.T) {
	// Two 2×2 boxes overlapping in a 1×2 strip: 2 / (4+4-2).
	if got := IoU([4]float64{0, 0, 2, 2}, [4]float64{1, 0, 2, 2}); math.Abs(got-1.0/3) > 1e-12 {
		t.Fatalf("IoU %g, want 1/3", got)
	}
	if got := IoU([4]float64{0, 0, 1, 1}, [4]float64{5, 5, 1, 1}); got != 0 {
		t.Fatalf("disjoint IoU %g", got)
	}
}

// TestMissesAndFalsePositivesByKind: objects with a Kind are counted by
// it, and the counts add up to the totals of those objects.
func TestMissesAndFalsePositivesByKind(t *testing.T) {
	a := NewAccumulator(GroundDistance(1))
	a.Update([]Object{{ID: 1, X: 0, Kind: "car"}, {ID: 2, X: 10, Kind: "pedestrian"}}, []Object{{ID: 7, X: 0.2, Kind: "car"}, {ID: 8, X: 20, Kind: "truck"}})
	a.Update([]Object{{ID: 1, X: 0, Kind: "car"}, {ID: 2, X: 10, Kind: "pedestrian"}}, []Object{{ID: 8, X: 20, Kind: "truck"}})
	m := a.Metrics()
	if m.Misses != 3 || m.FalsePositives != 2 ||
		!reflect.DeepEqual(m.MissesByKind, map[string]int{"car": 1, "pedestrian": 2}) || !reflect.DeepEqual(m.FalsePositivesByKind, map[string]int{"truck": 2}) {
		t.Fatalf("%d misses %v, %d false positives %v", m.Misses, m.MissesByKind, m.FalsePositives, m.FalsePositivesByKind)
	}
	b := NewAccumulator(GroundDistance(1))
	b.Update([]Object{{ID: 1}}, nil)
	if m := b.Metrics(); m.MissesByKind != nil || m.FalsePositivesByKind != nil {
		t.Fatalf("without kinds: %v %v", m.MissesByKind, m.FalsePositivesByKind)
	}
}
