package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/testbin"
)

// run executes the sa command line in-process and returns its output.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// installPlugins builds the webhook output and the file app into a plugin
// directory, registered, and returns the directory.
func installPlugins(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, pkg := range []string{"plugins/output/webhook", "plugins/app/file"} {
		bin := testbin.Build(t, pkg)
		kind, name := filepath.Base(filepath.Dir(pkg)), filepath.Base(pkg)
		dst := filepath.Join(dir, kind, name, "sa-"+kind+"-"+name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, _, err := run(t, "--home", t.TempDir(), "plugin", "register", dst); err != nil || !strings.Contains(out, "registered "+kind+"."+name) {
			t.Fatalf("register %s: %v %s", dst, err, out)
		}
	}
	return dir
}

func TestVersion(t *testing.T) {
	out, _, err := run(t, "version")
	if err != nil || !strings.Contains(out, "plugin protocol versions: [1]") {
		t.Fatalf("version: %v\n%s", err, out)
	}
}

func TestPluginCommands(t *testing.T) {
	dir := installPlugins(t)
	home := t.TempDir()

	out, _, err := run(t, "--home", home, "--plugin-dir", dir, "plugin", "list", "--start")
	if err != nil {
		t.Fatalf("list: %v\n%s", err, out)
	}
	for _, want := range []string{"NAME", "PROTOCOL", "file    app", "webhook  output", "running"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("list output lacks %q:\n%s", want, out)
		}
	}

	out, _, err = run(t, "--home", home, "--plugin-dir", dir, "plugin", "describe", "webhook")
	if err != nil || !strings.Contains(out, "output.webhook 0.1.0") || !strings.Contains(out, "secret credential") {
		t.Errorf("describe: %v\n%s", err, out)
	}
	out, _, err = run(t, "--home", home, "--plugin-dir", dir, "plugin", "describe", "--json", "output.webhook")
	var m struct {
		Name   string
		Schema []struct{ Name string }
	}
	if err != nil || json.Unmarshal([]byte(out), &m) != nil || m.Name != "webhook" || len(m.Schema) == 0 {
		t.Errorf("describe --json: %v\n%s", err, out)
	}

	out, _, err = run(t, "--home", home, "--plugin-dir", dir, "plugin", "test", "app.file")
	if err != nil || !strings.Contains(out, "0 failed") {
		t.Errorf("test: %v\n%s", err, out)
	}
}

// TestTamperedPluginRefused: after the binary changes, list reports it,
// test refuses it, and the failure exits non-zero.
func TestTamperedPluginRefused(t *testing.T) {
	dir := installPlugins(t)
	bin := filepath.Join(dir, "output", "webhook", "sa-output-webhook")
	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tamper"))
	f.Close()

	out, _, err := run(t, "--home", t.TempDir(), "--plugin-dir", dir, "plugin", "list")
	var ee exitError
	if !errors.As(err, &ee) || !strings.Contains(out, "tampered") {
		t.Errorf("list: %v, want exit 1 and a tampered plugin\n%s", err, out)
	}
	_, _, err = run(t, "--home", t.TempDir(), "--plugin-dir", dir, "plugin", "test", "webhook")
	if err == nil || !strings.Contains(err.Error(), "changed after install") {
		t.Errorf("test: %v, want the changed binary refused", err)
	}
}

func TestDescribeUnknown(t *testing.T) {
	_, _, err := run(t, "--home", t.TempDir(), "plugin", "describe", "nosuch")
	if err == nil || !strings.Contains(err.Error(), `no installed plugin "nosuch"`) {
		t.Errorf("error %v", err)
	}
}
