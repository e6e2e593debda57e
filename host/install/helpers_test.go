package install

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/install/lockfile"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/internal/testbin"
)

// publisher is a plugin author with a signing key and a directory that
// sa plugin package writes releases into.
type publisher struct {
	key ed25519.PrivateKey
	dir string
}

func newPublisher(t *testing.T) *publisher {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &publisher{key: key, dir: t.TempDir()}
}

func (p *publisher) trusted(name string) TrustedKey {
	return TrustedKey{Name: name, Key: FormatPublicKey(p.key.Public().(ed25519.PublicKey))}
}

// release packages the plugin at path into the publisher's directory.
func (p *publisher) release(t *testing.T, path string, o PackageOptions) *Packaged {
	t.Helper()
	o.Path, o.Out, o.Key, o.Publisher = path, p.dir, p.key, "Acme"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := Package(ctx, o)
	if err != nil {
		t.Fatalf("package %s: %v", path, err)
	}
	return out
}

// editIndex rewrites the publisher's index.json through edit.
func (p *publisher) editIndex(t *testing.T, edit func(ix *Index)) {
	t.Helper()
	ix, err := readIndexFile(filepath.Join(p.dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	edit(ix)
	data, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, IndexFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// server serves a directory over HTTPS and counts requests.
type server struct {
	*httptest.Server
	caFile string
	mu     sync.Mutex
	hits   map[string]int
	// block, when set, stalls a request for that path until released.
	block map[string]chan struct{}
}

func serve(t *testing.T, dir string) *server {
	t.Helper()
	s := &server{hits: map[string]int{}, block: map[string]chan struct{}{}}
	files := http.FileServer(http.Dir(dir))
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		ch := s.block[r.URL.Path]
		s.mu.Unlock()
		if ch != nil {
			w.Header().Set("Content-Length", "100000000")
			w.WriteHeader(http.StatusOK)
			w.Write(bytes.Repeat([]byte{0x1f}, 4096))
			w.(http.Flusher).Flush()
			select {
			case <-ch:
			case <-r.Context().Done():
			}
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	s.caFile = filepath.Join(t.TempDir(), "ca.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(s.caFile, pemData, 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *server) index(name string) IndexConfig {
	return IndexConfig{Name: name, URL: s.URL + "/index.json", CAFile: s.caFile}
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// newInstaller returns an installer for home with a private cache.
func newInstaller(t *testing.T, home string, cfg Config, policy Policy) (*Installer, *bytes.Buffer) {
	t.Helper()
	if cfg.CacheDir == "" {
		cfg.CacheDir = filepath.Join(home, "cache")
	}
	out := &bytes.Buffer{}
	in, err := New(Options{Home: home, Config: cfg, Policy: policy, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	return in, out
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// fileOutput is the file output plugin's binary.
func fileOutput(t *testing.T) string { return testbin.Build(t, "plugins/output/file") }

// pythonPlugin copies the Python example into a temporary directory with
// its stubs generated, as a release build would, or skips when the Python
// toolchain is missing (fails with SA_REQUIRE_PYTHON=1).
func pythonPlugin(t *testing.T) string {
	t.Helper()
	var missing []string
	if out, err := exec.Command("/usr/bin/python3", "-c", "import grpc, cryptography, google.protobuf").CombinedOutput(); err != nil {
		missing = append(missing, "python3 with grpc and cryptography: "+strings.TrimSpace(string(out)))
	}
	for _, tool := range []string{"protoc", "grpc_python_plugin"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		msg := "Python plugin toolchain missing: " + strings.Join(missing, ", ")
		if os.Getenv("SA_REQUIRE_PYTHON") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	root := testbin.Root(t)
	src := filepath.Join(root, "plugins", "examples", "python-output")
	dir := filepath.Join(t.TempDir(), "python-output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	common := filepath.Join(root, "host", "install", "scaffold", "templates", "python", "common")
	for _, f := range []string{filepath.Join(src, "plugin.py"), filepath.Join(src, "gen.sh"), filepath.Join(src, "plugin.json.in"),
		filepath.Join(src, "README.md"), filepath.Join(common, "goplugin.py"), filepath.Join(common, "health.proto"),
		filepath.Join(common, "grpc_controller.proto"), filepath.Join(common, "grpc_stdio.proto")} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gen := exec.Command("sh", "gen.sh", filepath.Join(root, "proto"))
	gen.Dir = dir
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen.sh: %v\n%s", err, out)
	}
	return dir
}

// send delivers one alert through an installed file-writing output plugin
// as the dispatcher would, and returns what the plugin wrote.
func send(t *testing.T, home, addr string, config map[string]any) (string, error) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "alerts.jsonl")
	cfg := map[string]any{"path": out}
	for k, v := range config {
		cfg[k] = v
	}
	h := pluginhost.New(pluginhost.Options{Dirs: []string{filepath.Join(home, "plugins")}, Logger: slog.New(slog.DiscardHandler), MaxFailures: 1})
	defer h.Close()
	h.Configure(addr, "e2e", func(context.Context) (map[string]any, error) { return cfg, nil })
	_, name, _ := strings.Cut(addr, ".")
	res, err := h.Send(ctx(t), name, "e2e", []byte(`{"id":"a1","rule":"test"}`), nil)
	if err != nil {
		return "", err
	}
	if res.Status.String() != "delivered" {
		t.Fatalf("send: %v %s", res.Status, res.Message)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(data), nil
}

func readLock(t *testing.T, home string) *lockfile.File {
	t.Helper()
	l, err := lockfile.Read(filepath.Join(home, lockfile.Name))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// partials lists anything under the plugin directory that is not a
// complete install: staged or temporary files.
func partials(t *testing.T, home string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(home, "plugins")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && d.Name() == ".staging" {
			entries, _ := os.ReadDir(p)
			for _, e := range entries {
				out = append(out, filepath.Join(rel, e.Name()))
			}
			return filepath.SkipDir
		}
		if strings.Contains(d.Name(), ".tmp-") || strings.HasSuffix(d.Name(), ".swap") {
			out = append(out, rel)
		}
		return nil
	})
	return out
}
