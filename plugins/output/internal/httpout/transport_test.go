package httpout

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

func TestParseTransport(t *testing.T) {
	tests := []struct {
		name  string
		raw   map[string]any
		field string
		want  Transport
	}{
		{"defaults", nil, "", Transport{Timeout: 10 * time.Second, MaxRetryAfter: 900 * time.Second}},
		{"set", map[string]any{PropTimeout: 300, PropMaxRetryAfter: 0}, "", Transport{Timeout: 300 * time.Second}},
		{"timeout zero", map[string]any{PropTimeout: 0}, PropTimeout, Transport{}},
		{"timeout huge", map[string]any{PropTimeout: 301}, PropTimeout, Transport{}},
		{"retry after", map[string]any{PropMaxRetryAfter: 86401}, PropMaxRetryAfter, Transport{}},
		{"CA file", map[string]any{PropCAFile: "/nonexistent/ca.pem"}, PropCAFile, Transport{}},
	}
	s := schema.Schema{Properties: TransportProperties}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, problems := s.Apply(tt.raw)
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			tr, problems := ParseTransport(cfg)
			if tt.field == "" && (len(problems) > 0 || tr != tt.want) || tt.field != "" && (len(problems) != 1 || problems[0].Field != tt.field) {
				t.Fatalf("%+v %v, want %+v and a problem on %q", tr, problems, tt.want, tt.field)
			}
		})
	}
}

func TestURLPolicy(t *testing.T) {
	tests := []struct {
		raw            string
		strict, loopOK bool
	}{
		{"https://jira.example.com/base/", true, true},
		{"http://jira.example.com", false, false},
		{"http://localhost:8080/x", false, true},
		{"http://api.localhost", false, true},
		{"http://127.0.0.2:80", false, true},
		{"http://[::1]:80", false, true},
		{"http://localhost.example.com", false, false},
		{"ftp://localhost", false, false},
		{"https://u:p@jira.example.com", false, false},
		{"https://jira.example.com/?", false, false},
		{"https://jira.example.com/?a=b", false, false},
		{"https://jira.example.com/#f", false, false},
		{"https:///x", false, false},
		{"https://%zz", false, false},
	}
	for _, tt := range tests {
		for _, p := range []struct {
			policy URLPolicy
			ok     bool
		}{{URLPolicy{}, tt.strict}, {URLPolicy{LoopbackHTTP: true}, tt.loopOK}} {
			u, problems := p.policy.Parse("url", tt.raw)
			if (len(problems) == 0) != p.ok || p.ok && u == nil {
				t.Errorf("%+v.Parse(%q) = %v %v, want ok %v", p.policy, tt.raw, u, problems, p.ok)
			}
			for _, pr := range problems {
				if pr.Field != "url" || strings.Contains(pr.Message, "example") || strings.Contains(pr.Message, tt.raw) {
					t.Errorf("problem %+v names another field or quotes the value", pr)
				}
			}
		}
	}
}

func TestRedactorEscapedForms(t *testing.T) {
	const secret = "tok en/with+parts"
	r := NewRedactor(secret)
	for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		if got := r("x " + form + " y"); got != "x "+schema.Masked+" y" {
			t.Errorf("%q redacted as %q", form, got)
		}
	}
}

// TestSenderCall drives Call against a server: a JSON answer is decoded,
// a refusal is classified, a 2xx that is not JSON is retryable, and every
// message is redacted.
func TestSenderCall(t *testing.T) {
	const secret = "s3cret-value-123"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Header.Get("Content-Type") == "application/json") != (r.ContentLength > 0) ||
			r.Header.Get("Accept") != "application/json" {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			return
		}
		switch r.URL.Path {
		case "/json":
			w.Write([]byte(`{"id":"7"}`))
		case "/html":
			w.Write([]byte("<html>" + secret + "</html>"))
		default:
			w.Header().Set("Retry-After", "4")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("down, " + secret))
		}
	}))
	defer srv.Close()
	s := &Sender{Client: srv.Client(), Redact: NewRedactor(secret), MaxRetryAfter: time.Minute, Now: func() time.Time { return now }}
	call := func(path string, body any, out any) (*Response, *saplugin.SendResult) {
		req, err := NewJSONRequest(context.Background(), http.MethodPost, srv.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		return s.Call(req, nil, out)
	}
	var got struct{ ID string }
	if resp, fail := call("/json", map[string]int{"a": 1}, &got); fail != nil || resp.Code != 200 || got.ID != "7" {
		t.Errorf("json: %v %v %+v", resp, fail, got)
	}
	if _, fail := call("/html", nil, &got); fail == nil || fail.Status != saplugin.Retryable || !strings.Contains(fail.Message, "not JSON: <html><secret></html>") {
		t.Errorf("html: %+v", fail)
	}
	if resp, fail := call("/down", nil, nil); fail == nil || fail.Status != saplugin.Retryable || fail.RetryAfter != 4*time.Second ||
		fail.Message != "HTTP 503: down, <secret>" || resp.Code != 503 {
		t.Errorf("down: %+v", fail)
	}
	if _, err := NewJSONRequest(context.Background(), http.MethodPost, "https://x.example/"+secret+"\x7f", nil); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("bad URL: %v", err)
	}
}
