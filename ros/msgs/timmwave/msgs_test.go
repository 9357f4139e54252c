package timmwave

import (
	"testing"

	"github.com/bluenviron/goroslib/v2/pkg/msgproc"
)

// TestMD5MatchesRealPackage compares goroslib's MD5 sum for RadarScan
// with ti_mmwave_rospkg's, as Debian's genmsg computes it from the
// package's RadarScan.msg (and as the package's generated bindings carry
// it).
func TestMD5MatchesRealPackage(t *testing.T) {
	got, err := msgproc.MD5(RadarScan{})
	if err != nil {
		t.Fatal(err)
	}
	if got != RadarScanMD5 {
		t.Fatalf("md5 %s, want %s", got, RadarScanMD5)
	}
}
