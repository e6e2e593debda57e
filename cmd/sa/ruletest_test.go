package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/testbin"
)

// TestRuleTestCompat runs StreamAlert's test events against the community
// pack, as `sa test --conf ../shared/compat/conf --files ../shared/compat/rules`.
func TestRuleTestCompat(t *testing.T) {
	root := testbin.Root(t)
	compat := filepath.Join(root, "..", "shared", "compat")
	args := []string{"--home", t.TempDir(), "test", "--parsers", "builtin",
		"--conf", filepath.Join(compat, "conf"), "--files", filepath.Join(compat, "rules"),
		"--rules-dir", filepath.Join(root, "rules"), "--matchers-dir", filepath.Join(root, "matchers")}
	out, _, err := run(t, args...)
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Fatalf("sa test: %v\n%s", err, out)
	}
	// The sample rules sa init installs fire on some of StreamAlert's
	// events; added to the pack, those events fail with a diff.
	out, _, err = run(t, append(args, "--rules-dir", filepath.Join(root, "samples", "rules"))...)
	var ee exitError
	if !errors.As(err, &ee) || !strings.Contains(out, "cloudtrail_logging_stopped") {
		t.Errorf("sa test with extra rules: %v, want a failure naming the extra rule\n%s", err, out)
	}
}
