package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/testbin"
)

// compatDir is StreamAlert's stock conf, which sa must load unchanged.
func compatDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf")
}

// baseConf is the smallest valid conf directory; tests override or add
// files by name ("" deletes one).
var baseConf = map[string]string{
	"global.json":        `{"account": {"aws_account_id": "123456789012", "prefix": "p", "region": "us-east-1"}}`,
	"clusters/prod.json": `{"data_sources": {"kinesis": {"stream": ["app"]}}}`,
	"schemas/app.json":   `{"app:events": {"parser": "json", "schema": {"a": "string", "b": "integer"}}}`,
}

// writeConf writes baseConf with overrides applied into a temporary
// directory and returns it.
func writeConf(t testing.TB, overrides map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for k, v := range baseConf {
		files[k] = v
	}
	for k, v := range overrides {
		files[k] = v
	}
	for name, body := range files {
		if body == "" {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// problemsOf returns the problems of a failed load, failing the test if
// the load succeeded or failed otherwise.
func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load error = %v, want Problems", err)
	}
	return ps
}

// want describes an expected problem: exact file and key path, a
// fragment of the message.
type want struct {
	file, path, msg string
	sev             Severity
}

// find returns the problem matching w, if any.
func find(ps Problems, w want) (Problem, bool) {
	for _, p := range ps {
		if p.File == w.file && p.Path == w.path && strings.Contains(p.Message, w.msg) && p.Severity == w.sev {
			return p, true
		}
	}
	return Problem{}, false
}

func mustLoad(t *testing.T, dir string) *Config {
	t.Helper()
	cfg, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(%s):\n%v", dir, err)
	}
	return cfg
}
