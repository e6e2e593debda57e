// Package testbin builds the project's plugin binaries for tests, so host
// and plugin tests run real plugin processes rather than fakes.
package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	mu    sync.Mutex
	dir   string
	built = map[string]string{}
)

// Root returns the repository root: the directory holding the go.mod of
// module github.com/streamalert-go/sa.
func Root(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.HasPrefix(string(data), "module github.com/streamalert-go/sa\n") {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("testbin: no repository root above %s", wd)
		}
	}
}

// Build compiles the main package at pkg, a path relative to the repository
// root such as "plugins/output/webhook", once per test process, and returns
// the binary's path. The binary is named sa-<kind>-<name> after the last two
// elements of pkg.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := built[pkg]; ok {
		return p
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "sa-testbin-")
		if err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	parts := strings.Split(filepath.ToSlash(pkg), "/")
	name := "sa-" + strings.Join(parts[len(parts)-2:], "-")
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, "./"+pkg)
	cmd.Dir = Root(t)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testbin: build %s: %v\n%s", pkg, err, msg)
	}
	built[pkg] = out
	return out
}
