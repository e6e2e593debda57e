package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/testbin"
)

// TestValidateSchemasCompat is the acceptance check: every test
// event of the compat corpus classifies as it expects.
func TestValidateSchemasCompat(t *testing.T) {
	compat := filepath.Join(testbin.Root(t), "..", "shared", "compat")
	out, errOut, err := run(t, "--home", t.TempDir(), "validate-schemas", "--parsers", "builtin",
		"--conf", filepath.Join(compat, "conf"), "--test-files", filepath.Join(compat, "rules"))
	if err != nil || !strings.Contains(out, "72 events: 72 passed, 0 failed") || strings.Contains(out, "FAIL") {
		t.Fatalf("validate-schemas: %v\n%s%s", err, out, errOut)
	}
}

func TestValidateSchemasMismatch(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "events.json")
	os.WriteFile(file, []byte(`[
	  {"data": {"not": "duo"}, "description": "matches nothing", "log": "duo:authentication",
	   "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app", "trigger_rules": []},
	  {"data": "Jan 10 19:35:13 host app: message", "description": "a string record", "log": "ghe:general",
	   "service": "kinesis", "source": "prefix_cluster1_streamalert", "classify_only": true, "compress": true}
	]`), 0o644)
	compat := filepath.Join(testbin.Root(t), "..", "shared", "compat")
	out, _, err := run(t, "--home", t.TempDir(), "validate-schemas", "--parsers", "builtin", "-v",
		"--conf", filepath.Join(compat, "conf"), "--test-files", file, filepath.Join(dir, "missing.json"))
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("exit %v\n%s", err, out)
	}
	for _, want := range []string{
		"FAIL " + file + "[0]: found (none), expected duo:authentication",
		"duo:administrator: keys differ from the schema",
		"FAIL " + file + "[1]: found (none), expected ghe:general",
		"2 events: 0 passed, 2 failed, 1 files unreadable",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
