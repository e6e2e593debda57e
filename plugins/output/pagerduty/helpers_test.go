package main

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/output/internal/vendorhttp"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Values used across the tests.
const (
	testKey        = "S3rviceKey7f3c9a1e2b4d6f80a1c3e5d"
	testDescriptor = "soc"
	testAlert      = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
		`"log_source":"osquery:differential","record":{"user":"root","host":"db1"}}`
)

// secrets are the values no message, log or error may show.
var secrets = []string{testKey}

// fixedNow is the clock of in-process tests.
var fixedNow = time.Unix(1700000000, 0)

// captured is one request as the test server saw it.
type captured struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// server is a fake PagerDuty that records requests and answers with reply.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	got   []captured
	reply func(w http.ResponseWriter, r *http.Request)
}

// newServer starts an HTTPS fake.
func newServer(t *testing.T, reply func(http.ResponseWriter, *http.Request)) *server {
	t.Helper()
	s := &server{reply: reply}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got = append(s.got, captured{r.Method, r.URL.RequestURI(), r.Header.Clone(), body})
		s.mu.Unlock()
		s.reply(w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []captured {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]captured(nil), s.got...)
}

// caFile writes the server's certificate as a PEM bundle.
func (s *server) caFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// accepted answers as PagerDuty does for an accepted event.
func accepted(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"status":"success","message":"Event processed","incident_key":"soc:alert-42"}`)
}

// newTest returns a plugin with a fixed clock whose log is checked for
// secrets when the test ends.
func newTest(t *testing.T) *PagerDuty {
	p := New()
	p.log = secrettest.Logger(t, secrets)
	p.now = func() time.Time { return fixedNow }
	return p
}

// baseConfig is a valid configuration for s.
func baseConfig(t *testing.T, s *server) map[string]any {
	return map[string]any{
		propDescriptor:        testDescriptor,
		propServiceKey:        testKey,
		propURL:               s.URL + "/generic/2010-04-15/create_event.json",
		vendorhttp.PropCAFile: s.caFile(t),
	}
}

// configure runs raw through the schema, ValidateConfig and Configure, as
// the SDK does for the host.
func configure(t *testing.T, p *PagerDuty, instance string, raw map[string]any) schema.Config {
	t.Helper()
	cfg, problems := p.Schema().Apply(raw)
	if len(problems) == 0 {
		problems = p.ValidateConfig(cfg)
	}
	if len(problems) > 0 {
		t.Fatalf("configuration refused: %v", problems)
	}
	if err := p.Configure(context.Background(), instance, cfg); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	return cfg
}
