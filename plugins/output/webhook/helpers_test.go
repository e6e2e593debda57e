package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/sdk/schema"
)

// Values used across the tests. tokenPath is the secret part of the URL.
const (
	tokenPath      = "/hooks/T0KEN-8f3a9c2e71b4"
	testSecret     = "example-signing-secret-0123456789"
	testDescriptor = "soc"
)

// fixedNow is the clock of in-process tests.
var fixedNow = time.Unix(1700000000, 0)

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// captured is one request as the test server saw it.
type captured struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// receiver is a test webhook endpoint that records requests and answers
// with reply.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	got   []captured
	reply func(w http.ResponseWriter, r *http.Request)
}

// newReceiver starts an HTTPS receiver (or plain HTTP when tls is false).
func newReceiver(t *testing.T, tls bool, reply func(http.ResponseWriter, *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{reply: reply}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, captured{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		rc.mu.Unlock()
		rc.reply(w, r)
	})
	rc.Server = httptest.NewUnstartedServer(h)
	// Handshakes the tests make fail on purpose are not worth a log line.
	rc.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		rc.StartTLS()
	} else {
		rc.Start()
	}
	t.Cleanup(rc.Close)
	return rc
}

// requests returns what the receiver saw so far.
func (rc *receiver) requests() []captured {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]captured(nil), rc.got...)
}

// caFile writes the receiver's certificate as a PEM bundle.
func (rc *receiver) caFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rc.Certificate().Raw})
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hookURL is the receiver's URL with the secret token path.
func (rc *receiver) hookURL() string { return rc.URL + tokenPath }

// newTestWebhook returns a webhook with a fixed clock, logging into logs.
func newTestWebhook(logs io.Writer) *Webhook {
	w := New()
	w.log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.now = func() time.Time { return fixedNow }
	return w
}

// configure runs raw through the schema, ValidateConfig and Configure, as
// the SDK does for the host, and returns the resulting config.
func configure(t *testing.T, w *Webhook, instance string, raw map[string]any) schema.Config {
	t.Helper()
	cfg, problems := w.Schema().Apply(raw)
	if len(problems) == 0 {
		problems = w.ValidateConfig(cfg)
	}
	if len(problems) > 0 {
		t.Fatalf("configuration refused: %v", problems)
	}
	if err := w.Configure(context.Background(), instance, cfg); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	return cfg
}

// baseConfig is a valid configuration for rc, before per-test changes.
func baseConfig(t *testing.T, rc *receiver) map[string]any {
	return map[string]any{
		propDescriptor:    testDescriptor,
		propURL:           rc.hookURL() + "?key=q-secret-77b1",
		propSigningSecret: testSecret,
		propCAFile:        rc.caFile(t),
	}
}

// assertNoLeak fails when text holds any of the secrets.
func assertNoLeak(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s leaks secret %q: %s", where, s, text)
		}
	}
}
