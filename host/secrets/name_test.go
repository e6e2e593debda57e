package secrets

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	deep := strings.Repeat("a/", maxSegments-1) + "a"
	tests := []struct {
		name string
		ok   bool
	}{
		{"output/slack/soc", true},
		{"app/duo_auth/prod_collector", true},
		{"output/aws-s3/bucket.v2", true},
		{"a", true},
		{"0/9", true},
		{deep, true},
		{strings.Repeat("x", maxNameLen), true},

		{"", false},
		{"..", false},
		{".", false},
		{"../etc/passwd", false},
		{"output/../../etc/passwd", false},
		{"output/./soc", false},
		{"/etc/passwd", false},
		{"output/", false},
		{"output//soc", false},
		{".hidden", false},
		{".tmp-123", false},
		{"output/.soc", false},
		{`output\soc`, false},
		{`..\..\windows`, false},
		{"c:soc", false},
		{"output/so c", false},
		{"output/soc\x00.age", false},
		{"output/soc\n", false},
		{"Output/slack", false},
		{"output/SOC", false},
		{"output/slack+soc", false},
		{"output/sl%2fck", false},
		{"output/ümlaut", false},
		{"-flag", false},
		{"_x", false},
		{deep + "/a", false},
		{strings.Repeat("x", maxNameLen+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.name)
			if tt.ok && err != nil {
				t.Fatalf("ValidateName(%q) = %v, want nil", tt.name, err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidName) {
				t.Fatalf("ValidateName(%q) = %v, want ErrInvalidName", tt.name, err)
			}
		})
	}
}

func TestFileNameRoundTrip(t *testing.T) {
	for _, name := range []string{"output/slack/soc", "a", "x/y.age", "x.age/y"} {
		fn := fileName(name)
		if strings.Contains(fn, "/") {
			t.Errorf("fileName(%q) = %q has a separator", name, fn)
		}
		if got, ok := nameOf(fn); !ok || got != name {
			t.Errorf("nameOf(fileName(%q)) = %q, %v", name, got, ok)
		}
	}
	for _, fn := range []string{".tmp-123", "README", "x.age.bak", ".age", "Upper.age", "a++b.age"} {
		if name, ok := nameOf(fn); ok {
			t.Errorf("nameOf(%q) = %q, want not a secret", fn, name)
		}
	}
}

// FuzzValidateName checks that every name ValidateName accepts maps to a
// plain file name inside the store directory and back to itself, and that
// every file name List accepts came from a valid name.
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"output/slack/soc", "../x", "a/../b", "a//b", ".x", "a\x00", `a\b`, "A", "x+y.age", "x.age"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := ValidateName(s); err != nil {
			if !errors.Is(err, ErrInvalidName) {
				t.Fatalf("ValidateName(%q) = %v, not ErrInvalidName", s, err)
			}
		} else {
			fn := fileName(s)
			dir := filepath.Join("store", "dir")
			switch {
			case strings.ContainsAny(fn, `/\:`+"\x00"), fn[0] == '.', len(fn) > 255:
				t.Fatalf("name %q gives unsafe file name %q", s, fn)
			case !filepath.IsLocal(fn), filepath.Dir(filepath.Join(dir, fn)) != dir:
				t.Fatalf("name %q gives file name %q outside the store", s, fn)
			}
			if got, ok := nameOf(fn); !ok || got != s {
				t.Fatalf("nameOf(fileName(%q)) = %q, %v", s, got, ok)
			}
		}
		if name, ok := nameOf(s); ok && fileName(name) != s {
			t.Fatalf("nameOf(%q) = %q, which maps back to %q", s, name, fileName(name))
		}
	})
}
