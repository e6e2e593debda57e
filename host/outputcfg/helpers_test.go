package outputcfg

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Credentials used across the tests: long and distinctive, so a leak in
// any encoding is found.
const (
	hookURL   = "https://hooks.example.com/services/T0KEN-7c1f9a2b4e6d8f0a"
	hookToken = "tok-5b7d9f1a3c5e7a9b1d3f5a7c"
)

// hookSchema exercises every kind of property: a masked credential, a
// credential that is not masked, forbidden characters, a pattern, a
// default, a list and a boolean.
var hookSchema = []schema.Property{
	{Name: "descriptor", Required: true, Descriptor: true, Pattern: `[A-Za-z0-9_.-]{1,64}`},
	{Name: "url", Required: true, Secret: true, Credential: true, Pattern: `https://\S+`},
	{Name: "token", Credential: true},
	{Name: "channel", ForbiddenChars: " :#"},
	{Name: "timeout_seconds", Type: schema.Integer, Default: "10"},
	{Name: "tags", Type: schema.StringList},
	{Name: "verbose", Type: schema.Boolean},
}

// s3Schema is an AWS output whose outputs.json entry carries a resource.
var s3Schema = []schema.Property{
	{Name: "descriptor", Required: true, Descriptor: true},
	{Name: "aws_value", Required: true},
	{Name: "region", Default: "us-east-1"},
}

// fakePlugins is a plugin host with the hook and aws-s3 outputs
// installed; validate stands in for the plugin's own ValidateConfig.
type fakePlugins struct {
	installed map[string]*pluginhost.Installed
	validate  func(addr string, cfg map[string]any) ([]schema.Problem, error)
	// seen records the configurations the plugin was asked to check.
	seen []map[string]any
}

func newFakePlugins() *fakePlugins {
	f := &fakePlugins{installed: map[string]*pluginhost.Installed{}}
	for name, props := range map[string][]schema.Property{"hook": hookSchema, "aws-s3": s3Schema} {
		f.installed["output."+name] = &pluginhost.Installed{Manifest: &pluginhost.Manifest{Name: name, Kind: "output", Version: "1.0.0", Schema: props}}
	}
	return f
}

func (f *fakePlugins) Plugin(addr string) (*pluginhost.Installed, bool) {
	p, ok := f.installed[addr]
	return p, ok
}

func (f *fakePlugins) Validate(_ context.Context, addr string, cfg map[string]any) ([]schema.Problem, error) {
	f.seen = append(f.seen, cfg)
	if f.validate == nil {
		return nil, nil
	}
	return f.validate(addr, cfg)
}

// testHome is a home written by `sa init`, with a Manager on it.
type testHome struct {
	dir     string
	mgr     *Manager
	store   secrets.Store
	plugins *fakePlugins
	config  string
	outputs string
}

func newTestHome(t *testing.T) *testHome {
	t.Helper()
	dir := t.TempDir()
	res, err := embedded.Init(context.Background(), dir, embedded.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.LoadKey(res.Config.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	store, err := secrets.New(res.Config.Secrets, key)
	if err != nil {
		t.Fatal(err)
	}
	h := &testHome{
		dir: dir, store: store, plugins: newFakePlugins(),
		config: filepath.Join(dir, embedded.ConfigFile), outputs: filepath.Join(res.Config.Conf, "outputs.json"),
	}
	h.mgr = New(Options{ConfigFile: h.config, OutputsFile: h.outputs, Secrets: store, Plugins: h.plugins})
	return h
}

func (h *testHome) read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshot returns every file under the home with its content.
func (h *testHome) snapshot(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(h.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// assertNoPlaintext fails if any file under the home holds one of the
// secrets in any encoding, naming the file.
func (h *testHome) assertNoPlaintext(t *testing.T, secrets ...string) {
	t.Helper()
	for path, content := range h.snapshot(t) {
		failed := t.Failed()
		secrettest.AssertNoLeak(t, secrets, content)
		if !failed && t.Failed() {
			t.Errorf("the leak above is in %s", path)
		}
	}
}

// secret returns the stored credentials of id, revealed.
func (h *testHome) secret(t *testing.T, id ID) map[string]string {
	t.Helper()
	v, err := h.store.Get(context.Background(), id.SecretName())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, s := range v {
		out[k] = s.Reveal()
	}
	return out
}

// entry returns the lines of sa.yaml from the line of key on, up to the
// next line indented like it or less.
func entry(config, key string) string {
	lines := strings.SplitAfter(config, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == key+":" || strings.HasPrefix(strings.TrimSpace(l), key+": ") {
			start, end := entryRange(lines, i+1, len(l)-len(strings.TrimLeft(l, " ")))
			return strings.Join(lines[start:end], "")
		}
	}
	return ""
}
