package apptest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/internal/testbin"
)

// Classify classifies logs an app emitted the way the host does for an app
// source (service streamalert_app, resource the app's function name in the
// cluster's data_sources), against StreamAlert's compat conf beside the
// repository, and returns each log's type ("" when no schema took it, with
// the reasons logged). extra adds files to a temporary copy of the conf
// (paths relative to conf/, such as "schemas/intercom.json") for sources
// the compat conf lacks; nothing is copied into the repository.
func Classify(t testing.TB, resource string, extra map[string]string, logs [][]byte) []string {
	t.Helper()
	dir := filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf")
	if len(extra) > 0 {
		dir = copyConf(t, dir, extra)
	}
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	c, err := classify.New(cfg, classify.Options{Parsers: classify.Builtin(), NewID: func() string { return "id" }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Classify(context.Background(), classify.Source{Service: "streamalert_app", Resource: resource}, logs)
	if err != nil {
		t.Fatal(err)
	}
	types := make([]string, len(res))
	for i, r := range res {
		if r.Failure != nil || len(r.Records) != 1 {
			var why []string
			if r.Failure != nil {
				for _, a := range r.Failure.Attempts {
					why = append(why, fmt.Sprintf("%s: %s", a.LogType, a.Reason))
				}
			}
			t.Logf("log %d not classified: %s", i, strings.Join(why, "; "))
			continue
		}
		types[i] = string(r.Records[0].LogType)
	}
	return types
}

// copyConf copies the conf at src into a temporary directory with extra
// files added.
func copyConf(t testing.TB, src string, extra map[string]string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range extra {
		p := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
