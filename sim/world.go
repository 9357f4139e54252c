package sim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/fusion"
	"github.com/avfusion/avfusion/fusion/kalman"
	"github.com/avfusion/avfusion/perception"
	"github.com/avfusion/avfusion/perception/radar"
	"github.com/avfusion/avfusion/perception/vision"
	"github.com/avfusion/avfusion/sensors"
)

// Truth is one actor's true state at an instant.
type Truth struct {
	ID     int
	Class  perception.Class
	X, Y   float64 // m, odom
	VX, VY float64 // m/s, odom
}

// World moves the scenario's actors and the ego vehicle and renders what
// the sensors report. Each sensor draws from its own random stream, so
// removing one sensor does not change what the others see.
type World struct {
	mic    *micSim // created with the first acoustic window
	sc     *Scenario
	rig    calib.Rig
	start  sensors.Time
	radar  *rand.Rand
	camera *rand.Rand
	rails  *rand.Rand
	// limbs draws which of a walker's returns come from a moving limb,
	// and how fast it moves (limbShare).
	limbs *rand.Rand
	// railSeen is the radar's scratch for guard rail returns.
	railSeen []railReturn
	// Scratch for what each sensor sees: the radar's frames may be made on
	// another goroutine than the camera's (the TI emulator's worker).
	radarView, cameraView []viewed
}

// viewed is an actor as seen from one sensor.
type viewed struct {
	actor    *Actor
	truth    Truth
	rng, az  float64 // m, rad in the sensor frame
	halfAng  float64 // half the angle the actor subtends, rad
	occluded float64 // fraction of the actor hidden behind nearer ones
}

// NewWorld returns the world of sc, with t=0 at start. The rig's lens is
// replaced by one with the scenario camera's field of view.
func NewWorld(sc *Scenario, rig calib.Rig, start sensors.Time) *World {
	if sc.Camera != nil {
		rig.Lens = calib.PinholeForFOV(rig.Lens.Width, rig.Lens.Height, sc.Camera.FOVDeg*math.Pi/180)
	}
	seed := uint64(sc.Seed)
	return &World{
		sc:     sc,
		rig:    rig,
		start:  start,
		radar:  rand.New(rand.NewPCG(seed, 0x7261646172)),
		camera: rand.New(rand.NewPCG(seed, 0x63616d657261)),
		rails:  rand.New(rand.NewPCG(seed, 0x7261696c73)),
		limbs:  rand.New(rand.NewPCG(seed, 0x6c696d6273)),
	}
}

// Rig returns the calibration the world renders with.
func (w *World) Rig() calib.Rig { return w.rig }

// Ego returns the ego state at t.
func (w *World) Ego(t sensors.Time) fusion.Ego {
	return fusion.Ego{Stamp: w.start, Speed: w.sc.Ego.Speed, YawRate: w.sc.Ego.YawRate}.At(t)
}

// truthAt returns actor a's state at t and whether it is in the world.
func (w *World) truthAt(a *Actor, t sensors.Time) (Truth, bool) {
	el := t.Sub(w.start)
	if el < a.Appear || (a.Disappear != 0 && el >= a.Disappear) {
		return Truth{}, false
	}
	dt := (el - a.Appear).Seconds()
	tr := Truth{ID: a.ID, Class: a.Class}
	vx, vy, om := a.Velocity[0], a.Velocity[1], a.YawRate
	if math.Abs(om*dt) < 1e-9 {
		tr.X, tr.Y, tr.VX, tr.VY = a.Position[0]+vx*dt, a.Position[1]+vy*dt, vx, vy
		return tr, true
	}
	// A constant turn: the velocity rotates by yaw_rate·dt, the position moves
	// along the arc.
	s, c := math.Sincos(om * dt)
	tr.VX, tr.VY = vx*c-vy*s, vx*s+vy*c
	tr.X = a.Position[0] + (vx*s-vy*(1-c))/om
	tr.Y = a.Position[1] + (vy*s+vx*(1-c))/om
	return tr, true
}

