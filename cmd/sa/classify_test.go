package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/testbin"
)

// compatConf copies StreamAlert's compat conf into a temporary directory,
// with extra files (relative to conf/) added.
func compatConf(t *testing.T, extra map[string]string) string {
	t.Helper()
	return testbin.CopyDir(t, filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf"), extra)
}

const inventoryCluster = `{"id": "inv", "data_sources": {"kinesis": {"inventory": ["inventory"]}}}`

// inventorySchema is the schema the test's records need; a first conf has
// it with a field missing, so the records fail until it is fixed.
func inventorySchema(fixed bool) string {
	extra := ""
	if fixed {
		extra = `, "owner": "string"`
	}
	return `{"inventory:host": {"parser": "json", "schema": {"host": "string", "cpus": "integer"` + extra + `}}}`
}

func TestClassifyCommand(t *testing.T) {
	home := t.TempDir()
	broken := compatConf(t, map[string]string{"clusters/inv.json": inventoryCluster, "schemas/inventory.json": inventorySchema(false)})
	fixed := compatConf(t, map[string]string{"clusters/inv.json": inventoryCluster, "schemas/inventory.json": inventorySchema(true)})
	input := filepath.Join(t.TempDir(), "in.json")
	os.WriteFile(input, []byte(`[{"host": "a", "cpus": "4"}, {"host": "b", "cpus": 2, "owner": "ops"}]`), 0o644)

	args := []string{"--home", home, "classify", "--parsers", "builtin", "--service", "kinesis", "--source", "inventory"}
	out, errOut, err := run(t, append(args, "--conf", broken, "--store-failed", input)...)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("exit %v\n%s", err, errOut)
	}
	wantOut := `{"cluster":"inv","log_schema_type":"inventory:host","record":{"host":"a","cpus":4},"service":"kinesis","resource":"inventory","data_type":"json"}` + "\n"
	if out != wantOut {
		t.Errorf("stdout:\n%s\nwant\n%s", out, wantOut)
	}
	for _, want := range []string{"record 2 from kinesis/inventory", `inventory:host: keys differ from the schema: unexpected "owner"`, "1 of 2 input records failed"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	out, errOut, err = run(t, "--home", home, "classify", "--parsers", "builtin", "--conf", broken, "--replay-failed")
	if !errors.As(err, &ee) || out != "" || !strings.Contains(errOut, "replayed 1 records: 0 fixed, 1 still failing") {
		t.Errorf("replay before the fix: %v\n%s%s", err, out, errOut)
	}
	out, errOut, err = run(t, "--home", home, "classify", "--parsers", "builtin", "--conf", fixed, "--replay-failed")
	if err != nil || !strings.Contains(out, `"record":{"host":"b","cpus":2,"owner":"ops"}`) || !strings.Contains(errOut, "1 fixed, 0 still failing") {
		t.Errorf("replay after the fix: %v\n%s%s", err, out, errOut)
	}
	out, errOut, err = run(t, "--home", home, "classify", "--parsers", "builtin", "--conf", fixed, "--replay-failed")
	if err != nil || out != "" || !strings.Contains(errOut, "replayed 0 records") {
		t.Errorf("replay of an empty store: %v\n%s%s", err, out, errOut)
	}
}

func TestClassifyCommandErrors(t *testing.T) {
	home := t.TempDir()
	conf := compatConf(t, nil)
	for _, args := range [][]string{
		{"classify", "--conf", conf, "-"},
		{"classify", "--conf", conf, "--service", "s3", "--source", "b", "--parsers", "fast", "-"},
		{"classify", "--conf", t.TempDir(), "--service", "s3", "--source", "b", "-"},
	} {
		if _, _, err := run(t, append([]string{"--home", home}, args...)...); err == nil {
			t.Errorf("%q succeeded", args)
		}
	}
}
