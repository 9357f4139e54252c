package corpus

import (
	"math"
	"testing"

	"github.com/avfusion/avfusion/perception/acoustic"
)

// TestEveryRecordingLoadsAndGroupsStayInOneSplit reads the whole corpus
// (make sounds) and checks the split: no group in two splits, every
// split holding every class (the external check has one siren).
func TestEveryRecordingLoadsAndGroupsStayInOneSplit(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	recs, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	split := map[string]Split{}
	var count, seconds [NumSplits][acoustic.NumClasses]float64
	for _, r := range recs {
		if s, ok := split[r.Group]; ok && s != r.Split {
			t.Errorf("group %q is in both splits", r.Group)
		}
		split[r.Group] = r.Split
		x, err := Load(dir, r)
		if err != nil {
			t.Error(err)
			continue
		}
		count[r.Split][r.Class]++
		seconds[r.Split][r.Class] += float64(len(x)) / acoustic.SampleRate
	}
	for s := range NumSplits {
		least := 2.0
		if s == External {
			least = 1
		}
		for c, name := range acoustic.ClassNames {
			t.Logf("%s %s: %.0f recordings, %.0f s", s, name, count[s][c], seconds[s][c])
			if count[s][c] < least {
				t.Errorf("%s split: %.0f %s recordings", s, count[s][c], name)
			}
		}
	}
}

// TestConfusionPrecisionAndRecall: precision is read down a column,
// recall along a row; an empty one is 0.
func TestConfusionPrecisionAndRecall(t *testing.T) {
	c := Confusion{{2, 0, 0}, {3, 1, 0}, {94, 50, 13}}
	if p, r := c.Precision(0), c.Recall(0); math.Abs(p-2.0/99) > 1e-12 || r != 1 {
		t.Fatalf("siren precision %g recall %g", p, r)
	}
	if p, r := c.Precision(2), c.Recall(2); p != 1 || math.Abs(r-13.0/157) > 1e-12 {
		t.Fatalf("background precision %g recall %g", p, r)
	}
	var empty Confusion
	if empty.Precision(1) != 0 || empty.Recall(1) != 0 {
		t.Fatal("an empty class is not 0")
	}
}
