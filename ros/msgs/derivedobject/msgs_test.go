package derivedobject

import (
	"testing"

	"github.com/bluenviron/goroslib/v2/pkg/msgproc"
)

// TestMD5MatchesRealPackage compares the MD5 sums goroslib derives from
// these types with those of derived_object_msgs 4.0.0. The reference sums
// were computed with Debian's genmsg (python3-genmsg 0.5.x,
// genmsg.gentools.compute_md5) from the package's .msg files; the array's
// sum also appears in rosserial headers generated from the real package.
func TestMD5MatchesRealPackage(t *testing.T) {
	for _, c := range []struct {
		msg  any
		want string
	}{
		{SolidPrimitiveWithCovariance{}, "c43d90f132111449bd65e4b2e79d97c2"},
		{ObjectWithCovariance{}, "11c5c4e2934ae559592a68028c8fb34b"},
		{ObjectWithCovarianceArray{}, "59dfdf4ed3407a2558ccbc7f5732bf46"},
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
