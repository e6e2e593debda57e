package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesCommands lists the sample rules, stages one, reads the status,
// and unstages it; an unknown rule is refused by name.
func TestRulesCommands(t *testing.T) {
	home := t.TempDir()
	if _, _, err := run(t, "--home", home, "init"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "--home", home, "rules", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cloudtrail_root_activity", "cloudtrail:events", "file:sample", "active", "cloudtrail_events.yaml:"} {
		if !strings.Contains(out, want) {
			t.Errorf("rules list lacks %q:\n%s", want, out)
		}
	}
	if out, _, _ := run(t, "--home", home, "rules", "status"); !strings.Contains(out, "No rule is staged") {
		t.Errorf("status before staging:\n%s", out)
	}

	out, _, err = run(t, "--home", home, "rules", "stage", "cloudtrail_root_activity")
	if err != nil || !strings.Contains(out, "cloudtrail_root_activity: staged until") {
		t.Fatalf("stage: %v\n%s", err, out)
	}
	out, _, _ = run(t, "--home", home, "rules", "status")
	if !strings.Contains(out, "cloudtrail_root_activity") || !strings.Contains(out, "promoted in 48h0m0s") {
		t.Errorf("status after staging:\n%s", out)
	}
	out, _, _ = run(t, "--home", home, "rules", "list")
	if !strings.Contains(out, "staged until") {
		t.Errorf("rules list does not show the staged rule:\n%s", out)
	}
	data, err := os.ReadFile(filepath.Join(home, "staging.json"))
	if err != nil || !strings.Contains(string(data), `"staged": true`) {
		t.Errorf("staging table: %v\n%s", err, data)
	}

	out, _, err = run(t, "--home", home, "rules", "unstage", "cloudtrail_root_activity")
	if err != nil || !strings.Contains(out, "active") {
		t.Fatalf("unstage: %v\n%s", err, out)
	}
	if out, _, _ := run(t, "--home", home, "rules", "status"); !strings.Contains(out, "No rule is staged") {
		t.Errorf("status after unstaging:\n%s", out)
	}
	_, _, err = run(t, "--home", home, "rules", "stage", "no_such_rule")
	if err == nil || !strings.Contains(err.Error(), "no rule named no_such_rule") {
		t.Errorf("staging an unknown rule: %v", err)
	}
}
