package vision

import (
	"fmt"
	"math"
	"os"
)

// DetectorConfig chooses and tunes the camera detector.
type DetectorConfig struct {
	// Kind is "hog" (OpenCV's people detector, no weights needed), "dnn"
	// (a YOLO ONNX model) or "sim" (the simulator's rendered actors).
	Kind string     `yaml:"kind"`
	HOG  HOGOptions `yaml:"hog"`
	DNN  DNNOptions `yaml:"dnn"`
}

// DefaultDetectorConfig is HOG with its default options.
func DefaultDetectorConfig() DetectorConfig {
	return DetectorConfig{Kind: "hog", HOG: DefaultHOGOptions(), DNN: DefaultDNNOptions()}
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
	case "sim":
	default:
		return fmt.Errorf("kind: want hog, dnn or sim, got %q", c.Kind)
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
	switch {
	case o.Model == "":
		return fmt.Errorf("model: give the path of an ONNX file")
	case o.InputSize < 32 || o.InputSize > 4096 || o.InputSize%32 != 0:
		return fmt.Errorf("input_size: must be a multiple of 32 in [32, 4096], got %d", o.InputSize)
	case !(o.Confidence > 0 && o.Confidence < 1):
		return fmt.Errorf("confidence: must be in (0, 1), got %g", o.Confidence)
	case !(o.NMSIoU > 0 && o.NMSIoU <= 1):
		return fmt.Errorf("nms_iou: must be in (0, 1], got %g", o.NMSIoU)
	}
	info, err := os.Stat(o.Model)
	switch {
	case err != nil:
		return fmt.Errorf("model: %w", err)
	case !info.Mode().IsRegular():
		return fmt.Errorf("model: %q is not a file", o.Model)
	case info.Size() == 0:
		return fmt.Errorf("model: %q is empty", o.Model)
	}
	return nil
}
