package pluginhost

import (
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

// lockedHome installs the fault plugin under home/plugins and pins it in
// home/sa.lock, as sa plugin install would.
func lockedHome(t *testing.T) (home, dir string) {
	t.Helper()
	home = t.TempDir()
	dir = installFaulty(t, filepath.Join(home, "plugins"))
	hash, err := lockfile.HashDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	writeLock(t, home, map[string]*lockfile.Entry{
		"output.faulty": {Version: "1.0.0", Source: "test", Hashes: map[string]string{lockfile.Platform(): hash}},
	})
	return home, dir
}

func writeLock(t *testing.T, home string, plugins map[string]*lockfile.Entry) {
	t.Helper()
	l := lockfile.New()
	l.Plugins = plugins
	if err := l.Write(filepath.Join(home, lockfile.Name)); err != nil {
		t.Fatal(err)
	}
}

func quietHost(t *testing.T, opts Options) (*Host, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	opts.MaxFailures = 1
	h := New(opts)
	t.Cleanup(h.Close)
	return h, logs
}

func describe(t *testing.T, h *Host) error {
	t.Helper()
	_, err := h.Describe(ctxTimeout(t, 30*time.Second), "output.faulty")
	return err
}

func TestLockPinsInstalledPlugins(t *testing.T) {
	home, dir := lockedHome(t)
	h, _ := quietHost(t, Options{Dirs: []string{filepath.Join(home, "plugins")}})
	if err := describe(t, h); err != nil {
		t.Fatalf("intact plugin: %v", err)
	}
	if e, ok := h.Locked("output.faulty"); !ok || e.Version != "1.0.0" {
		t.Errorf("Locked: %v %v", e, ok)
	}

	h.Close() // a running binary cannot be written to

	// Changing the binary and rewriting the manifest to match passes the
	// manifest's checks, not the lock's.
	exe := filepath.Join(dir, "sa-output-faulty")
	appendFile(t, exe, "x")
	m, _ := ReadManifest(filepath.Join(dir, ManifestFile))
	m.SHA256, _ = FileSHA256(exe)
	WriteManifest(dir, m)
	h, _ = quietHost(t, Options{Dirs: []string{filepath.Join(home, "plugins")}})
	p, _ := h.Plugin("output.faulty")
	if err := Verify(p); err != nil {
		t.Fatalf("the manifest still matches: %v", err)
	}
	for name, err := range map[string]error{"launch": describe(t, h), "Verify": h.Verify(p)} {
		if !errors.Is(err, ErrChecksum) || !errors.Is(err, lockfile.ErrHashMismatch) || !strings.Contains(err.Error(), "sa.lock") {
			t.Errorf("%s: %v, want the lock to refuse it", name, err)
		}
	}
}

func TestLockWithoutThisPlatform(t *testing.T) {
	home, _ := lockedHome(t)
	h, _ := quietHost(t, Options{Dirs: []string{filepath.Join(home, "plugins")}, Platform: "plan9_amd64"})
	err := describe(t, h)
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "no hash of output.faulty for plan9_amd64 (run sa plugin lock --platform plan9_amd64)") {
		t.Fatalf("error %v", err)
	}
}

func TestLockSelectsVersions(t *testing.T) {
	home, dir := lockedHome(t)
	root := filepath.Join(home, "plugins")
	// What an interrupted upgrade leaves: another version beside the
	// locked one, skipped quietly.
	stale := filepath.Join(root, "output", "faulty", "0.9.0")
	copyDir(t, dir, stale)
	m, _ := ReadManifest(filepath.Join(stale, ManifestFile))
	m.Version = "0.9.0"
	WriteManifest(stale, m)
	// What a killed install leaves in the staging area.
	copyDir(t, dir, filepath.Join(root, ".staging", "output-faulty-2.0.0-1"))
	h, _ := quietHost(t, Options{Dirs: []string{root}})
	p, ok := h.Plugin("output.faulty")
	if !ok || p.Manifest.Version != "1.0.0" || len(h.Problems()) > 0 {
		t.Fatalf("plugin %v, problems %v", p, h.Problems())
	}

	// The same address in another directory at another version is refused
	// by name.
	other := t.TempDir()
	copyDir(t, stale, filepath.Join(other, "faulty"))
	os.RemoveAll(filepath.Join(root, "output"))
	h, _ = quietHost(t, Options{Dirs: []string{root, other}})
	problems := errors.Join(h.Problems()...)
	if _, ok := h.Plugin("output.faulty"); ok || problems == nil ||
		!strings.Contains(problems.Error(), "plugin output.faulty is version 0.9.0, but "+filepath.Join(home, "sa.lock")+" pins 1.0.0") ||
		!strings.Contains(problems.Error(), "pins version 1.0.0, but it is not installed (run sa plugin install)") {
		t.Fatalf("problems %v", problems)
	}
}

