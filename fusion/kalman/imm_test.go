package kalman

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func testIMMParams() IMMParams {
	return IMMParams{
		Straight:    ConstantVelocity{AccelStd: 1, HeadingRateStd: 0.05},
		Turn:        ConstantTurn{AccelStd: 1, TurnAccelStd: 0.3},
		SwitchRate:  0.5,
		TurnRateStd: 0.3,
	}
}

// TestTurnPredictionFollowsTheArc: a long prediction is cut into steps,
// so a turning object's mean stays on its circle rather than on a chord.
func TestTurnPredictionFollowsTheArc(t *testing.T) {
	u := UKF{X: [T]float64{0, 0, 10, 0, 0.5}}
	for i := range T {
		u.P[i][i] = 1e-8
	}
	if err := u.Predict(ConstantTurn{AccelStd: 1e-6, TurnAccelStd: 1e-6}, 2); err != nil {
		t.Fatal(err)
	}
	// Radius v/ω = 20 m, swept angle 1 rad.
	wantX, wantY := 20*math.Sin(1), 20*(1-math.Cos(1))
	if d := math.Hypot(u.X[TX]-wantX, u.X[TY]-wantY); d > 1e-3 || math.Abs(u.X[THeading]-1) > 1e-6 {
		t.Fatalf("after 2 s: (%.4f, %.4f) heading %.4f, want (%.4f, %.4f) heading 1", u.X[TX], u.X[TY], u.X[THeading], wantX, wantY)
	}
}

func TestNegativeTimeStepsAreRefused(t *testing.T) {
	u := UKF{}
	for i := range T {
		u.P[i][i] = 1
	}
	if err := u.Predict(ConstantTurn{AccelStd: 1, TurnAccelStd: 1}, -0.1); !errors.Is(err, ErrNegativeDt) {
		t.Fatalf("UKF: %v", err)
	}
	p := testIMMParams()
	f := Filter{X: [N]float64{10, 0, 5, 0}, P: [N][N]float64{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}}
	m := NewIMM(&f, &p)
	if err := m.Predict(&p, -0.1); !errors.Is(err, ErrNegativeDt) {
		t.Fatalf("IMM: %v", err)
	}
}

// TestIMMTracksATurnBetterThanConstantVelocity: a car drives straight for
// 4 s, turns at 0.4 rad/s for 4 s, then drives straight again, seen by a
// radar at the origin at 20 Hz. The IMM's position error during and after
// the turn is well below the constant-velocity EKF's, and it believes in
// the turn mode while the car turns and in the straight one before.
func TestIMMTracksATurnBetterThanConstantVelocity(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	p := testIMMParams()
	truth := [T]float64{20, -10, 8, math.Pi / 2, 0}
	model := Model{Kind: Radar}
	var meas Measurement
	meas.Dim = 3
	meas.R = [MaxDim][MaxDim]float64{{0.15 * 0.15, 0, 0}, {0, 0.026 * 0.026, 0}, {0, 0, 0.01}}
	measure := func() {
		cv := Velocity(&truth)
		var jac [MaxDim][N]float64
		model.Predict(&meas.Z, &jac, &cv)
		meas.Z[0] += 0.15 * rnd.NormFloat64()
		meas.Z[1] += 0.026 * rnd.NormFloat64()
		meas.Z[2] += 0.1 * rnd.NormFloat64()
	}
	cv := Filter{X: Velocity(&truth)}
	for i := range N {
		cv.P[i][i] = 1
	}
	imm := NewIMM(&cv, &p)
	const dt = 0.05
	var errCV, errIMM float64
	var n int
	var turnProbStraight, turnProbTurning float64
	for k := 1; k <= 240; k++ {
		truth[TTurn] = 0
		if k > 80 && k <= 160 {
			truth[TTurn] = 0.4
		}
		truth = ConstantTurn{}.Move(truth, dt)
		if err := cv.Predict(dt, 2); err != nil {
			t.Fatal(err)
		}
		if err := imm.Predict(&p, dt); err != nil {
			t.Fatal(err)
		}
		measure()
		var in Innovation
		if cv.Innovate(&in, &model, &meas) == nil {
			cv.Update(&in)
		}
		if imm.Update(&model, &meas) != nil {
			t.Fatalf("step %d: IMM update failed", k)
		}
		var comb Filter
		imm.Combined(&comb)
		if k > 90 {
			errCV += math.Hypot(cv.X[PX]-truth[TX], cv.X[PY]-truth[TY])
			errIMM += math.Hypot(comb.X[PX]-truth[TX], comb.X[PY]-truth[TY])
			n++
		}
		if k > 40 && k <= 80 {
			turnProbStraight += imm.Prob[1] / 40
		}
		if k > 100 && k <= 160 {
			turnProbTurning += imm.Prob[1] / 60
		}
	}
	errCV /= float64(n)
	errIMM /= float64(n)
	t.Logf("mean position error from the turn on: constant velocity %.3f m, IMM %.3f m; turn-mode probability %.2f straight, %.2f turning",
		errCV, errIMM, turnProbStraight, turnProbTurning)
	if errIMM > 0.8*errCV {
		t.Errorf("IMM error %.3f m is not well below the constant-velocity filter's %.3f m", errIMM, errCV)
	}
	if turnProbTurning < 0.6 || turnProbStraight > 0.5 {
		t.Errorf("turn-mode probability %.2f while straight, %.2f while turning", turnProbStraight, turnProbTurning)
	}
}
