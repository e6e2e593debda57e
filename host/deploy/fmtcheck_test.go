package deploy

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

// fmtProblems reports where src departs from terraform fmt's layout, which
// is hclwrite.Format's: each line that formatting would change, with what
// it would become. Files also end in exactly one newline.
func fmtProblems(src []byte) []string {
	if !bytes.HasSuffix(src, []byte("\n")) || bytes.HasSuffix(src, []byte("\n\n")) {
		return []string{" file must end in exactly one newline"}
	}
	want := hclwrite.Format(src)
	if bytes.Equal(want, src) {
		return nil
	}
	got, fixed := strings.Split(string(src), "\n"), strings.Split(string(want), "\n")
	var out []string
	for i := range max(len(got), len(fixed)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(fixed) {
			w = fixed[i]
		}
		if g != w {
			out = append(out, fmt.Sprintf("%d: %q, want %q", i+1, g, w))
		}
		if len(out) == 5 {
			return append(out, " ... and more")
		}
	}
	return out
}

func TestFmtProblems(t *testing.T) {
	tests := []struct {
		name, src string
		bad       bool
	}{
		{"formatted", "locals {\n  a   = 1\n  bcd = 2\n}\n", false},
		{"unaligned equals", "locals {\n  a = 1\n  bcd = 2\n}\n", true},
		{"wrong indent", "locals {\n    a = 1\n}\n", true},
		{"no final newline", "locals {\n  a = 1\n}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtProblems([]byte(tt.src)); (len(got) > 0) != tt.bad {
				t.Errorf("problems %q, want some: %v", got, tt.bad)
			}
		})
	}
}
