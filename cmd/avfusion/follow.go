package main

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sim"
)

// followEvery is how often of run time `sim --follow` reports on its actor.
const followEvery = 500 * time.Millisecond

// followReach is how far from the followed actor a track is named.
const followReach = 5.0

// follower reports, every followEvery of a run, where one actor is and
// which tracks are near it: why an object is missed, or tracked off its
// place, told cycle by cycle.
type follower struct {
	id          int
	start, next sensors.Time
}

// observe is a sim.RunConfig.Observe hook; it prints on stderr.
func (f *follower) observe(now sensors.Time, truth []sim.Truth, out *fusion.Output, _ float64) {
	if f.next != 0 && now < f.next {
		return
	}
	if f.next == 0 {
		f.start, f.next = now, now
	}
	f.next = f.next.Add(followEvery)
	fmt.Fprintln(os.Stderr, followLine(f.id, now.Sub(f.start), truth, out))
}

// followLine is one report on actor id, elapsed into the run: its place and speed from
// the ego vehicle, then each published and held track within followReach
// of it, nearest first, with its distance from the actor, class, speed,
// stage and existence.
func followLine(id int, elapsed time.Duration, truth []sim.Truth, out *fusion.Output) string {
	var b strings.Builder
	fmt.Fprintf(&b, "follow %d at %5.2f s:", id, elapsed.Seconds())
	i := slices.IndexFunc(truth, func(t sim.Truth) bool { return t.ID == id })
	if i < 0 {
		b.WriteString(" not in the scene, or in no sensor's view")
		return b.String()
	}
	a := &truth[i]
	dx, dy := a.X-out.Ego.X, a.Y-out.Ego.Y
	fmt.Fprintf(&b, " %s %.1f m from the ego at (%.1f, %.1f), %.1f m/s", a.Class, math.Hypot(dx, dy), dx, dy, math.Hypot(a.VX, a.VY))
	type near struct {
		ts        *fusion.TrackState
		d         float64
		published bool
	}
	var found []near
	for k, set := range [][]fusion.TrackState{out.Tracks, out.Held} {
		for j := range set {
			if d := math.Hypot(set[j].X[0]-a.X, set[j].X[1]-a.Y); d <= followReach {
				found = append(found, near{&set[j], d, k == 0})
			}
		}
	}
	if len(found) == 0 {
		fmt.Fprintf(&b, " | no track within %.0f m", followReach)
		return b.String()
	}
	slices.SortFunc(found, func(x, y near) int { return cmp.Compare(x.d, y.d) })
	for _, n := range found {
		stage, shown := "tentative", "held"
		if n.ts.Status == fusion.Confirmed {
			stage = "confirmed"
		}
		if n.published {
			shown = "published"
		}
		fmt.Fprintf(&b, " | track %d %s %.1f m off, %s, %.1f m/s, %s, existence %.2f", n.ts.ID, shown, n.d, n.ts.Class,
			math.Hypot(n.ts.X[2], n.ts.X[3]), stage, n.ts.Existence)
	}
	return b.String()
}
