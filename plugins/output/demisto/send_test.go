package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func TestSendRequest(t *testing.T) {
	s := httpouttest.NewVendor(t, accepted)
	p := newTest(t)
	cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, s))
	pub := `{"@demisto.severity":"high","rule_name":"root_login"}`
	res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg,
		Alert: []byte(testAlert), Publication: []byte(pub)})
	if res.Status != saplugin.Delivered || res.Message != "HTTP 201: incident 1234" {
		t.Fatalf("got %s (%s), want delivered", res.Status, res.Message)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/demisto/incident" {
		t.Errorf("request %s %s, want POST /demisto/incident", r.Method, r.Path)
	}
	for k, v := range map[string]string{"Content-Type": "application/json", "Accept": "application/json",
		"Authorization": testToken, "User-Agent": "sa-output-demisto/0.1.0"} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	want := `{"type":"Unclassified","name":"root_login","owner":"StreamAlert","playbook":"Unknown","severity":3,` +
		`"labels":[{"type":"@demisto.severity","value":"high"},{"type":"rule_name","value":"root_login"}],` +
		`"customFields":{},"details":"Root logged in","createInvestigation":true}`
	if string(r.Body) != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
}

func TestSendStatus(t *testing.T) {
	unauthorized := `{"id":"forbidden","status":401,"title":"Unauthorized","detail":"Issue with API key","error":"unauthorized"}`
	tests := []struct {
		code        int
		retryAfter  string
		body        string
		want        saplugin.SendStatus
		wantWait    time.Duration
		wantMessage string
	}{
		{code: 200, body: `{"id":"77"}`, want: saplugin.Delivered, wantMessage: "HTTP 200: incident 77"},
		{code: 201, body: `not json`, want: saplugin.Delivered, wantMessage: "HTTP 201"},
		{code: 401, body: unauthorized, want: saplugin.Permanent, wantMessage: "HTTP 401: " + unauthorized},
		{code: 400, body: `{"error":"bad request","detail":"type unknown"}`, want: saplugin.Permanent, wantMessage: "type unknown"},
		{code: 429, retryAfter: "9", want: saplugin.Retryable, wantWait: 9 * time.Second},
		{code: 502, body: "Bad Gateway", want: saplugin.Retryable, wantMessage: "HTTP 502: Bad Gateway"},
		{code: 302, want: saplugin.Permanent, wantMessage: "redirects are not followed"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.code, tt.retryAfter), func(t *testing.T) {
			s := httpouttest.NewVendor(t, func(w http.ResponseWriter, _ *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.code == 302 {
					w.Header().Set("Location", "https://sso.example.com/login")
				}
				w.WriteHeader(tt.code)
				fmt.Fprint(w, tt.body)
			})
			p := newTest(t)
			cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, s))
			res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
			if res.Status != tt.want || res.RetryAfter != tt.wantWait || !strings.Contains(res.Message, tt.wantMessage) {
				t.Fatalf("got %s after %s (%q), want %s after %s containing %q",
					res.Status, res.RetryAfter, res.Message, tt.want, tt.wantWait, tt.wantMessage)
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("server saw %d requests, want exactly 1", n)
			}
		})
	}
}

// TestSendVerifiesTLS checks what StreamAlert skipped: without the
// server's CA the send fails, on every attempt, not just the first.
func TestSendVerifiesTLS(t *testing.T) {
	s := httpouttest.NewVendor(t, accepted)
	httpouttest.CheckVerifiesTLS(t, newTest(t), s, baseConfig(t, s), testDescriptor, testAlert)
}

func TestSendTransportFailure(t *testing.T) {
	addr := httpouttest.ClosedAddr(t)
	raw := baseConfig(t, httpouttest.NewVendor(t, accepted))
	raw[propURL] = "https://" + addr
	p := newTest(t)
	cfg := httpouttest.Configure(t, p, testDescriptor, raw)
	res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
	if res.Status != saplugin.Retryable || !strings.Contains(res.Message, "connection refused") {
		t.Fatalf("got %s (%s), want retryable", res.Status, res.Message)
	}
}

// TestSendNoSecretLeak has the server quote the API key back, and checks
// results and logs for it.
func TestSendNoSecretLeak(t *testing.T) {
	p := newTest(t)
	var texts []string
	for _, code := range []int{201, 401, 500} {
		s := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"id":"%s","error":"key %s refused"}`, r.Header.Get("Authorization"), r.Header.Get("Authorization"))
		})
		cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, s))
		res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
		texts = append(texts, res.Message)
		if !strings.Contains(res.Message, "<secret>") {
			t.Errorf("%d: message %q, want the echoed key masked", code, res.Message)
		}
	}
	secrettest.AssertNoLeak(t, secrets, texts...)
}

func TestValidateConfig(t *testing.T) {
	s := httpouttest.NewVendor(t, accepted)
	base := func(t *testing.T) map[string]any { return baseConfig(t, s) }
	httpouttest.CheckProblems(t, New(), base, secrets, []httpouttest.ProblemCase{
		{Name: "no CA file", Change: map[string]any{httpout.PropCAFile: nil}},
		{Name: "plain http", Change: map[string]any{propURL: "http://demisto.example.com"}, Field: propURL},
		{Name: "space in URL", Change: map[string]any{propURL: "https://demisto.example.com/a b"}, Field: propURL},
		{Name: "credentials in URL", Change: map[string]any{propURL: "https://u:p@demisto.example.com"}, Field: propURL},
		{Name: "no token", Change: map[string]any{propToken: nil}, Field: propToken},
		{Name: "descriptor with a space", Change: map[string]any{propDescriptor: "a b"}, Field: propDescriptor},
		{Name: "missing CA file", Change: map[string]any{httpout.PropCAFile: "/nonexistent/ca.pem"}, Field: httpout.PropCAFile},
	})
}
