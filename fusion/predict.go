package fusion

import (
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/sensors"
)

// predictScratch is the predict stage's: for a scan older than a track,
// the track's state at the scan's stamp (past) and how much older the
// scan is (lag, s; 0 for a newer scan).
type predictScratch struct {
	past []kalman.Filter
	lag  []float64
}

// predictTo brings every track to the scan's stamp: predicted in place
// when the scan is newer than the track, retrodicted into the scratch when
// it is older (a scan that arrived after newer ones were fused).
func (t *Tracker) predictTo(stamp sensors.Time) {
	t.pred.past = grow(t.pred.past, len(t.tracks))
	t.pred.lag = grow(t.pred.lag, len(t.tracks))
	for i := range t.tracks {
		tr := &t.tracks[i]
		t.pred.lag[i] = 0
		if stamp >= tr.Stamp {
			t.predict(tr, stamp.Sub(tr.Stamp).Seconds())
			tr.Stamp = stamp
			continue
		}
		t.pred.lag[i] = tr.Stamp.Sub(stamp).Seconds()
		if t.failed(tr.Filter.Retrodict(&t.pred.past[i], t.pred.lag[i], t.params.AccelStdMps2)) {
			t.pred.past[i] = tr.Filter
		}
	}
}

// predict moves a track's state dt seconds ahead with its motion model.
func (t *Tracker) predict(tr *Track, dt float64) {
	tr.turning = t.predictState(&tr.Filter, &tr.imm, tr.turning, dt)
}

// predictState moves a track's filter dt seconds ahead: through its IMM
// imm (then combined into f) when turning, else by the EKF. It reports
// whether the IMM still drives the track; on a numeric failure of the IMM
// (counted) the EKF carries on.
func (t *Tracker) predictState(f *kalman.Filter, imm *kalman.IMM, turning bool, dt float64) bool {
	if turning && !t.failed(imm.Predict(&t.imm, dt)) {
		imm.Combined(f)
		return true
	}
	t.failed(f.Predict(dt, t.params.AccelStdMps2))
	return false
}

// at is track i's state at the stamp of the scan being processed.
func (t *Tracker) at(i int) *kalman.Filter {
	if i < len(t.pred.lag) && t.pred.lag[i] > 0 {
		return &t.pred.past[i]
	}
	return &t.tracks[i].Filter
}
