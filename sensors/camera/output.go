package camera

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckFrameOutput refuses an output NewFrameWriter could not write,
// before any frame exists.
func CheckFrameOutput(out string) error {
	ext := strings.ToLower(filepath.Ext(out))
	if _, ok := videoCodecs[ext]; ok {
		if info, err := os.Stat(filepath.Dir(out)); err != nil || !info.IsDir() {
			return fmt.Errorf("%s: directory %s does not exist", out, filepath.Dir(out))
		}
		return nil
	}
	if ext != "" {
		return fmt.Errorf("%s: want a directory or a .mp4, .avi or .mkv file", out)
	}
	return nil
}

var videoCodecs = map[string]string{".mp4": "mp4v", ".avi": "MJPG", ".mkv": "mp4v"}
