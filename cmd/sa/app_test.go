package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppCommands adds a file app instance non-interactively, lists it,
// runs it so its logs classify and fire the sample rules, changes its
// settings, and deletes it.
func TestAppCommands(t *testing.T) {
	plugins := installPlugins(t)
	home := t.TempDir()
	sa := func(args ...string) (string, error) {
		t.Helper()
		out, errOut, err := run(t, append([]string{"--home", home, "--plugin-dir", plugins}, args...)...)
		return out + errOut, err
	}
	if out, err := sa("init"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	logs := t.TempDir()
	sample, err := os.ReadFile(filepath.Join(home, "samples", "cloudtrail.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(logs, "trail.jsonl"), sample, 0o644)
	values := filepath.Join(t.TempDir(), "values.json")
	os.WriteFile(values, []byte(`{"path": "`+logs+`"}`), 0o600)

	out, err := sa("app", "new", "--type", "nope", "--cluster", "sample", "--name", "x", "--from-file", values)
	if err == nil || !strings.Contains(err.Error(), `no app plugin serves type "nope"; installed app plugins: file`) {
		t.Errorf("unknown type: %v\n%s", err, out)
	}
	out, err = sa("app", "new", "--type", "file", "--cluster", "nocluster", "--name", "x", "--from-file", values)
	if err == nil || !strings.Contains(err.Error(), `no such cluster`) {
		t.Errorf("unknown cluster: %v\n%s", err, out)
	}
	out, err = sa("app", "new", "--type", "file", "--cluster", "sample", "--name", "local_trail",
		"--interval", "rate(2 hours)", "--timeout", "80", "--from-file", values)
	if err != nil || !strings.Contains(out, "Added app local_trail") || !strings.Contains(out, `no schema of log family "file"`) {
		t.Fatalf("new: %v\n%s", err, out)
	}
	cfg, _ := os.ReadFile(filepath.Join(home, "sa.yaml"))
	for _, want := range []string{"name: local_trail", "cluster: sample", "schedule: rate(2 hours)", "budget: 1m20s", "# Ingest sources"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("sa.yaml lacks %q:\n%s", want, cfg)
		}
	}
	out, err = sa("app", "list")
	if err != nil || !strings.Contains(out, "Cluster: sample") || !strings.Contains(out, "Name: local_trail") ||
		!strings.Contains(out, "schedule_expression: rate(2 hours)") {
		t.Errorf("list: %v\n%s", err, out)
	}

	// The file app's logs are CloudTrail: list the app as a source of it.
	cluster := filepath.Join(home, "conf", "clusters", "sample.json")
	os.WriteFile(cluster, []byte(`{"id": "sample", "data_sources": {"kinesis": {"sa_sample": ["cloudtrail"]}, "streamalert_app": {"local_trail": ["cloudtrail"]}}}`), 0o644)
	out, err = sa("app", "run", "local_trail")
	if err != nil || !strings.Contains(out, "6 log(s) gathered") || !strings.Contains(out, "classified as cloudtrail:events: 6") {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "alerts: ") || strings.Contains(out, "alerts: 0") {
		t.Errorf("run raised no alerts:\n%s", out)
	}
	// The state was kept: a second run gathers nothing new.
	if out, err = sa("app", "run", "local_trail"); err != nil || !strings.Contains(out, "0 log(s) gathered") {
		t.Errorf("second run: %v\n%s", err, out)
	}

	out, err = sa("app", "delete", "--cluster", "sample", "--name", "local_trail")
	if err != nil || !strings.Contains(out, "Deleted app local_trail") {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(cluster)
	if strings.Contains(string(data), "local_trail") {
		t.Errorf("cluster still lists the app:\n%s", data)
	}
	if out, _ := sa("app", "list"); !strings.Contains(out, "No apps are configured") {
		t.Errorf("list after delete:\n%s", out)
	}
}
