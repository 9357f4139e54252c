package radarmsgs

import (
	"testing"

	"github.com/bluenviron/goroslib/v2/pkg/msgproc"
)

// TestMD5MatchesRealPackage compares goroslib's MD5 sums for these types
// with radar_msgs' (noetic). The sums were computed with Debian's genmsg
// from the package's .msg files; RadarScan's also appears in the
// generated JavaScript and Lisp bindings of the real package.
func TestMD5MatchesRealPackage(t *testing.T) {
	for _, c := range []struct {
		msg  any
		want string
	}{
		{RadarReturn{}, "d2fa6f7b9af80adc27de1892e316aaf6"},
		{RadarScan{}, "6dfacef1e665538dbd8e159d5ce7a97a"},
	} {
		got, err := msgproc.MD5(c.msg)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%T: md5 %s, want %s", c.msg, got, c.want)
		}
	}
}