// Truth appends to dst every actor present at t that at least one sensor
// of the scenario covers: the objects a perfect tracker would report.
func (w *World) Truth(dst []Truth, t sensors.Time) []Truth {
	ego := w.Ego(t)
	for i := range w.sc.Actors {
		tr, ok := w.truthAt(&w.sc.Actors[i], t)
		if !ok {
			continue
		}
		if w.InCoverage(ego, tr.X, tr.Y) {
			dst = append(dst, tr)
		}
	}
	return dst
}

// Present appends to dst every actor in the world at t, seen or not.
func (w *World) Present(dst []Truth, t sensors.Time) []Truth {
	for i := range w.sc.Actors {
		if tr, ok := w.truthAt(&w.sc.Actors[i], t); ok {
			dst = append(dst, tr)
		}
	}
	return dst
}

// InCoverage reports whether the odom point (x, y) is inside the coverage
// of at least one of the scenario's sensors when the ego state is ego. It
// is the region where tracks are scored.
func (w *World) InCoverage(ego fusion.Ego, x, y float64) bool {
	if m := w.sc.Radar; m != nil && (fusion.Coverage{FOVDeg: m.FOVDeg, MaxRangeM: m.MaxRangeM}).Sees(ego, w.rig.Radar, x, y) {
		return true
	}
	m := w.sc.Camera
	return m != nil && (fusion.Coverage{FOVDeg: m.FOVDeg, MaxRangeM: m.MaxRangeM}).Sees(ego, w.rig.Camera, x, y)
}

// polar returns range and azimuth of (x, y) seen from (sx, sy) facing yaw.
func polar(sx, sy, yaw, x, y float64) (float64, float64) {
	dx, dy := x-sx, y-sy
	return math.Hypot(dx, dy), wrap(math.Atan2(dy, dx) - yaw)
}

func wrap(a float64) float64 { return math.Remainder(a, 2*math.Pi) }

// look fills *view with the actors inside a sensor's coverage, nearest
// first, with how much of each nearer actors hide.
func (w *World) look(view *[]viewed, t sensors.Time, m calib.Mount, fovDeg, maxRange float64) {
	ego := w.Ego(t)
	pose := ego.SensorPose(m)
	*view = (*view)[:0]
	for i := range w.sc.Actors {
		a := &w.sc.Actors[i]
		tr, ok := w.truthAt(a, t)
		if !ok {
			continue
		}
		r, az := polar(pose.X, pose.Y, pose.Yaw, tr.X, tr.Y)
		if r > maxRange || math.Abs(az) > fovDeg*math.Pi/360 || r < 0.5 {
			continue
		}
		size := perception.TypicalSize(a.Class)
		*view = append(*view, viewed{actor: a, truth: tr, rng: r, az: az, halfAng: math.Atan2(size[1]/2, r)})
	}
	slices.SortFunc(*view, func(a, b viewed) int { return cmp.Compare(a.rng, b.rng) })
	for i := range *view {
		v := &(*view)[i]
		lo, hi := v.az-v.halfAng, v.az+v.halfAng
		top := w.topElevation(v, m)
		hidden := 0.0
		for j := 0; j < i; j++ {
			n := &(*view)[j]
			if w.topElevation(n, m) < top {
				continue // the nearer object is lower: the farther one shows above it
			}
			hidden += math.Max(0, math.Min(hi, n.az+n.halfAng)-math.Max(lo, n.az-n.halfAng))
		}
		v.occluded = math.Min(1, hidden/(hi-lo))
	}
}

// topElevation is the angle above the sensor's horizon of an object's top.
func (w *World) topElevation(v *viewed, m calib.Mount) float64 {
	return math.Atan2(perception.TypicalSize(v.actor.Class)[2]-m.Z, v.rng)
}

// RadarStamp returns the capture time of radar frame k.
func (w *World) RadarStamp(k int) sensors.Time {
	return w.start.Add(time.Duration(float64(k) / w.sc.Radar.RateHz * 1e9))
}

// CameraStamp returns the capture time of camera frame k.
func (w *World) CameraStamp(k int) sensors.Time {
	return w.start.Add(time.Duration(float64(k) / w.sc.Camera.RateHz * 1e9))
}

