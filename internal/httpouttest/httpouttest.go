// Package httpouttest is the test kit of the HTTPS output plugins: a TLS
// vendor stand-in that records requests, its CA bundle, stand-ins that
// hang or are not there, a log buffer, and the steps that configure and
// drive a plugin in process or as the real binary, conformance harness
// included; and, for outputs posting to one configured endpoint, the
// checks they share (Endpoint).
package httpouttest

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/streamalert-go/sa/internal/testbin"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Buffer is a bytes.Buffer safe for a logger and a test to share.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Request is one request as the vendor stand-in saw it.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// URI is the request's escaped path and query, as on the request line.
func (r Request) URI() string {
	if r.Query == "" {
		return r.Path
	}
	return r.Path + "?" + r.Query
}

// Line is "METHOD path?query".
func (r Request) Line() string { return r.Method + " " + r.URI() }

// Vendor is a TLS server standing in for a vendor API. It records every
// request and answers with Reply.
type Vendor struct {
	*httptest.Server
	mu    sync.Mutex
	got   []Request
	reply http.HandlerFunc
}

// NewVendor starts a TLS vendor stand-in answering with reply.
func NewVendor(t *testing.T, reply http.HandlerFunc) *Vendor {
	t.Helper()
	return newVendor(t, reply, true)
}

// NewPlain starts a plain-HTTP stand-in on the loopback address, for
// endpoints a plugin may reach without TLS.
func NewPlain(t *testing.T, reply http.HandlerFunc) *Vendor {
	t.Helper()
	return newVendor(t, reply, false)
}

func newVendor(t *testing.T, reply http.HandlerFunc, tls bool) *Vendor {
	v := &Vendor{reply: reply}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v.mu.Lock()
		v.got = append(v.got, Request{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
		reply := v.reply
		v.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body)) // for reply to read again
		reply(w, r)
	})
	v.Server = httptest.NewUnstartedServer(h)
	v.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		v.StartTLS()
	} else {
		v.Start()
	}
	t.Cleanup(v.Close)
	return v
}

// Requests returns what the stand-in saw so far.
func (v *Vendor) Requests() []Request {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Request(nil), v.got...)
}

// Only returns the single request the stand-in saw, failing otherwise.
func (v *Vendor) Only(t *testing.T) Request {
	t.Helper()
	got := v.Requests()
	if len(got) != 1 {
		t.Fatalf("vendor saw %d requests, want 1", len(got))
	}
	return got[0]
}

// CAFile writes the stand-in's certificate as a PEM bundle.
func (v *Vendor) CAFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: v.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// SetReply replaces the stand-in's handler for the requests to come.
func (v *Vendor) SetReply(reply http.HandlerFunc) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.reply = reply
}

// NewHang starts a TLS stand-in that never answers: it waits for the
// client to give up (or ten seconds), then drops the connection rather
// than let net/http write an implicit 200.
func NewHang(t *testing.T) *Vendor {
	return NewVendor(t, func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		panic(http.ErrAbortHandler)
	})
}

// ClosedAddr returns a loopback host:port nothing listens on.
func ClosedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Reply returns a handler answering code with body and headers given as
// name, value pairs.
func Reply(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// Plugin is the part of an output plugin the helpers drive.
type Plugin interface {
	saplugin.Output
	saplugin.Validator
	saplugin.Configurer
}

// Configure runs raw through the schema, ValidateConfig and Configure, as
// the SDK does for the host, and returns the resulting config.
func Configure(t *testing.T, p Plugin, instance string, raw map[string]any) schema.Config {
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

// Problems returns what the schema and ValidateConfig say about raw.
func Problems(p Plugin, raw map[string]any) []schema.Problem {
	cfg, problems := p.Schema().Apply(raw)
	if len(problems) == 0 {
		problems = p.ValidateConfig(cfg)
	}
	return problems
}

// Binary is a running plugin binary and its standard error.
type Binary struct {
	*saplugin.Client
	Stderr *Buffer
	ctx    context.Context
}

// StartBinary builds the plugin at pkg ("plugins/output/slack") and starts
// it as the host would. It is killed when the test ends.
func StartBinary(t *testing.T, pkg string) *Binary {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	stderr := &Buffer{}
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{Cmd: exec.Command(testbin.Build(t, pkg)), Stderr: stderr})
	if err != nil {
		t.Fatalf("start plugin: %v", err)
	}
	t.Cleanup(c.Kill)
	return &Binary{Client: c, Stderr: stderr, ctx: ctx}
}

// Describe returns the plugin's name and version.
func (b *Binary) Describe(t *testing.T) (string, string) {
	t.Helper()
	d, err := b.Conn.Describe(b.ctx, b.Version)
	if err != nil {
		t.Fatal(err)
	}
	return d.GetInfo().GetName(), d.GetInfo().GetVersion()
}

// Configure configures an instance over gRPC and returns its problems.
func (b *Binary) Configure(t *testing.T, instance string, raw map[string]any) []*pluginv1.Problem {
	t.Helper()
	cfg, err := structpb.NewStruct(raw)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.Conn.Base.Configure(b.ctx, &pluginv1.ConfigureRequest{Instance: instance, Config: cfg})
	if err != nil {
		t.Fatalf("configure %s: %v", instance, err)
	}
	return resp.GetProblems()
}

// Send sends an alert and publication to an instance over gRPC.
func (b *Binary) Send(t *testing.T, instance, alert, publication string) *pluginv1.SendResponse {
	t.Helper()
	res, err := b.Conn.Output.Send(b.ctx, &pluginv1.SendRequest{
		Instance: instance, AlertJson: []byte(alert), PublicationJson: []byte(publication)})
	if err != nil {
		t.Fatalf("send %s: %v", instance, err)
	}
	return res
}

// Conformance builds the plugin at pkg and runs the conformance harness
// against the binary, as `sa plugin test` does: handshake and cookie,
// mTLS, Describe, schema, configuration problems, unconfigured sends,
// shutdown.
func Conformance(t *testing.T, pkg string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	bin := testbin.Build(t, pkg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := plugintest.Binary(ctx, func() *exec.Cmd { return exec.Command(bin) }, plugintest.Options{})
	if r.Failed() {
		var b bytes.Buffer
		r.Print(&b)
		t.Fatalf("conformance of %s:\n%s", pkg, b.String())
	}
}
