//go:build cgo

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"gocv.io/x/gocv"

	"github.com/avfusion/avfusion/calib"
	"github.com/avfusion/avfusion/sensors"
	"github.com/avfusion/avfusion/sensors/camera"
)

// runCalibCamera finds a chessboard in still images or the frames of a
// video and calibrates the camera, writing camera_info YAML.
func runCalibCamera(args []string) error {
	fs := flag.NewFlagSet("calib camera", flag.ContinueOnError)
	pattern := fs.String("pattern", "", "inner corners of the chessboard, COLSxROWS (9x6 for a board of 10x7 squares)")
	square := fs.Float64("square", 0, "side of one square, m")
	every := fs.Int("every", 15, "with a video: try every Nth frame")
	out := fs.String("out", "", "write the camera_info YAML here (default: stdout)")
	name := fs.String("name", "camera", "camera_name in the YAML")
	if err := fs.Parse(args); err != nil {
		return err
	}
	board, err := calib.ParseChessboard(*pattern, *square)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("give chessboard images or one video")
	}
	if *every < 1 {
		return fmt.Errorf("--every: must be at least 1, got %d", *every)
	}
	camera.QuietOpenCV()
	var views [][][2]float64
	width, height, tried := 0, 0, 0
	use := func(img gocv.Mat, what string) error {
		tried++
		if width == 0 {
			width, height = img.Cols(), img.Rows()
		} else if img.Cols() != width || img.Rows() != height {
			return fmt.Errorf("%s is %dx%d, the others %dx%d", what, img.Cols(), img.Rows(), width, height)
		}
		corners, found, err := calib.FindChessboard(img, board)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if found {
			views = append(views, corners)
		}
		return nil
	}
	if fs.NArg() == 1 && isVideo(fs.Arg(0)) {
		c, err := camera.Open(camera.Config{Source: fs.Arg(0)}, sensors.NewVirtualClock(0))
		if err != nil {
			return err
		}
		defer c.Close()
		img := gocv.NewMat()
		defer img.Close()
		for {
			f, err := c.Read(&img)
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return err
			}
			if err := use(img, fmt.Sprintf("frame %d", f.Seq)); err != nil {
				return err
			}
			c.Skip(*every - 1)
		}
	} else {
		for _, path := range fs.Args() {
			if _, err := os.Stat(path); err != nil {
				return err
			}
			img := gocv.IMRead(path, gocv.IMReadGrayScale)
			if img.Empty() {
				return fmt.Errorf("%s: not an image OpenCV can read", path)
			}
			err := use(img, path)
			img.Close()
			if err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(os.Stderr, "board %dx%d found in %d of %d images\n", board.Cols, board.Rows, len(views), tried)
	cal, err := calib.CalibrateCamera(board, views, width, height)
	if err != nil {
		return err
	}
	l := cal.Lens
	fmt.Fprintf(os.Stderr, "fx %.2f fy %.2f cx %.2f cy %.2f, distortion k1 %.4f k2 %.4f p1 %.5f p2 %.5f k3 %.4f\nreprojection error: RMS %.3f px (worst view %.3f px)\n",
		l.Fx, l.Fy, l.Cx, l.Cy, l.Distortion.K1, l.Distortion.K2, l.Distortion.P1, l.Distortion.P2, l.Distortion.K3, cal.RMSPx, maxOf(cal.ViewRMSPx))
	w := io.Writer(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close() //nolint:errcheck // closed below on success
		w = f
		if err := calib.WriteCameraInfo(w, *name, l, cal.RMSPx); err != nil {
			return err
		}
		return f.Close()
	}
	return calib.WriteCameraInfo(w, *name, l, cal.RMSPx)
}

// isVideo reports whether a path is something to read frame by frame
// rather than a still image.
func isVideo(path string) bool {
	src, err := camera.ParseSource(path)
	if err != nil || src.Kind != camera.File {
		return err == nil
	}
	img := gocv.IMRead(path, gocv.IMReadUnchanged)
	defer img.Close()
	return img.Empty()
}
