package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/streamalert-go/sa/host/config"
)

// compatDir is the StreamAlert compatibility corpus, beside the
// repository.
const compatDir = "../../../shared/compat"

// repoDir is the repository root, where the shipped rules live.
const repoDir = "../.."

// compatConf loads the corpus' conf directory, skipping the test when the
// corpus is not there.
func compatConf(t testing.TB) *config.Config {
	t.Helper()
	dir := filepath.Join(compatDir, "conf")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("compat corpus not found: %v", err)
	}
	c, err := config.Load(dir)
	if err != nil {
		t.Fatalf("load compat conf: %v", err)
	}
	return c
}

// readDir is ReadDir failing the test.
func readDir(t testing.TB, dir string) []File {
	t.Helper()
	fs, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// packEngine loads StreamAlert's rule pack as sa ships it (the community
// rules and StreamAlert's one sample; not sa's own samples for `sa init`,
// which detect some of the same events) against the compat schemas.
func packEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	opts.Rules = append(readDir(t, filepath.Join(repoDir, "rules", "community")),
		readDir(t, filepath.Join(repoDir, "rules", "sample", "sample_demisto.yaml"))...)
	opts.Matchers = readDir(t, filepath.Join(repoDir, "matchers"))
	if opts.Schemas == nil {
		opts.Schemas = ConfSchemas(compatConf(t))
	}
	e, err := New(opts)
	if err != nil {
		t.Fatalf("load rule pack:\n%v", err)
	}
	return e
}

// mapLookup is a Lookup over fixed tables, as test fixtures give them.
type mapLookup map[string]map[string]any

func (m mapLookup) Get(table, key string) (any, bool) {
	v, ok := m[table][key]
	return v, ok
}