// RadarScan appends to dst the object-level detections of radar frame k:
// range, azimuth and range rate with the scenario's noise, each object
// detected with p_detect (less when nearer objects hide it), plus clutter
// from the static world: guard rails (railReturns) and scattered returns.
// Frames must be asked for in order.
func (w *World) RadarScan(dst []perception.Detection, k int) []perception.Detection {
	m := w.sc.Radar
	t := w.RadarStamp(k)
	w.look(&w.radarView, t, w.rig.Radar, m.FOVDeg, m.MaxRangeM)
	pose := w.Ego(t).SensorPose(w.rig.Radar)
	azStd := m.AzimuthStdDeg * math.Pi / 180
	det := perception.Detection{Stamp: t, Sensor: perception.Radar, Dim: 3, Class: perception.Uniform()}
	det.R[0][0], det.R[1][1], det.R[2][2] = m.RangeStdM*m.RangeStdM, azStd*azStd, m.VelocityStdMps*m.VelocityStdMps
	rnd := w.radar
	for i := range w.radarView {
		v := &w.radarView[i]
		pd := m.PDetect * (1 - 0.5*v.occluded) // radar partly sees under and around
		if rnd.Float64() >= pd {
			continue
		}
		dx, dy := v.truth.X-pose.X, v.truth.Y-pose.Y
		rr := (dx*(v.truth.VX-pose.VX) + dy*(v.truth.VY-pose.VY)) / v.rng
		det.Z = [3]float64{
			v.rng + rnd.NormFloat64()*m.RangeStdM,
			wrap(v.az + rnd.NormFloat64()*azStd),
			rr + rnd.NormFloat64()*m.VelocityStdMps,
		}
		// Reflectivity fluctuates by several dB from scan to scan (aspect,
		// multipath), so one return says little about the object.
		det.Score = radar.ScoreFromSNR(objectSNR(v.actor.Class, v.rng) + 6*rnd.NormFloat64())
		dst = append(dst, det)
	}
	w.railSeen = w.railReturns(w.railSeen[:0], t)
	for _, rr := range w.railSeen {
		det.Z = [3]float64{rr.r, rr.az, rr.rr}
		det.Score = radar.ScoreFromSNR(rr.snr)
		dst = append(dst, det)
	}
	// Clutter: Poisson count, uniform over the field of view, static in
	// the world so its range rate is minus the sensor's radial speed.
	n := poisson(rnd, m.ClutterPerFrame)
	for i := 0; i < n; i++ {
		r, az, rr := clutter(rnd, m, pose)
		det.Z = [3]float64{r, az, rr + rnd.NormFloat64()*m.VelocityStdMps}
		det.Score = radar.ScoreFromSNR(clutterSNRDB + 6*rnd.NormFloat64()) // guard rails and signs: weak, scattered
		dst = append(dst, det)
	}
	return dst
}

// objectSNR is the mean SNR in dB of a return from an object of class c
// at range rng: 15 dB from a square metre of footprint at 20 m, falling
// with the square of the range.
func objectSNR(c perception.Class, rng float64) float64 {
	size := perception.TypicalSize(c)
	return 15 + 10*math.Log10(size[0]*size[1]) - 20*math.Log10(rng/20)
}

// clutterSNRDB is the mean SNR of a clutter return.
const clutterSNRDB = 8