func TestBrokenLockRefusesInstalledPlugins(t *testing.T) {
	home, dir := lockedHome(t)
	os.WriteFile(filepath.Join(home, lockfile.Name), []byte("{"), 0o644)
	other := t.TempDir()
	copyDir(t, dir, filepath.Join(other, "faulty2"))
	m, _ := ReadManifest(filepath.Join(other, "faulty2", ManifestFile))
	m.Name = "faulty2"
	WriteManifest(filepath.Join(other, "faulty2"), m)
	h, _ := quietHost(t, Options{Dirs: []string{filepath.Join(home, "plugins"), other}})
	if _, ok := h.Plugin("output.faulty"); ok {
		t.Error("a plugin was loaded past an unreadable lock")
	}
	if _, ok := h.Plugin("output.faulty2"); !ok {
		t.Error("a plugin outside the install root was not loaded")
	}
	if p := errors.Join(h.Problems()...); p == nil || !strings.Contains(p.Error(), "sa.lock") || !strings.Contains(p.Error(), "not loaded until it is fixed") {
		t.Errorf("problems %v", p)
	}
}

// TestNoHomeKeepsOldBehaviour: a plugin directory not named "plugins" has
// no home, so no lock applies.
func TestNoHomeKeepsOldBehaviour(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	writeLock(t, filepath.Dir(root), map[string]*lockfile.Entry{
		"output.faulty": {Version: "9.9.9", Source: "x", Hashes: map[string]string{"any": "sa1:" + strings.Repeat("0", 64)}},
	})
	h, _ := quietHost(t, Options{Dirs: []string{root}})
	if err := describe(t, h); err != nil || len(h.Problems()) > 0 {
		t.Fatalf("%v %v", err, h.Problems())
	}
}

func TestDevOverride(t *testing.T) {
	home, _ := lockedHome(t)
	// A local build, registered once, then rebuilt: its checksum and
	// version no longer match its plugin.json.
	build := t.TempDir()
	src := installFaulty(t, t.TempDir())
	copyDir(t, src, build)
	m, _ := ReadManifest(filepath.Join(build, ManifestFile))
	m.Version = "1.1.0-dev"
	WriteManifest(build, m)
	appendFile(t, filepath.Join(build, "sa-output-faulty"), "rebuilt")
	writeConfig(t, home, map[string]string{"output.faulty": filepath.Join(build, "sa-output-faulty")})

	h, logs := quietHost(t, Options{Dirs: []string{filepath.Join(home, "plugins")}})
	p, ok := h.Plugin("output.faulty")
	if !ok || p.Dir != build {
		t.Fatalf("plugin %v", p)
	}
	if err := describe(t, h); err != nil {
		t.Fatalf("override: %v", err)
	}
	if path, ok := h.Override("output.faulty"); !ok || path != filepath.Join(build, "sa-output-faulty") {
		t.Errorf("Override: %q %v", path, ok)
	}
	if n := strings.Count(logs.String(), "DEVELOPMENT OVERRIDE"); n < 2 {
		t.Errorf("want a warning at discovery and at start, got %d:\n%s", n, logs)
	}

	writeConfig(t, home, map[string]string{"output.faulty": filepath.Join(t.TempDir())})
	h, _ = quietHost(t, Options{Dirs: []string{filepath.Join(home, "plugins")}})
	if p := errors.Join(h.Problems()...); p == nil || !strings.Contains(p.Error(), "run `sa plugin register") {
		t.Errorf("problems %v", p)
	}
}

func writeConfig(t *testing.T, home string, overrides map[string]string) {
	t.Helper()
	data, _ := json.Marshal(map[string]any{"plugins": map[string]any{"dev_overrides": overrides}})
	if err := os.WriteFile(filepath.Join(home, "sa.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dst, 0o755)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(src, e.Name()))
		fi, _ := e.Info()
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}
