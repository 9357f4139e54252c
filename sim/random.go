package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/avfusion/avfusion/perception"
)

// RandomScenario draws a scenario for training: a road with lanes both
// ways and pavements, 3–120 road users (traffic, parked cars, walkers,
// crossers, cyclists, turning cars, now and then a siren), sensors with
// random noise, misses and clutter, sometimes a camera at night or a
// sensor that dies. One scene in five is a fast road, a rural road or a
// motorway: the ego at 14–32 m/s, oncoming traffic as fast, and a
// long-range radar (the shipped AWR1843 configuration) that sees
// 100–160 m. Without them the head knew nothing faster than about 20 m/s
// or farther than the 80 m radar's reach, and left every such track to
// the Bayesian rule (Head.Familiar), which cannot tell a car from a
// walker by radar alone. The same seed gives the same scenario.
func RandomScenario(seed uint64, duration time.Duration) *Scenario {
	rnd := rand.New(rand.NewPCG(seed, 0x7363656e))
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rnd.Float64() }
	sc := &Scenario{
		Name:     fmt.Sprintf("random-%d", seed),
		Duration: duration,
		Seed:     int64(seed),
		Ego:      EgoMotion{Speed: u(0, 14)},
	}
	// A fast road's draws come from a stream of their own, so that the
	// other scenes are as they were before there were fast roads.
	fastRnd := rand.New(rand.NewPCG(seed, 0x66617374))
	fast := fastRnd.IntN(5) == 0
	oncoming := 1.0 // the oncoming traffic's speed, as a share of 4–14 m/s
	if fast {
		sc.Ego.Speed = 14 + 18*fastRnd.Float64()
		oncoming = sc.Ego.Speed / 12
	}
	if rnd.IntN(5) == 0 {
		sc.Ego.YawRate = u(-0.1, 0.1)
	}
	hasRadar, hasCamera := true, true
	switch rnd.IntN(10) { // the microphones must learn to speak without the camera too
	case 0:
		hasRadar = false
	case 1, 2:
		hasCamera = false
	}
	if hasRadar {
		sc.Radar = &RadarModel{RateHz: 20, FOVDeg: 120, MaxRangeM: 80, RangeStdM: u(0.1, 0.3), AzimuthStdDeg: u(1, 2.5),
			VelocityStdMps: u(0.08, 0.2), PDetect: u(0.7, 0.95), ClutterPerFrame: math.Floor(u(0, 1) * u(0, 1) * 45),
			Latency: 10 * time.Millisecond}
		if fast {
			sc.Radar.MaxRangeM, sc.Radar.TIConfig = 100+60*fastRnd.Float64(), "awr1843_long_range.cfg"
		}
	}
	if hasCamera {
		sc.Camera = &CameraModel{RateHz: 30, FOVDeg: 90, MaxRangeM: 60, PDetect: u(0.6, 0.97), BboxStdPx: u(2, 5),
			Latency: 60 * time.Millisecond}
		if rnd.IntN(5) == 0 { // night
			sc.Camera.PDetect, sc.Camera.BboxStdPx = u(0.25, 0.5), u(4, 7)
		}
	}
	if hasRadar && hasCamera && rnd.IntN(6) == 0 {
		failAt := time.Duration(u(0.2, 0.7) * float64(duration))
		if rnd.IntN(2) == 0 {
			sc.Radar.FailAt = failAt
		} else {
			sc.Camera.FailAt = failAt
		}
	}
	n := int(math.Round(math.Exp(u(math.Log(3), math.Log(120)))))
	span := sc.Ego.Speed*duration.Seconds() + 120
	add := func(c perception.Class, x, y, vx, vy float64) *Actor {
		sc.Actors = append(sc.Actors, Actor{ID: len(sc.Actors) + 1, Class: c, Position: [2]float64{x, y}, Velocity: [2]float64{vx, vy}})
		return &sc.Actors[len(sc.Actors)-1]
	}
	for range n {
		x := u(-10, span)
		switch k := rnd.IntN(20); {
		case k < 6: // traffic in the ego's direction
			c := perception.Car
			if rnd.IntN(6) == 0 {
				c = perception.Truck
			}
			add(c, x, -1.75+3.5*float64(rnd.IntN(2))-3.5, u(0.3, 1.3)*sc.Ego.Speed+u(0, 3), 0)
		case k < 10: // oncoming traffic
			c := perception.Car
			if rnd.IntN(5) == 0 {
				c = perception.Truck
			}
			add(c, x, 1.75+3.5*float64(rnd.IntN(2)), -u(4, 14)*oncoming, 0)
		case k < 12: // parked
			add(perception.Car, x, sign(rnd)*u(7, 8), 0, 0)
		case k < 16: // walking along a pavement
			add(perception.Pedestrian, x, sign(rnd)*u(9, 12), sign(rnd)*u(0.5, 1.8), 0)
		case k < 17: // crossing
			y := sign(rnd) * u(8, 12)
			a := add(perception.Pedestrian, x, y, 0, -math.Copysign(u(0.8, 1.8), y))
			a.Appear = time.Duration(u(0, 0.5) * float64(duration))
		case k < 19: // cyclist
			add(perception.Cyclist, x, sign(rnd)*u(5.5, 6.5), u(2, 7)*sign(rnd), 0)
		default: // turning car
			a := add(perception.Car, x, u(-12, 12), u(-8, 8), u(-8, 8))
			a.YawRate = u(-0.4, 0.4)
		}
	}
	if rnd.IntN(5) < 2 { // emergency vehicles are rare on the road, not in the lessons
		ev := add(perception.EmergencyVehicle, u(-40, span), 1.75, sign(rnd)*u(1, 18), 0)
		ev.Siren = rnd.IntN(4) != 0
		if ev.Siren {
			sc.Mic = &MicArray{SampleRateHz: 16000, Channels: 4, SpacingM: 0.08}
		}
	}
	return sc
}

func sign(rnd *rand.Rand) float64 {
	if rnd.IntN(2) == 0 {
		return -1
	}
	return 1
}
