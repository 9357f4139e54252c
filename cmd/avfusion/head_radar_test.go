package main

import (
	"testing"
	"time"

	"github.com/avfusion/avfusion/config"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/fusion/learned"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/ros"
	"github.com/avfusion/avfusion/sim"
)

// TestHeadReadsOneReturnRadarsAlike: an object-list radar publishing
// radar_msgs/RadarScan reports each object as one return, so through the
// clustered path every track has one return a hit and no spread. On
// random scenarios the head was not trained on, it judges the object
// radar's tracks the same whether their evidence says so or not: the
// same class for at least 95 % of the real objects, and, of real cars
// seen by the camera, as many called car.
func TestHeadReadsOneReturnRadarsAlike(t *testing.T) {
	cfg, err := layeredConfig("", nil, ros.Args{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.FusionHead = config.Bayes // the head is applied below
	head, err := learned.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var evidence []fusion.Evidence
	var labels []int
	for i := range 6 {
		if err := sampleRun(sim.RandomScenario(3001+uint64(i), 15*time.Second), &cfg, sim.RadarObjects, 4, &evidence, &labels); err != nil {
			t.Fatal(err)
		}
	}
	classOf := func(ev *fusion.Evidence) perception.Class {
		probs := perception.Uniform()
		head.Judge(ev, &probs)
		c, _ := probs.Argmax()
		return c
	}
	same, objects, cars, carAsIs, carOneReturn := 0, 0, 0, 0, 0
	for i := range evidence {
		ev := &evidence[i]
		if labels[i] == learned.None || ev[7] == 0 || ev[34] != 0 {
			continue // no object, no radar hit, or a copy made by sampleRun
		}
		one := ev.AsOneReturnPerHit()
		a, b := classOf(ev), classOf(&one)
		objects++
		if a == b {
			same++
		}
		if labels[i] == learned.Label(true, perception.Car) && ev[8] > 0 {
			cars++
			if a == perception.Car {
				carAsIs++
			}
			if b == perception.Car {
				carOneReturn++
			}
		}
	}
	t.Logf("%d of %d real objects' classes the same; cars seen by the camera called car %d and %d of %d", same, objects, carAsIs, carOneReturn, cars)
	if objects < 1000 || cars < 300 {
		t.Fatalf("too few samples: %d objects, %d cars", objects, cars)
	}
	if float64(same) < 0.95*float64(objects) || float64(carOneReturn) < 0.98*float64(carAsIs) {
		t.Errorf("one return a hit changes the head's judgement")
	}
}
