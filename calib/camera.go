package calib

import (
	"fmt"
	"strconv"
	"strings"
)

// Chessboard is a calibration target: Cols × Rows inner corners (where
// four squares meet), SquareM apart.
type Chessboard struct {
	Cols, Rows int
	SquareM    float64
}

// ParseChessboard reads a pattern written as "9x6" (inner corners) and the
// square size in metres.
func ParseChessboard(pattern string, squareM float64) (Chessboard, error) {
	c, r, ok := strings.Cut(strings.ToLower(pattern), "x")
	cols, err1 := strconv.Atoi(c)
	rows, err2 := strconv.Atoi(r)
	if !ok || err1 != nil || err2 != nil {
		return Chessboard{}, fmt.Errorf("calib: pattern %q: want inner corners as COLSxROWS, like 9x6", pattern)
	}
	b := Chessboard{Cols: cols, Rows: rows, SquareM: squareM}
	return b, b.Validate()
}

// Validate refuses a board OpenCV cannot find.
func (b Chessboard) Validate() error {
	switch {
	case b.Cols < 3 || b.Rows < 3:
		return fmt.Errorf("calib: chessboard %dx%d: at least 3x3 inner corners", b.Cols, b.Rows)
	case b.Cols == b.Rows:
		return fmt.Errorf("calib: chessboard %dx%d: a square pattern is ambiguous under rotation; use different counts", b.Cols, b.Rows)
	case !(b.SquareM > 0):
		return fmt.Errorf("calib: chessboard square size must be positive, got %g m", b.SquareM)
	}
	return nil
}

// MinCalibrationViews is the fewest board views CalibrateCamera accepts.
const MinCalibrationViews = 5

// CameraCalibration is what CalibrateCamera found.
type CameraCalibration struct {
	Lens Pinhole
	// RMSPx is the RMS reprojection error over all corners, pixels;
	// ViewRMSPx the same per view (a bad view stands out).
	RMSPx     float64
	ViewRMSPx []float64
}
