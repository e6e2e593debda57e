package pluginhost

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/testbin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// testToken is the credential the fault plugin is configured with; tests
// assert it never appears in errors or logs.
const testToken = "tok3nvalue9x"

// installFaulty copies the fault plugin into a fresh plugin directory under
// root with a manifest, as an install would, and returns its directory.
func installFaulty(t *testing.T, root string) string {
	t.Helper()
	bin := testbin.Build(t, "host/pluginhost/testdata/faulty")
	dir := filepath.Join(root, "output", "faulty", "1.0.0")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "sa-output-faulty")
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	sum, err := FileSHA256(exe)
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{
		Name: "faulty", Kind: "output", Version: "1.0.0", Protocols: []int{1},
		Executable: "sa-output-faulty", SHA256: sum,
		Schema: []schema.Property{{Name: "token", Required: true, Secret: true, Credential: true}},
	}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

// logBuffer collects the host's log lines safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestHost starts a host over root with fast timeouts, the given fault
// injected into plugins, and the fault plugin's instance "main" configured.
func newTestHost(t *testing.T, root, fault string, env ...string) (*Host, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	opts := Options{
		Dirs:           []string{root},
		Env:            append(append(DefaultEnv(), "SA_FAULT="+fault), env...),
		StartTimeout:   10 * time.Second,
		CallTimeout:    3 * time.Second,
		HealthInterval: 200 * time.Millisecond,
		HealthTimeout:  2 * time.Second,
		BackoffBase:    20 * time.Millisecond,
		BackoffMax:     100 * time.Millisecond,
		MaxFailures:    3,
		Logger:         slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	h := New(opts)
	t.Cleanup(h.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("host log:\n" + logs.String())
		}
	})
	h.Configure("output.faulty", "main", func(context.Context) (map[string]any, error) {
		return map[string]any{"token": testToken}, nil
	})
	return h, logs
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
