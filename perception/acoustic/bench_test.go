package acoustic

import (
	"math/rand/v2"
	"testing"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/sim/audio"
)

// BenchmarkAcousticHop is the cost of one 32 ms hop of a 4-microphone
// array: the log-mel features of the new frame, its GCC-PHAT correlations
// for the six pairs, and a sixteenth of a window's classification and
// bearing estimate (a window every 0.5 s).
func BenchmarkAcousticHop(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 1))
	array := calib.MicArray{SpeedOfSoundMps: 343, Microphones: [][3]float64{{0.04, 0.04, 0}, {-0.04, 0.04, 0}, {-0.04, -0.04, 0}, {0.04, -0.04, 0}}}
	chans := hear(array, 0.7, 10, rnd)
	cls, err := DefaultClassifier()
	if err != nil {
		b.Fatal(err)
	}
	doa, err := NewDOA(array)
	if err != nil {
		b.Fatal(err)
	}
	feats := NewFeatures()
	mel := make([]float64, Mels)
	probs := make([]float64, NumClasses)
	frame := make([][]float64, len(chans))
	hopsPerWindow := audio.SampleRate / 2 / Hop // 15: one window per half second
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		off := (i % WindowFrames) * Hop
		for c := range chans {
			frame[c] = chans[c][off : off+FrameSize]
		}
		feats.LogMel(mel, frame[0])
		doa.Add(frame)
		if i%hopsPerWindow == hopsPerWindow-1 {
			cls.Classify(probs, chans[0][:WindowSamples])
			doa.Estimate()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/hop")
}
