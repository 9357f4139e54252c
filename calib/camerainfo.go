package calib

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// cameraInfoMatrix is a matrix as camera_calibration writes it.
type cameraInfoMatrix struct {
	Rows int       `yaml:"rows"`
	Cols int       `yaml:"cols"`
	Data []float64 `yaml:"data,flow"`
}

// cameraInfoFile is the YAML that ROS's camera_calibration and
// camera_info_manager write (ost.yaml).
type cameraInfoFile struct {
	ImageWidth              int              `yaml:"image_width"`
	ImageHeight             int              `yaml:"image_height"`
	CameraName              string           `yaml:"camera_name"`
	CameraMatrix            cameraInfoMatrix `yaml:"camera_matrix"`
	DistortionModel         string           `yaml:"distortion_model"`
	DistortionCoefficients  cameraInfoMatrix `yaml:"distortion_coefficients"`
	RectificationMatrix     cameraInfoMatrix `yaml:"rectification_matrix"`
	ProjectionMatrix        cameraInfoMatrix `yaml:"projection_matrix"`
	ReprojectionErrorPixels *float64         `yaml:"avfusion_reprojection_error_px,omitempty"`
}

// ReadCameraInfo reads a camera_info YAML file (the format ROS's
// camera_calibration writes). Only the plumb_bob distortion model (five
// coefficients, or none) is supported; errors name the field.
func ReadCameraInfo(path string) (Pinhole, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Pinhole{}, fmt.Errorf("calib: camera_info: %w", err)
	}
	lens, err := ParseCameraInfo(data)
	if err != nil {
		return Pinhole{}, fmt.Errorf("calib: camera_info %s: %w", path, err)
	}
	return lens, nil
}

// ParseCameraInfo parses the camera_info YAML in data.
func ParseCameraInfo(data []byte) (Pinhole, error) {
	var f cameraInfoFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Pinhole{}, err
	}
	k := f.CameraMatrix.Data
	if len(k) != 9 {
		return Pinhole{}, fmt.Errorf("camera_matrix.data: want 9 values, got %d", len(k))
	}
	if k[1] != 0 || k[3] != 0 || k[6] != 0 || k[7] != 0 || k[8] != 1 {
		return Pinhole{}, fmt.Errorf("camera_matrix.data: want [fx 0 cx 0 fy cy 0 0 1], got %v", k)
	}
	lens := Pinhole{Width: f.ImageWidth, Height: f.ImageHeight, Fx: k[0], Fy: k[4], Cx: k[2], Cy: k[5]}
	if err := setDistortion(&lens, f.DistortionModel, f.DistortionCoefficients.Data); err != nil {
		return Pinhole{}, err
	}
	if err := lens.Validate(); err != nil {
		return Pinhole{}, err
	}
	return lens, nil
}

// setDistortion reads ROS's D vector for the plumb_bob model.
func setDistortion(lens *Pinhole, model string, d []float64) error {
	switch model {
	case "plumb_bob", "":
	default:
		return fmt.Errorf("distortion_model: %q is not supported (plumb_bob is)", model)
	}
	if len(d) != 0 && len(d) != 5 {
		return fmt.Errorf("distortion_coefficients.data: plumb_bob has 5 coefficients, got %d", len(d))
	}
	var coef [5]float64
	copy(coef[:], d)
	lens.Distortion = DistortionFromD(coef)
	return nil
}

// SetROSDistortion sets the lens distortion from a sensor_msgs/CameraInfo's
// distortion_model and D.
func (p *Pinhole) SetROSDistortion(model string, d []float64) error {
	return setDistortion(p, model, d)
}

// WriteCameraInfo writes lens as camera_info YAML for a camera called
// name, with the RMS reprojection error of the calibration when it is not
// negative.
func WriteCameraInfo(w io.Writer, name string, lens Pinhole, reprojectionErrorPx float64) error {
	d := lens.Distortion.D()
	f := cameraInfoFile{
		ImageWidth: lens.Width, ImageHeight: lens.Height, CameraName: name,
		CameraMatrix:           cameraInfoMatrix{3, 3, []float64{lens.Fx, 0, lens.Cx, 0, lens.Fy, lens.Cy, 0, 0, 1}},
		DistortionModel:        "plumb_bob",
		DistortionCoefficients: cameraInfoMatrix{1, 5, d[:]},
		RectificationMatrix:    cameraInfoMatrix{3, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}},
		ProjectionMatrix:       cameraInfoMatrix{3, 4, []float64{lens.Fx, 0, lens.Cx, 0, 0, lens.Fy, lens.Cy, 0, 0, 0, 1, 0}},
	}
	if reprojectionErrorPx >= 0 {
		f.ReprojectionErrorPixels = &reprojectionErrorPx
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&f); err != nil {
		return fmt.Errorf("calib: camera_info: %w", err)
	}
	return enc.Close()
}
