package corpus

import (
	"testing"

	"github.com/avfusion/avfusion/perception/acoustic"
)

// TestEveryRecordingLoadsAndGroupsStayInOneSplit reads the whole corpus
// (make sounds) and checks the split: no group on both sides, both
// sides holding every class.
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
	var count, seconds [2][acoustic.NumClasses]float64
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
	for s := range 2 {
		for c, name := range acoustic.ClassNames {
			t.Logf("%s %s: %.0f recordings, %.0f s", Split(s), name, count[s][c], seconds[s][c])
			if count[s][c] < 2 {
				t.Errorf("%s split: %.0f %s recordings", Split(s), count[s][c], name)
			}
		}
	}
}
