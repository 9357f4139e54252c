//go:build cgo

package camera

import (
	"fmt"

	"gocv.io/x/gocv"
)

// maxImageBytes bounds what a ROS image may claim (an 8K BGR frame).
const maxImageBytes = 8192 * 8192 * 4

// ImageToBGR converts the pixels of a sensor_msgs/Image (encoding bgr8,
// rgb8, bgra8, rgba8 or mono8; rows step bytes apart) into dst as 8-bit
// BGR. Sizes are checked before OpenCV sees them.
func ImageToBGR(dst *gocv.Mat, width, height, step int, encoding string, data []byte) error {
	channels, convert := 0, gocv.ColorConversionCode(-1)
	switch encoding {
	case "bgr8":
		channels = 3
	case "rgb8":
		channels, convert = 3, gocv.ColorBGRToRGB // the same channel swap
	case "bgra8":
		channels, convert = 4, gocv.ColorBGRAToBGR
	case "rgba8":
		channels, convert = 4, gocv.ColorRGBAToBGR
	case "mono8":
		channels, convert = 1, gocv.ColorGrayToBGR
	default:
		return fmt.Errorf("camera: image encoding %q is not supported (bgr8, rgb8, bgra8, rgba8, mono8 are)", encoding)
	}
	switch {
	case width <= 0 || height <= 0 || width > 8192 || height > 8192:
		return fmt.Errorf("camera: image size %dx%d out of range", width, height)
	case step < width*channels:
		return fmt.Errorf("camera: image step %d is shorter than a %d-pixel %s row", step, width, encoding)
	case step*height > maxImageBytes || len(data) < step*height:
		return fmt.Errorf("camera: image holds %d bytes, %dx%d with step %d needs %d", len(data), width, height, step, step*height)
	}
	// Pack the rows (ROS allows padding at the end of each).
	row := width * channels
	packed := data[:row*height]
	if step != row {
		packed = make([]byte, row*height)
		for y := range height {
			copy(packed[y*row:(y+1)*row], data[y*step:y*step+row])
		}
	}
	mt := map[int]gocv.MatType{1: gocv.MatTypeCV8UC1, 3: gocv.MatTypeCV8UC3, 4: gocv.MatTypeCV8UC4}[channels]
	src, err := gocv.NewMatFromBytes(height, width, mt, packed)
	if err != nil {
		return fmt.Errorf("camera: image: %w", err)
	}
	defer src.Close()
	if convert < 0 {
		src.CopyTo(dst)
	} else {
		gocv.CvtColor(src, dst, convert)
	}
	return nil
}

// DecodeCompressed decodes a sensor_msgs/CompressedImage's JPEG or PNG
// data into dst as 8-bit BGR.
func DecodeCompressed(dst *gocv.Mat, data []byte) error {
	if len(data) < 8 {
		return fmt.Errorf("camera: compressed image of %d bytes", len(data))
	}
	img, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err != nil || img.Empty() {
		img.Close()
		return fmt.Errorf("camera: compressed image (%d bytes) is not a JPEG or PNG OpenCV can decode", len(data))
	}
	defer img.Close()
	img.CopyTo(dst)
	return nil
}
