package calib

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// target is a common target's range over a minute: a car pulling away and
// closing again, with some wander, so its motion has one best alignment.
func target(t float64) float64 {
	return 20 + 8*math.Sin(0.21*t) + 3*math.Sin(0.67*t+1) + 1.5*math.Sin(1.9*t)
}

// TestTimeOffsetRecoversAKnownOffset samples the target with a 20 Hz
// radar and a 30 Hz camera whose stamps are 73 ms late and whose range has
// a 1.5 m bias and ten times the radar's noise: the offset comes back
// within 5 ms.
func TestTimeOffsetRecoversAKnownOffset(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 2))
	const late = 0.073
	var radar, cam []Sample
	for tt := 0.0; tt < 60; tt += 1.0 / 20 {
		radar = append(radar, Sample{T: tt, V: target(tt) + 0.05*rnd.NormFloat64()})
	}
	for tt := 0.013; tt < 60; tt += 1.0 / 30 {
		cam = append(cam, Sample{T: tt + late, V: target(tt) + 1.5 + 0.5*rnd.NormFloat64()})
	}
	res, err := TimeOffset(radar, cam, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if math.Abs(res.OffsetS-late) > 0.005 || res.Correlation < 0.5 || res.OverlapS < 55 {
		t.Fatalf("offset %.4f s (want %.3f), correlation %.2f, overlap %.1f s", res.OffsetS, late, res.Correlation, res.OverlapS)
	}
	// Swapping the sensors flips the sign.
	back, err := TimeOffset(cam, radar, 0.5)
	if err != nil || math.Abs(back.OffsetS+late) > 0.005 {
		t.Fatalf("swapped: %+v, %v", back, err)
	}
}

func TestTimeOffsetRefusesWhatItCannotUse(t *testing.T) {
	few := []Sample{{0, 1}, {1, 2}}
	if _, err := TimeOffset(few, few, 1); err == nil || !strings.Contains(err.Error(), "at least 8") {
		t.Fatalf("two samples: %v", err)
	}
	var a, b []Sample
	for i := range 100 {
		a = append(a, Sample{T: float64(i) / 10, V: target(float64(i) / 10)})
		b = append(b, Sample{T: 1000 + float64(i)/10, V: target(float64(i) / 10)})
	}
	if _, err := TimeOffset(a, b, 1); err == nil || !strings.Contains(err.Error(), "do not overlap") {
		t.Fatalf("disjoint: %v", err)
	}
}
