package httpouttest

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Transport properties of the HTTPS outputs, as httpout names them (this
// package cannot import httpout, which is internal to plugins/output).
const (
	propTimeout       = "timeout_seconds"
	propMaxRetryAfter = "max_retry_after_seconds"
	propCAFile        = "ca_file"
)

// Endpoint is an output under test that posts each alert to one URL of its
// configuration and has httpout's transport properties (timeout,
// Retry-After ceiling, CA bundle). Its methods run the checks such outputs
// share, with tables the output supplies where its vendor decides.
type Endpoint struct {
	// New returns a plugin with a fixed clock whose log is checked for
	// the secrets when the test ends.
	New func(t *testing.T) Plugin
	// Config returns a valid configuration sending to v.
	Config func(t *testing.T, v *Vendor) map[string]any
	// URLProp names the endpoint's property, and Path is the endpoint's
	// path.
	URLProp, Path string
	// Instance is the instance configured, and Alert the alert sent.
	Instance, Alert string
	// Secrets are the values no result, problem, log line or error may
	// show.
	Secrets []string
}

// Send configures a fresh plugin for v and sends Alert with pub.
func (e Endpoint) Send(t *testing.T, v *Vendor, pub string) saplugin.SendResult {
	t.Helper()
	return e.send(t, e.New(t), e.Config(t, v), pub)
}

func (e Endpoint) send(t *testing.T, p Plugin, raw map[string]any, pub string) saplugin.SendResult {
	t.Helper()
	cfg := Configure(t, p, e.Instance, raw)
	return p.Send(context.Background(), saplugin.SendRequest{Instance: e.Instance, Config: cfg,
		Alert: []byte(e.Alert), Publication: []byte(pub)})
}

// CheckPost checks that r is a POST to Path with the given headers, an
// empty value meaning absent.
func (e Endpoint) CheckPost(t *testing.T, r Request, headers map[string]string) {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != e.Path {
		t.Errorf("request %s %s, want POST %s", r.Method, r.Path, e.Path)
	}
	for k, v := range headers {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

// CheckRetrySameBody configures instance, a name other than the
// descriptor, for a vendor answering with reply, sends Alert twice, and
// checks that both requests carry the same body, holding want: the key
// that keeps the vendor from acting twice on a retried alert.
func (e Endpoint) CheckRetrySameBody(t *testing.T, reply http.HandlerFunc, instance, want string) {
	t.Helper()
	v := NewVendor(t, reply)
	p := e.New(t)
	cfg := Configure(t, p, instance, e.Config(t, v))
	for range 2 {
		p.Send(context.Background(), saplugin.SendRequest{Instance: instance, Config: cfg, Alert: []byte(e.Alert)})
	}
	reqs := v.Requests()
	if len(reqs) != 2 || string(reqs[0].Body) != string(reqs[1].Body) || !strings.Contains(string(reqs[0].Body), want) {
		t.Fatalf("bodies differ or lack %s: %q", want, reqs)
	}
}

// StatusCase is a vendor's answer and the result a send must give: its
// status, its wait and a part of its message.
type StatusCase struct {
	Code        int
	RetryAfter  string
	Body        string
	Want        saplugin.SendStatus
	WantWait    time.Duration
	WantMessage string
}

// StatusCases are the answers every output classifies alike, whatever its
// vendor: a 404, throttling with and without Retry-After (capped at
// ceiling), a server error, a Retry-After date read against the clock now,
// and a redirect.
func StatusCases(now time.Time, ceiling time.Duration) []StatusCase {
	return []StatusCase{
		{Code: 404, Body: "Not Found", Want: saplugin.Permanent, WantMessage: "HTTP 404: Not Found"},
		{Code: 429, Want: saplugin.Retryable, WantMessage: "HTTP 429"},
		{Code: 429, RetryAfter: "30", Want: saplugin.Retryable, WantWait: 30 * time.Second},
		{Code: 429, RetryAfter: "100000", Want: saplugin.Retryable, WantWait: ceiling},
		{Code: 500, Body: "internal", Want: saplugin.Retryable, WantMessage: "HTTP 500: internal"},
		{Code: 503, RetryAfter: now.Add(5 * time.Second).UTC().Format(http.TimeFormat),
			Want: saplugin.Retryable, WantWait: 5 * time.Second},
		{Code: 301, Want: saplugin.Permanent, WantMessage: "redirects are not followed"},
	}
}

// reply answers as the case says; a redirect goes elsewhere.
func (c StatusCase) reply(w http.ResponseWriter, _ *http.Request) {
	if c.RetryAfter != "" {
		w.Header().Set("Retry-After", c.RetryAfter)
	}
	if c.Code >= 300 && c.Code < 400 {
		w.Header().Set("Location", "https://elsewhere.example.com/")
	}
	w.WriteHeader(c.Code)
	fmt.Fprint(w, c.Body)
}

// CheckStatuses sends once per case to a vendor giving its answer and
// checks the result, and that the send made exactly one request.
func (e Endpoint) CheckStatuses(t *testing.T, cases []StatusCase) {
	for _, tt := range cases {
		t.Run(fmt.Sprintf("%d %s", tt.Code, tt.RetryAfter), func(t *testing.T) {
			v := NewVendor(t, tt.reply)
			res := e.Send(t, v, "")
			if res.Status != tt.Want || res.RetryAfter != tt.WantWait || !strings.Contains(res.Message, tt.WantMessage) {
				t.Fatalf("got %s after %s (%q), want %s after %s containing %q",
					res.Status, res.RetryAfter, res.Message, tt.Want, tt.WantWait, tt.WantMessage)
			}
			if n := len(v.Requests()); n != 1 {
				t.Errorf("server saw %d requests, want exactly 1", n)
			}
		})
	}
}

// CheckTransportFailures checks that a refused connection, a timeout and
// an untrusted certificate are retryable, and that the message says which.
func (e Endpoint) CheckTransportFailures(t *testing.T) {
	addr := ClosedAddr(t)
	hang := NewHang(t)
	tests := []struct {
		name   string
		change map[string]any
		want   string
	}{
		{"connection refused", map[string]any{e.URLProp: "https://" + addr + e.Path}, "connection refused"},
		{"timeout", map[string]any{e.URLProp: hang.URL + e.Path, propCAFile: hang.CAFile(t), propTimeout: 1}, "timed out"},
		{"untrusted certificate", map[string]any{propCAFile: nil}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := e.Config(t, NewVendor(t, Reply(http.StatusOK, "")))
			maps.Copy(raw, tt.change)
			res := e.send(t, e.New(t), raw, "")
			if res.Status != saplugin.Retryable || !strings.Contains(res.Message, tt.want) {
				t.Fatalf("got %s (%s), want retryable mentioning %q", res.Status, res.Message, tt.want)
			}
		})
	}
}

// CheckNoLeak answers a send with each code and a body quoting a secret,
// as some error pages quote the request, and checks that every failure
// quotes it masked (masked is that part of body with schema.Masked for
// the secret). It then has a zero timeout refused, and checks that no
// result, error or rendering of the configuration shows a secret.
func (e Endpoint) CheckNoLeak(t *testing.T, codes []int, body, masked string) {
	t.Helper()
	p := e.New(t)
	var texts []string
	for _, code := range codes {
		v := NewVendor(t, Reply(code, body))
		res := e.send(t, p, e.Config(t, v), "")
		texts = append(texts, res.Message)
		if res.Status != saplugin.Delivered && !strings.Contains(res.Message, masked) {
			t.Errorf("HTTP %d message %q: want the echoed secret masked", code, res.Message)
		}
	}
	bad := e.Config(t, NewVendor(t, Reply(http.StatusOK, "")))
	bad[propTimeout] = 0
	cfg, _ := p.Schema().Apply(bad)
	if err := p.Configure(context.Background(), "bad", cfg); err != nil {
		texts = append(texts, err.Error())
	} else {
		t.Error("a zero timeout was accepted")
	}
	texts = append(texts, secrettest.Render(cfg)...)
	secrettest.AssertNoLeak(t, e.Secrets, texts...)
}

// ProblemCase is a change to a valid configuration (nil removes a
// property) and the field of the one problem it must raise; an empty
// Field wants none.
type ProblemCase struct {
	Name   string
	Change map[string]any
	Field  string
}

// TransportProblemCases are the problems of httpout's transport
// properties: a timeout or Retry-After ceiling out of range, a CA bundle
// that cannot be read.
func TransportProblemCases() []ProblemCase {
	return []ProblemCase{
		{"timeout", map[string]any{propTimeout: 301}, propTimeout},
		{"retry after", map[string]any{propMaxRetryAfter: -1}, propMaxRetryAfter},
		{"missing CA file", map[string]any{propCAFile: "/nonexistent/ca.pem"}, propCAFile},
	}
}

// CheckProblems checks the problems of each case's configuration, and
// that none quotes a secret.
func (e Endpoint) CheckProblems(t *testing.T, cases []ProblemCase) {
	v := NewVendor(t, Reply(http.StatusOK, ""))
	config := func(t *testing.T) map[string]any { return e.Config(t, v) }
	CheckProblems(t, e.New(t), config, e.Secrets, cases)
}
