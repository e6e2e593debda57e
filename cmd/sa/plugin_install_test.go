package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/install/lockfile"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/internal/testbin"
)

// index is a publisher's dist directory served over HTTPS.
type index struct {
	*httptest.Server
	dist, caFile string
	// stall, when set, is an archive whose download hangs part way.
	stall chan string
}

func serveDist(t *testing.T, dist string) *index {
	t.Helper()
	ix := &index{dist: dist, stall: make(chan string, 1)}
	files := http.FileServer(http.Dir(dist))
	var stalled string
	ix.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case stalled = <-ix.stall:
		default:
		}
		if stalled != "" && r.URL.Path == "/"+stalled {
			w.Header().Set("Content-Length", "50000000")
			w.Write(make([]byte, 64<<10))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(ix.Close)
	ix.caFile = filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ix.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ix.Certificate().Raw}), 0o644)
	return ix
}

// writeHome writes an sa.yaml with a plugins section for the index.
func writeHome(t *testing.T, home string, ix *index, pubKey string, extra string) {
	t.Helper()
	cfg := fmt.Sprintf(`plugins:
  indexes:
    - name: acme
      url: %s/index.json
      ca_file: %s
  trusted_keys:
    - name: acme
      key: %s
  required:
    - name: output.file
      constraint: ^0.1
  cache_dir: %s
%s`, ix.URL, ix.caFile, pubKey, filepath.Join(home, "cache"), extra)
	if err := os.WriteFile(filepath.Join(home, "sa.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// publish makes a key, packages the file output with it into dist and
// returns the public key as sa.yaml takes it.
func publish(t *testing.T, dist string) (pubKey, keyFile string) {
	t.Helper()
	keyFile = filepath.Join(t.TempDir(), "acme.key")
	out, _, err := run(t, "plugin", "keygen", keyFile)
	if err != nil || !strings.Contains(out, "trusted_keys:") {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	pub, _ := os.ReadFile(keyFile + ".pub")
	bin := filepath.Join(t.TempDir(), "sa-output-file")
	copyExe(t, testbin.Build(t, "plugins/output/file"), bin)
	out, _, err = run(t, "plugin", "package", "--key", keyFile, "--out", dist, "--license", "Apache-2.0", "--publisher", "Acme", bin)
	if err != nil || !strings.Contains(out, "packaged output.file 0.1.0") || !strings.Contains(out, "signed by key") {
		t.Fatalf("package: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(pub)), keyFile
}

func copyExe(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestPluginInstallCheckedBy is the check: package a plugin, serve
// an index, install it, sa plugin test it, tamper with the binary and see
// sa refuse to start it.
func TestPluginInstallCheckedBy(t *testing.T) {
	dist := t.TempDir()
	pubKey, _ := publish(t, dist)
	ix := serveDist(t, dist)
	home := t.TempDir()
	writeHome(t, home, ix, pubKey, "")

	out, _, err := run(t, "--home", home, "plugin", "install")
	if err != nil || !strings.Contains(out, "installed output.file 0.1.0") || !strings.Contains(out, "signed by trusted publisher acme") {
		t.Fatalf("install: %v\n%s", err, out)
	}
	lock, err := lockfile.Read(filepath.Join(home, "sa.lock"))
	if err != nil || lock.Plugins["output.file"] == nil || lock.Plugins["output.file"].Constraint != "^0.1" {
		t.Fatalf("sa.lock: %v %+v", err, lock)
	}
	out, _, err = run(t, "--home", home, "plugin", "install", "--lockfile=readonly")
	if err != nil || !strings.Contains(out, "up to date output.file 0.1.0") {
		t.Fatalf("install again, read-only lock: %v\n%s", err, out)
	}
	out, _, err = run(t, "--home", home, "plugin", "list")
	if err != nil || !containsFields(out, "file output 0.1.0 1 index acme trusted:acme verified") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, _, err = run(t, "--home", home, "plugin", "describe", "output.file")
	if err != nil || !strings.Contains(out, "output.file 0.1.0") || !strings.Contains(out, "fsync") {
		t.Fatalf("describe from the cached schema: %v\n%s", err, out)
	}
	out, _, err = run(t, "--home", home, "plugin", "test", "output.file")
	if err != nil || !strings.Contains(out, "0 failed") {
		t.Fatalf("test: %v\n%s", err, out)
	}

	// Tamper with the installed binary.
	exe := filepath.Join(home, "plugins", "output", "file", "0.1.0", "sa-output-file")
	f, err := os.OpenFile(exe, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("tampered")
	f.Close()

	_, _, err = run(t, "--home", home, "plugin", "test", "output.file")
	if err == nil || !strings.Contains(err.Error(), "plugin output.file refused") || !strings.Contains(err.Error(), "sa.lock") {
		t.Errorf("test of the tampered plugin: %v", err)
	}
	out, _, err = run(t, "--home", home, "plugin", "list")
	var ee exitError
	if !errors.As(err, &ee) || !containsFields(out, "trusted:acme tampered") {
		t.Errorf("list: %v\n%s", err, out)
	}
	h := pluginhost.New(pluginhost.Options{Dirs: []string{filepath.Join(home, "plugins")}, Logger: slog.New(slog.DiscardHandler), MaxFailures: 1})
	defer h.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := h.Describe(ctx, "output.file"); !errors.Is(err, pluginhost.ErrChecksum) {
		t.Errorf("the host started the tampered plugin: %v", err)
	}

	// Reinstalling repairs it, from the download cache.
	if out, _, err := run(t, "--home", home, "plugin", "install", "output.file"); err != nil || !strings.Contains(out, "reinstalled output.file 0.1.0") {
		t.Fatalf("repair: %v\n%s", err, out)
	}
	if out, _, err := run(t, "--home", home, "plugin", "test", "output.file"); err != nil || !strings.Contains(out, "0 failed") {
		t.Fatalf("test after repair: %v\n%s", err, out)
	}
}

func containsFields(out, want string) bool {
	return strings.Contains(strings.Join(strings.Fields(out), " "), want)
}

func TestPluginRemoveAndOverride(t *testing.T) {
	dist := t.TempDir()
	pubKey, _ := publish(t, dist)
	ix := serveDist(t, dist)
	home := t.TempDir()
	writeHome(t, home, ix, pubKey, "")
	if _, _, err := run(t, "--home", home, "plugin", "install"); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, "--home", home, "plugin", "remove", "file")
	if err == nil || !strings.Contains(err.Error(), "still used by sa.yaml (plugins.required[0])") {
		t.Fatalf("remove of a required plugin: %v", err)
	}
	if _, _, err := run(t, "--home", home, "plugin", "remove", "--lockfile=readonly", "--force", "file"); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("remove with a read-only lock: %v", err)
	}
	if out, _, err := run(t, "--home", home, "plugin", "remove", "--force", "file"); err != nil || !strings.Contains(out, "removed output.file") {
		t.Fatalf("remove --force: %v\n%s", err, out)
	}

	// A development override: a registered local build, rebuilt since.
	build := t.TempDir()
	bin := filepath.Join(build, "sa-output-file")
	copyExe(t, testbin.Build(t, "plugins/output/file"), bin)
	if _, _, err := run(t, "--home", t.TempDir(), "plugin", "register", bin); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("rebuilt")
	f.Close()
	writeHome(t, home, ix, pubKey, "  dev_overrides:\n    output.file: "+bin+"\n")
	out, stderr, err := run(t, "--home", home, "plugin", "list", "--start")
	if err != nil || !containsFields(out, "dev override UNVERIFIED running") || !strings.Contains(stderr, "WARNING: development override: output.file runs "+bin) {
		t.Fatalf("list with an override: %v\n%s\n%s", err, out, stderr)
	}
}

// TestKilledInstallKeepsThePreviousOne kills sa plugin install while it
// downloads an upgrade: the installed version keeps working and the plugin
// directory holds nothing partial.
func TestKilledInstallKeepsThePreviousOne(t *testing.T) {
	sa := testbin.Build(t, "cmd/sa")
	dist := t.TempDir()
	pubKey, keyFile := publish(t, dist)
	ix := serveDist(t, dist)
	home := t.TempDir()
	writeHome(t, home, ix, pubKey, "")
	if _, _, err := run(t, "--home", home, "plugin", "install"); err != nil {
		t.Fatal(err)
	}
	// Release 0.2.0: the same binary, its manifest saying 0.2.0.
	m, err := pluginhost.ReadManifest(filepath.Join(home, "plugins", "output", "file", "0.1.0", "plugin.json"))
	if err != nil {
		t.Fatal(err)
	}
	m.Version = "0.2.0"
	data, _ := json.Marshal(m)
	mf := filepath.Join(t.TempDir(), "plugin.json")
	os.WriteFile(mf, data, 0o644)
	bin := filepath.Join(t.TempDir(), "sa-output-file")
	copyExe(t, testbin.Build(t, "plugins/output/file"), bin)
	if _, _, err := run(t, "plugin", "package", "--key", keyFile, "--out", dist, "--manifest-from", mf, bin); err != nil {
		t.Fatal(err)
	}
	ix.stall <- "output-file-0.2.0-" + lockfile.Platform() + ".tar.gz"
	lockBefore, _ := os.ReadFile(filepath.Join(home, "sa.lock"))

	cmd := exec.Command(sa, "--home", home, "plugin", "upgrade", "--lockfile=update", "output.file")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var output syncBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	os.WriteFile(filepath.Join(home, "sa.yaml"), []byte(strings.Replace(string(must(os.ReadFile(filepath.Join(home, "sa.yaml")))), "^0.1", `">=0.1"`, 1)), 0o600)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !downloading(home) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !downloading(home) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the download never started:\n%s", output.String())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	if after, _ := os.ReadFile(filepath.Join(home, "sa.lock")); string(after) != string(lockBefore) {
		t.Errorf("sa.lock changed:\n%s", after)
	}
	entries, _ := os.ReadDir(filepath.Join(home, "plugins", "output", "file"))
	if len(entries) != 1 || entries[0].Name() != "0.1.0" {
		t.Errorf("plugin directory holds %v", entries)
	}
	if staged, _ := os.ReadDir(filepath.Join(home, "plugins", ".staging")); len(staged) > 0 {
		t.Errorf("staged files in the plugin directory: %v", staged)
	}
	if out, _, err := run(t, "--home", home, "plugin", "test", "output.file"); err != nil || !strings.Contains(out, "0 failed") {
		t.Fatalf("the previous install no longer works: %v\n%s", err, out)
	}
}

// downloading reports whether a download is being written to the cache.
func downloading(home string) bool {
	m, _ := filepath.Glob(filepath.Join(home, "cache", ".download-*"))
	for _, f := range m {
		if fi, err := os.Stat(f); err == nil && fi.Size() > 0 {
			return true
		}
	}
	return false
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPluginInitPython(t *testing.T) {
	if _, err := exec.LookPath("protoc"); err != nil {
		t.Skip("protoc missing")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import grpc, cryptography").Run(); err != nil {
		t.Skip("python3-grpcio missing")
	}
	dir := filepath.Join(t.TempDir(), "acme")
	out, _, err := run(t, "plugin", "init", "--kind", "app", "--lang", "python", "--dir", dir, "acme")
	if err != nil || !strings.Contains(out, "plugin.py") || !strings.Contains(out, "sh gen.sh && sa plugin test .") {
		t.Fatalf("init: %v\n%s", err, out)
	}
	gen := exec.Command("sh", "gen.sh")
	gen.Dir = dir
	if o, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen.sh: %v\n%s", err, o)
	}
	out, _, err = run(t, "plugin", "test", dir)
	if err != nil || !strings.Contains(out, "app.acme 0.1.0") || !strings.Contains(out, "0 failed") {
		t.Fatalf("test: %v\n%s", err, out)
	}
	// The scaffold packages and installs as it is.
	dist := t.TempDir()
	if _, _, err := run(t, "plugin", "package", "--out", dist, dir); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	archive := filepath.Join(dist, "app-acme-0.1.0-any.tar.gz")
	if _, _, err := run(t, "--home", home, "plugin", "install", archive); err == nil || !strings.Contains(err.Error(), "--allow-unsigned") {
		t.Fatalf("unsigned install: %v", err)
	}
	out, _, err = run(t, "--home", home, "plugin", "install", "--allow-unsigned", archive)
	if err != nil || !strings.Contains(out, "installed app.acme 0.1.0 (any)") {
		t.Fatalf("install: %v\n%s", err, out)
	}
	out, _, err = run(t, "--home", home, "plugin", "list")
	if err != nil || !containsFields(out, "acme app 0.1.0 1 "+archive+" unsigned verified") {
		t.Fatalf("list: %v\n%s", err, out)
	}
}

func TestPluginInitGoWritesReplace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	if _, _, err := run(t, "plugin", "init", "--kind", "output", "--dir", dir, "acme"); err != nil {
		t.Fatal(err)
	}
	mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(mod), "replace github.com/streamalert-go/sa/sdk => "+filepath.Join(testbin.Root(t), "sdk")) {
		t.Errorf("go.mod:\n%s", mod)
	}
	if _, _, err := run(t, "plugin", "init", "--kind", "output", "--dir", dir, "acme"); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("init over a project: %v", err)
	}
}

// syncBuffer collects a child process's output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPluginsConfig: sa.yaml's plugins section loads strictly with the
// rest of the file, is checked with every problem named, and the host's
// own reading of dev_overrides agrees with it.
func TestPluginsConfig(t *testing.T) {
	home := t.TempDir()
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(home, "sa.yaml"), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`plugins:
  indexes: [{name: acme, url: "https://plugins.example.com/index.json"}]
  required: [{name: output.file, index: acme, constraint: "^1.2"}]
  dev_overrides:
    output.file: build/sa-output-file
`)
	g := &globals{home: home}
	_, pc, err := g.homeConfig()
	if err != nil {
		t.Fatal(err)
	}
	host, err := lockfile.ReadDevOverrides(home)
	if err != nil || len(host) != 1 || host["output.file"] != pc.DevOverrides["output.file"] || pc.DevOverrides["output.file"] != filepath.Join(home, "build/sa-output-file") {
		t.Fatalf("config %v, host %v %v", pc.DevOverrides, host, err)
	}
	write("plugins:\n  index: []\n")
	if _, _, err := g.homeConfig(); err == nil || !strings.Contains(err.Error(), "field index not found") {
		t.Errorf("unknown key: %v", err)
	}
	write("plugins:\n  required: [{name: output.file, constraint: \"~>banana\"}]\n  indexes: [{name: a, url: \"http://x\"}]\n")
	_, _, err = g.homeConfig()
	for _, want := range []string{"sa.yaml: ", "plugins.required[0].constraint", "plugins.indexes[0].url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}