// CameraScan appends to dst the detections of camera frame k: a noisy image
// box per visible actor (with p_detect; hidden when mostly occluded), turned
// into bearing and ground-plane range with their propagated covariance, and
// a class belief with the confusions of a real detector.
func (w *World) CameraScan(dst []perception.Detection, k int) []perception.Detection {
	m := w.sc.Camera
	t := w.CameraStamp(k)
	w.look(&w.cameraView, t, w.rig.Camera, m.FOVDeg, m.MaxRangeM)
	lens, mount := w.rig.Lens, w.rig.Camera
	camYaw := w.Ego(t).Yaw + mount.Yaw
	rnd := w.camera
	for i := range w.cameraView {
		v := &w.cameraView[i]
		if v.occluded > 0.6 || rnd.Float64() >= m.PDetect {
			continue
		}
		size := perception.TypicalSize(v.actor.Class)
		heading := math.Atan2(v.truth.VY, v.truth.VX) - camYaw
		if v.truth.VX == 0 && v.truth.VY == 0 {
			heading = 0
		}
		// The box spans the footprint's projection; its bottom edge touches
		// the ground at the footprint's nearest face, not at its centre.
		width := math.Abs(size[0]*math.Sin(heading)) + math.Abs(size[1]*math.Cos(heading))
		extent := math.Abs(size[0]*math.Cos(heading)) + math.Abs(size[1]*math.Sin(heading))
		depth := v.rng*math.Cos(v.az) - extent/2
		lateral := v.rng * math.Sin(v.az)
		if depth < 1 {
			continue
		}
		uc := lens.Cx - lens.Fx*lateral/depth
		halfW := lens.Fx * width / depth / 2
		bottom := lens.Cy + lens.Fy*mount.Z/depth
		top := lens.Cy - lens.Fy*(size[2]-mount.Z)/depth
		s := m.BboxStdPx
		left := uc - halfW + rnd.NormFloat64()*s
		right := uc + halfW + rnd.NormFloat64()*s
		top += rnd.NormFloat64() * s
		bottom += rnd.NormFloat64() * s
		if bottom-lens.Cy < 1 || bottom > float64(lens.Height) || right < 0 || left > float64(lens.Width) {
			continue // too far to range, or cut by the image border
		}
		score := 0.5 + 0.5*rnd.Float64()
		det, ok := vision.Project(t, vision.Box{left, top, right - left, bottom - top}, cameraClass(rnd, v.actor.Class), score, lens, mount, s)
		if !ok {
			continue
		}
		dst = append(dst, det)
	}
	return dst
}

// clutter draws one static clutter return uniformly over the radar's field
// of view: its range, its azimuth, and the range rate a static point shows
// to the moving sensor.
func clutter(rnd *rand.Rand, m *RadarModel, pose kalman.SensorPose) (r, az, rr float64) {
	half := m.FOVDeg * math.Pi / 360
	r = 1 + rnd.Float64()*(m.MaxRangeM-1)
	az = (2*rnd.Float64() - 1) * half
	return r, az, staticRangeRate(pose, az)
}

// staticRangeRate is the range rate that a static point at azimuth az
// (from the sensor's axis) shows to the sensor moving at pose: minus the
// sensor's speed towards it.
func staticRangeRate(pose kalman.SensorPose, az float64) float64 {
	b := pose.Yaw + az
	return -(pose.VX*math.Cos(b) + pose.VY*math.Sin(b))
}

// cameraClass returns a detector-like class belief: usually confident in
// the true class, sometimes confused with a neighbouring one. An
// emergency vehicle looks like the van or truck it is built on: a camera
// detector trained on everyday classes (COCO) says car or truck, and only
// its siren gives it away.
func cameraClass(rnd *rand.Rand, truth perception.Class) perception.ClassProbs {
	top := truth
	if truth == perception.EmergencyVehicle {
		top = perception.Car
		if rnd.IntN(2) == 0 {
			top = perception.Truck
		}
	}
	if rnd.Float64() < 0.1 {
		top = perception.Class(1 + rnd.IntN(int(perception.NumClasses)-2))
	}
	var p perception.ClassProbs
	conf := 0.6 + 0.3*rnd.Float64()
	for i := range p {
		p[i] = (1 - conf) / float64(perception.NumClasses-1)
	}
	p[top] = conf
	return p
}

