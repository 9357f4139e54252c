package vision

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// DetectorConfig picks and tunes the camera's object detector.
type DetectorConfig struct {
	// Kind is "auto" (coco when its model is installed, else hog),
	// "coco" (the CenterNet COCO network `make models` installs), "hog"
	// (OpenCV's people detector, no weights needed), "dnn" (a YOLO ONNX
	// model) or "sim" (the simulator's rendered actors).
	Kind string      `yaml:"kind"`
	HOG  HOGOptions  `yaml:"hog"`
	DNN  DNNOptions  `yaml:"dnn"`
	COCO COCOOptions `yaml:"coco"`
}

// DefaultDetectorConfig is "auto" with every detector's default options.
func DefaultDetectorConfig() DetectorConfig {
	return DetectorConfig{Kind: "auto", HOG: DefaultHOGOptions(), DNN: DefaultDNNOptions(), COCO: DefaultCOCOOptions()}
}

// Resolved returns the config with "auto" decided: coco when the model
// is installed (or named), hog otherwise.
func (c DetectorConfig) Resolved() DetectorConfig {
	if c.Kind == "auto" {
		c.Kind = "hog"
		if c.COCO.Model != "" {
			c.Kind = "coco"
		} else if _, err := InstalledCOCOModel(c.COCO.InputSize); err == nil {
			c.Kind = "coco"
		}
	}
	return c
}

// Validate names the first unusable field.
func (c DetectorConfig) Validate() error {
	switch c.Kind {
	case "hog":
		if err := c.HOG.withDefaults().Validate(); err != nil {
			return fmt.Errorf("hog.%w", err)
		}
	case "dnn":
		if err := c.DNN.Validate(); err != nil {
			return fmt.Errorf("dnn.%w", err)
		}
	case "coco":
		if err := c.COCO.Validate(); err != nil {
			return fmt.Errorf("coco.%w", err)
		}
	case "auto", "sim":
	default:
		return fmt.Errorf("kind: want auto, coco, hog, dnn or sim, got %q", c.Kind)
	}
	return nil
}

// HOGOptions tunes the HOG people detector. The zero value of a field
// means its default from DefaultHOGOptions.
type HOGOptions struct {
	// HitThreshold is the SVM margin a window needs to count.
	HitThreshold float64 `yaml:"hit_threshold"`
	// Stride is the step between windows in pixels, a multiple of 8.
	Stride int `yaml:"stride_px"`
	// Scale is the step between pyramid levels, > 1.
	Scale float64 `yaml:"scale"`
	// GroupThreshold is how many overlapping windows a detection needs.
	GroupThreshold int `yaml:"group_threshold"`
	// Upscale resizes the image before detection; people shorter than
	// about 96 px (the person inside the 128 px window) are only found
	// when it is above 1.
	Upscale float64 `yaml:"upscale"`
	// Top and Bottom bound the searched rows as fractions of the image
	// height (0 ≤ Top < Bottom ≤ 1): sky and bonnet need no search.
	Top    float64 `yaml:"roi_top"`
	Bottom float64 `yaml:"roi_bottom"`
	// MaxHeightPx is the tallest person to look for, in image pixels;
	// it caps the pyramid (0: search every level, up to the image size).
	MaxHeightPx float64 `yaml:"max_height_px"`
}

// DefaultHOGOptions keep up with a 10 frames/s 768×576 camera on two
// cores (84 ms a frame) with people 70 to 150 px tall: the pyramid steps
// by 8 % and the top tenth of the image (sky, roofs) is not searched. See
// ThoroughHOGOptions and the README for the trade-off.
func DefaultHOGOptions() HOGOptions {
	return HOGOptions{HitThreshold: 0.3, Stride: 8, Scale: 1.08, GroupThreshold: 2, Upscale: 1.2, Top: 0.1, Bottom: 1}
}

// ThoroughHOGOptions find more people (recall 0.90 rather than 0.83 on
// the vtest annotation) at about 1.8 times the cost: a 5 % pyramid step
// over the whole image.
func ThoroughHOGOptions() HOGOptions {
	o := DefaultHOGOptions()
	o.Scale, o.Top = 1.05, 0
	return o
}

func (o HOGOptions) withDefaults() HOGOptions {
	d := DefaultHOGOptions()
	if o.Stride == 0 {
		o.Stride = d.Stride
	}
	if o.Scale == 0 {
		o.Scale = d.Scale
	}
	if o.GroupThreshold == 0 {
		o.GroupThreshold = d.GroupThreshold
	}
	if o.Upscale == 0 {
		o.Upscale = d.Upscale
	}
	if o.Bottom == 0 {
		o.Bottom = d.Bottom
	}
	return o
}

// Validate names the first unusable option.
func (o HOGOptions) Validate() error {
	switch {
	case o.Stride <= 0 || o.Stride%8 != 0:
		return fmt.Errorf("stride_px: must be a positive multiple of 8, got %d", o.Stride)
	case !(o.Scale > 1) || o.Scale > 2:
		return fmt.Errorf("scale: must be in (1, 2], got %g", o.Scale)
	case o.GroupThreshold < 0:
		return fmt.Errorf("group_threshold: must not be negative, got %d", o.GroupThreshold)
	case !(o.Upscale >= 0.25) || o.Upscale > 4:
		return fmt.Errorf("upscale: must be in [0.25, 4], got %g", o.Upscale)
	case !(o.MaxHeightPx >= 0):
		return fmt.Errorf("max_height_px: must not be negative, got %g", o.MaxHeightPx)
	case !(o.Top >= 0) || !(o.Bottom <= 1) || !(o.Top < o.Bottom):
		return fmt.Errorf("roi_top, roi_bottom: need 0 ≤ top < bottom ≤ 1, got %g, %g", o.Top, o.Bottom)
	}
	return nil
}

