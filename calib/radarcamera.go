package calib

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Extrinsic is a rigid transform between two sensor frames (REP-103 axes:
// x forward, y left, z up): a point p in the source frame is R·p + T in
// the target frame, with R = Rz(Yaw)·Ry(Pitch)·Rx(Roll).
type Extrinsic struct {
	X     float64 `yaml:"x" json:"x"` // m
	Y     float64 `yaml:"y" json:"y"`
	Z     float64 `yaml:"z" json:"z"`
	Roll  float64 `yaml:"roll" json:"roll"` // rad
	Pitch float64 `yaml:"pitch" json:"pitch"`
	Yaw   float64 `yaml:"yaw" json:"yaw"`
}

func (e Extrinsic) params() []float64 { return []float64{e.X, e.Y, e.Z, e.Roll, e.Pitch, e.Yaw} }

func extrinsicOf(p []float64) Extrinsic {
	return Extrinsic{X: p[0], Y: p[1], Z: p[2], Roll: p[3], Pitch: p[4], Yaw: p[5]}
}

// Apply maps a point of the source frame into the target frame.
func (e Extrinsic) Apply(p [3]float64) [3]float64 {
	sr, cr := math.Sincos(e.Roll)
	sp, cp := math.Sincos(e.Pitch)
	sy, cy := math.Sincos(e.Yaw)
	r := [3][3]float64{
		{cy * cp, cy*sp*sr - sy*cr, cy*sp*cr + sy*sr},
		{sy * cp, sy*sp*sr + cy*cr, sy*sp*cr - cy*sr},
		{-sp, cp * sr, cp * cr},
	}
	return [3]float64{
		r[0][0]*p[0] + r[0][1]*p[1] + r[0][2]*p[2] + e.X,
		r[1][0]*p[0] + r[1][1]*p[1] + r[1][2]*p[2] + e.Y,
		r[2][0]*p[0] + r[2][1]*p[1] + r[2][2]*p[2] + e.Z,
	}
}

// RadarCameraPair is one corner reflector seen by both sensors: its radar
// point (radar frame, m) and the pixel of its image in the camera.
type RadarCameraPair struct {
	Radar [3]float64
	Pixel [2]float64
}

// RadarCameraResult is what CalibrateRadarCamera found.
type RadarCameraResult struct {
	// RadarToCamera maps radar points into the camera's body frame
	// (REP-103 axes at the camera, not the optical frame).
	RadarToCamera Extrinsic
	// StdDev is each parameter's standard deviation (x, y, z in m, roll,
	// pitch, yaw in rad) from the residuals and the geometry.
	StdDev [6]float64
	// RMSPx and ResidualsPx are the reprojection errors, overall and per
	// pair.
	RMSPx       float64
	ResidualsPx []float64
	// Warnings say when the geometry leaves the solution poorly determined.
	Warnings []string
}

// MinRadarCameraPairs is the fewest correspondences accepted (six
// unknowns, two equations each, and some to spare).
const MinRadarCameraPairs = 6

// Warning thresholds: a parameter worse determined than this is reported.
const (
	poorTranslationM = 0.10
	poorAngleRad     = 1 * math.Pi / 180
)

// CalibrateRadarCamera finds the radar-to-camera transform from corner
// reflectors seen by both sensors, minimising the reprojection error of
// the radar points in the image by nonlinear least squares (gonum's BFGS
// from guess, the mounts' difference being a good one). It warns when the
// reflectors' layout leaves parameters poorly determined (collinear
// reflectors, all at one height for a radar without elevation, too few).
func CalibrateRadarCamera(pairs []RadarCameraPair, lens Pinhole, guess Extrinsic) (RadarCameraResult, error) {
	if len(pairs) < MinRadarCameraPairs {
		return RadarCameraResult{}, fmt.Errorf("calib: radar-camera: %d reflector pairs; at least %d, spread over the field of view at different ranges and heights", len(pairs), MinRadarCameraPairs)
	}
	if err := lens.Validate(); err != nil {
		return RadarCameraResult{}, fmt.Errorf("calib: radar-camera: lens: %w", err)
	}
	residuals := func(p []float64, dst []float64) {
		e := extrinsicOf(p)
		for i, pr := range pairs {
			c := e.Apply(pr.Radar)
			if c[0] < 0.1 { // behind the camera: a steep wall pushes the search back
				dst[2*i], dst[2*i+1] = 1e4*(1+0.1-c[0]), 1e4
				continue
			}
			u, v := lens.Project(-c[1]/c[0], -c[2]/c[0])
			dst[2*i], dst[2*i+1] = u-pr.Pixel[0], v-pr.Pixel[1]
		}
	}
	r := make([]float64, 2*len(pairs))
	cost := func(p []float64) float64 {
		residuals(p, r)
		s := 0.0
		for _, v := range r {
			s += v * v
		}
		return s
	}
	problem := optimize.Problem{
		Func: cost,
		Grad: func(grad, p []float64) { fd.Gradient(grad, cost, p, &fd.Settings{Formula: fd.Central, Step: 1e-6}) },
	}
	res, err := optimize.Minimize(problem, guess.params(), &optimize.Settings{GradientThreshold: 1e-9, MajorIterations: 2000}, &optimize.BFGS{})
	if err != nil && res == nil {
		return RadarCameraResult{}, fmt.Errorf("calib: radar-camera: %w", err)
	}
	out := RadarCameraResult{RadarToCamera: extrinsicOf(res.X)}
	residuals(res.X, r)
	sum := 0.0
	for i := range pairs {
		e2 := r[2*i]*r[2*i] + r[2*i+1]*r[2*i+1]
		sum += e2
		out.ResidualsPx = append(out.ResidualsPx, math.Sqrt(e2))
	}
	out.RMSPx = math.Sqrt(sum / float64(len(pairs)))
	if out.RMSPx > 1000 {
		return out, errors.New("calib: radar-camera: no transform puts the reflectors in front of the camera; check the pairs and the initial guess")
	}
	out.StdDev, out.Warnings = radarCameraUncertainty(residuals, res.X, len(pairs), sum)
	return out, nil
}

// radarCameraUncertainty estimates each parameter's standard deviation
// from the Jacobian at the solution, σ²(JᵀJ)⁻¹ with σ² from the residuals,
// and words a warning for every poorly determined one.
func radarCameraUncertainty(residuals func(p, dst []float64), x []float64, pairs int, ssr float64) ([6]float64, []string) {
	m := 2 * pairs
	jac := mat.NewDense(m, 6, nil)
	fd.Jacobian(jac, func(y, p []float64) { residuals(p, y) }, x, &fd.JacobianSettings{Formula: fd.Central})
	var jtj mat.SymDense
	jtj.SymOuterK(1, jac.T())
	// A noise floor of a tenth of a pixel: a perfect fit must not hide
	// a degenerate layout.
	sigma2 := math.Max(ssr/float64(max(m-6, 1)), 0.01)
	var std [6]float64
	var warnings []string
	var chol mat.Cholesky
	if !chol.Factorize(&jtj) {
		return std, []string{"degenerate geometry: the reflectors do not determine the transform (collinear, or too few distinct positions); spread them over the field of view at different ranges and heights"}
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil {
		return std, []string{"degenerate geometry: " + err.Error()}
	}
	names := [6]string{"x", "y", "z", "roll", "pitch", "yaw"}
	for i := range std {
		std[i] = math.Sqrt(sigma2 * cov.At(i, i))
		limit, unit, scale := poorTranslationM, "m", 1.0
		if i >= 3 {
			limit, unit, scale = poorAngleRad, "°", 180/math.Pi
		}
		if !(std[i] <= limit) {
			warnings = append(warnings, fmt.Sprintf("%s is poorly determined (±%.3g %s): add reflectors at other ranges, bearings and heights", names[i], std[i]*scale, unit))
		}
	}
	return std, warnings
}