// poisson draws from a Poisson distribution with mean lambda (Knuth's
// method; lambda here is at most a few dozen).
func poisson(rnd *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rnd.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// limbShare is the share of an object's radar returns that come from a
// limb: a walker's legs and arms move at between none and twice the
// body's ground velocity over a stride, so that the returns of one
// walker spread in Doppler (micro-Doppler) while a rigid vehicle's move
// together. A walker's share is fitted to TI's own capture of people at
// automated doors (testdata/ti-mmwave: the spread of Doppler within a
// person's returns has median 0.11 m/s, upper quartile 0.21, one in ten
// above 0.33; with half the returns from limbs and 0.1 m/s of noise the
// model gives 0.14, 0.22 and 0.30, without limbs 0.09, 0.13 and 0.14). A
// rider's returns move with the bicycle: no recording of one was at hand
// to fit a spread to.
func limbShare(c perception.Class) float64 {
	if c == perception.Pedestrian {
		return 0.5
	}
	return 0
}

// returnVelocity is the ground velocity of the part of object v that
// gives a radar return: the body's, or for a walker a limb's,
// drawn from the world's own stream for limbs (so that adding limbs
// changes nothing else the radar reports).
func (w *World) returnVelocity(v *viewed) (vx, vy float64) {
	vx, vy = v.truth.VX, v.truth.VY
	if q := limbShare(v.actor.Class); q > 0 && w.limbs.Float64() < q {
		u := 2 * w.limbs.Float64()
		vx, vy = u*vx, u*vy
	}
	return vx, vy
}

// pointsPerObject is the mean number of radar returns an object of class c
// gives at 20 m; nearer objects give more, farther fewer.
func pointsPerObject(c perception.Class) float64 {
	switch c {
	case perception.Truck:
		return 14
	case perception.Car, perception.EmergencyVehicle:
		return 6
	case perception.Cyclist:
		return 2.5
	case perception.Pedestrian:
		return 2
	}
	return 2
}

// RadarPoints appends to dst the point cloud of radar frame k, in the
// sensor frame with ROS axes, as a TI mmWave demo reports it: each object
// inside the field of view is detected with p_detect (less behind nearer
// objects) and then gives a Poisson number of returns scattered over its
// footprint and height, each with the scenario's range, azimuth and
// velocity noise; guard rail returns (railReturns) and static clutter
// points come on top. Frames must be asked for in order.
func (w *World) RadarPoints(dst []radar.Point, k int) []radar.Point {
	m := w.sc.Radar
	t := w.RadarStamp(k)
	w.look(&w.radarView, t, w.rig.Radar, m.FOVDeg, m.MaxRangeM)
	pose := w.Ego(t).SensorPose(w.rig.Radar)
	sinY, cosY := math.Sincos(pose.Yaw)
	azStd := m.AzimuthStdDeg * math.Pi / 180
	rnd := w.radar
	mountZ := w.rig.Radar.Z
	for i := range w.radarView {
		v := &w.radarView[i]
		if rnd.Float64() >= m.PDetect*(1-0.5*v.occluded) {
			continue
		}
		size := perception.TypicalSize(v.actor.Class)
		heading := math.Atan2(v.truth.VY, v.truth.VX)
		sh, ch := math.Sincos(heading)
		n := max(1, poisson(rnd, pointsPerObject(v.actor.Class)*math.Min(2, 20/v.rng)))
		for j := 0; j < n; j++ {
			// A point on the object's footprint, in odom.
			a, b := (rnd.Float64()-0.5)*size[0], (rnd.Float64()-0.5)*size[1]
			ox, oy := v.truth.X+a*ch-b*sh, v.truth.Y+a*sh+b*ch
			dx, dy := ox-pose.X, oy-pose.Y
			r := math.Hypot(dx, dy)
			vx, vy := w.returnVelocity(v)
			rr := (dx*(vx-pose.VX) + dy*(vy-pose.VY)) / r
			az := math.Atan2(dx*-sinY+dy*cosY, dx*cosY+dy*sinY) + rnd.NormFloat64()*azStd
			r += rnd.NormFloat64() * m.RangeStdM
			z := rnd.Float64()*size[2] - mountZ
			dst = append(dst, radar.Point{
				X: r * math.Cos(az), Y: r * math.Sin(az), Z: z,
				Doppler: rr + rnd.NormFloat64()*m.VelocityStdMps,
				SNR:     objectSNR(v.actor.Class, r) + 2*rnd.NormFloat64(),
			})
		}
	}
	w.railSeen = w.railReturns(w.railSeen[:0], t)
	for _, rr := range w.railSeen {
		dst = append(dst, radar.Point{
			X: rr.r * math.Cos(rr.az), Y: rr.r * math.Sin(rr.az), Z: guardRailHeightM*w.rails.Float64() - mountZ,
			Doppler: rr.rr, SNR: rr.snr,
		})
	}
	n := poisson(rnd, m.ClutterPerFrame)
	for i := 0; i < n; i++ {
		r, az, rr := clutter(rnd, m, pose)
		dst = append(dst, radar.Point{
			X: r * math.Cos(az), Y: r * math.Sin(az), Z: rnd.Float64() - mountZ,
			Doppler: rr + rnd.NormFloat64()*m.VelocityStdMps,
			SNR:     clutterSNRDB + 3*rnd.NormFloat64(),
		})
	}
	return dst
}