// hogWindowPx is the height of the default people detector's window.
const hogWindowPx = 128

// levels is the pyramid depth that reaches people MaxHeightPx tall: the
// person fills 71% of the 128-pixel window (see Detect).
func (o HOGOptions) levels() int {
	if o.MaxHeightPx == 0 {
		return 64 // OpenCV's default: until the image is smaller than the window
	}
	window := o.MaxHeightPx / 0.71 * o.Upscale
	return max(1, int(math.Ceil(math.Log(window/hogWindowPx)/math.Log(o.Scale)))+1)
}

// DNNOptions configures the YOLO detector on an ONNX model.
type DNNOptions struct {
	// Model is the ONNX file (see the README for exporting YOLO to ONNX).
	Model string `yaml:"model"`
	// InputSize is the network's square input in pixels.
	InputSize int `yaml:"input_size"`
	// Layout is "auto", "yolov5" or "yolov8".
	Layout string `yaml:"layout"`
	// Confidence is the lowest score kept.
	Confidence float64 `yaml:"confidence"`
	// NMSIoU is the overlap above which a weaker box of the same class is
	// suppressed.
	NMSIoU float64 `yaml:"nms_iou"`
}

// DefaultDNNOptions are Ultralytics' export defaults.
func DefaultDNNOptions() DNNOptions {
	return DNNOptions{InputSize: 640, Layout: "auto", Confidence: 0.25, NMSIoU: 0.45}
}

// Validate names the first unusable option; the model file must exist.
func (o DNNOptions) Validate() error {
	if _, err := ParseLayout(o.Layout); err != nil {
		return err
	}
	if o.Model == "" {
		return fmt.Errorf("model: give the path of an ONNX file")
	}
	if err := checkNetwork(o.InputSize, 32, 4096, o.Confidence, o.NMSIoU); err != nil {
		return err
	}
	return checkModelFile(o.Model)
}

// COCOOptions configures the CenterNet detector trained on COCO.
type COCOOptions struct {
	// Model is the ONNX file, converted for InputSize; empty is the one
	// `make models` installs for it (see InstalledCOCOModel).
	Model string `yaml:"model"`
	// InputSize is the square network input in pixels: a multiple of 32
	// from 320 (fastest) to 512 (finds smaller objects).
	InputSize int `yaml:"input_size"`
	// Confidence is the lowest score kept.
	Confidence float64 `yaml:"confidence"`
	// NMSIoU is the overlap above which a weaker box of the same class
	// is suppressed.
	NMSIoU float64 `yaml:"nms_iou"`
}

// DefaultCOCOOptions are the full 512-pixel input, boxes scoring 0.4 or
// more (on the vtest annotation, people recall 0.92 at precision 0.95;
// 0.3 finds 0.96 of them at precision 0.59).
func DefaultCOCOOptions() COCOOptions {
	return COCOOptions{InputSize: 512, Confidence: 0.4, NMSIoU: 0.5}
}

// Validate names the first unusable option; the model must be installed
// or the named file exist.
func (o COCOOptions) Validate() error {
	if err := checkNetwork(o.InputSize, 320, 512, o.Confidence, o.NMSIoU); err != nil {
		return err
	}
	if o.Model == "" {
		_, err := InstalledCOCOModel(o.InputSize)
		return err
	}
	return checkModelFile(o.Model)
}

// COCOModelFile is the name of the converted CenterNet model for an
// input size: OpenCV fixes every shape when it reads a model, so each
// size has a file of its own.
func COCOModelFile(size int) string { return fmt.Sprintf("centernet-%d.onnx", size) }

// InstalledCOCOModel finds the model `make models` installs for an input
// size: in $AVFUSION_MODELS, else in .cache/models of the checkout the
// running binary was built in (beside its bin/), else in .cache/models of
// the working directory or the nearest of its parents that has one.
func InstalledCOCOModel(size int) (string, error) {
	var dirs []string
	if d := os.Getenv("AVFUSION_MODELS"); d != "" {
		dirs = append(dirs, d)
	}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Join(filepath.Dir(filepath.Dir(exe)), ".cache", "models"))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, filepath.Join(d, ".cache", "models"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, COCOModelFile(size))
		if checkModelFile(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("model: the COCO detector is not installed: run `make models` (looked for %s in $AVFUSION_MODELS, beside the binary and in .cache/models up from the working directory)", COCOModelFile(size))
}

// checkNetwork names the first unusable option a detection network
// shares: its square input size (a multiple of 32 in [lo, hi]), its
// score threshold and its NMS overlap.
func checkNetwork(size, lo, hi int, confidence, nmsIoU float64) error {
	switch {
	case size < lo || size > hi || size%32 != 0:
		return fmt.Errorf("input_size: must be a multiple of 32 in [%d, %d], got %d", lo, hi, size)
	case !(confidence > 0 && confidence < 1):
		return fmt.Errorf("confidence: must be in (0, 1), got %g", confidence)
	case !(nmsIoU > 0 && nmsIoU <= 1):
		return fmt.Errorf("nms_iou: must be in (0, 1], got %g", nmsIoU)
	}
	return nil
}

// checkModelFile refuses a missing, empty or non-regular model file.
func checkModelFile(path string) error {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("model: %w", err)
	case !info.Mode().IsRegular():
		return fmt.Errorf("model: %q is not a file", path)
	case info.Size() == 0:
		return fmt.Errorf("model: %q is empty", path)
	}
	return nil
}
