package classify_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/internal/testbin"
)

// compatDir is StreamAlert's compatibility corpus beside the repository.
func compatDir(t testing.TB) string {
	return filepath.Join(testbin.Root(t), "..", "shared", "compat")
}

func loadConf(t testing.TB, dir string) *config.Config {
	t.Helper()
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return cfg
}

// confWith copies the compat conf into a temporary directory, adds the
// given files (paths relative to conf/, e.g. "clusters/bench.json"), and
// loads it. The copy lives outside the repository.
func confWith(t testing.TB, files map[string]string) *config.Config {
	t.Helper()
	return loadConf(t, testbin.CopyDir(t, filepath.Join(compatDir(t), "conf"), files))
}

// newClassifier builds a classifier whose record ids are stable.
func newClassifier(t testing.TB, cfg *config.Config, parsers classify.Parsers) *classify.Classifier {
	t.Helper()
	c, err := classify.New(cfg, classify.Options{Parsers: parsers, NewID: func() string { return "RECORD-ID" }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// classifyOne classifies one raw record.
func classifyOne(t testing.TB, c *classify.Classifier, src classify.Source, raw string) classify.Result {
	t.Helper()
	res, err := c.Classify(context.Background(), src, [][]byte{[]byte(raw)})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

// pluginsHost builds the plugins at pkgs from this tree, registers them in
// a temporary plugin directory, and returns a host for it.
func pluginsHost(t testing.TB, pkgs ...string) *pluginhost.Host {
	return pluginsHostEnv(t, nil, pkgs...)
}

func pluginsHostEnv(t testing.TB, env []string, pkgs ...string) *pluginhost.Host {
	t.Helper()
	root := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	for _, pkg := range pkgs {
		bin := testbin.Build(t, pkg)
		exe := filepath.Join(root, filepath.Base(pkg), filepath.Base(bin))
		if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(exe, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := pluginhost.Register(context.Background(), exe, nil, log); err != nil {
			t.Fatalf("register %s: %v", pkg, err)
		}
	}
	h := pluginhost.New(pluginhost.Options{Dirs: []string{root}, Env: env, Logger: log})
	t.Cleanup(h.Close)
	return h
}
