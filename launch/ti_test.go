package launch

import (
	"strings"
	"testing"
)

func TestBuiltinTIConfigMatchesTheShippedFile(t *testing.T) {
	builtin, err := ReadTIConfig("")
	if err != nil {
		t.Fatal(err)
	}
	file, err := ReadTIConfig("ti/xwr68xx_20hz.cfg")
	if err != nil {
		t.Fatal(err)
	}
	if len(builtin) != len(file) || builtin[0].Command != "sensorStop" || builtin[len(builtin)-1].Command != "sensorStart" {
		t.Fatalf("built-in %d lines (first %q, last %q), file %d", len(builtin), builtin[0].Command, builtin[len(builtin)-1].Command, len(file))
	}
	for i := range file {
		if builtin[i] != file[i] {
			t.Fatalf("line %d: built-in %+v, file %+v", i, builtin[i], file[i])
		}
	}
	if _, err := ReadTIConfig("ti/missing.cfg"); err == nil || !strings.Contains(err.Error(), "ti/missing.cfg") {
		t.Fatalf("a missing file: %v", err)
	}
}
