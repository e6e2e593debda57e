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
	pub := `{"@pagerduty-v2.summary":"root on db1","@pagerduty-v2.severity":"error"}`
	res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg,
		Alert: []byte(testAlert), Publication: []byte(pub)})
	if res.Status != saplugin.Delivered || res.Message != "HTTP 202" {
		t.Fatalf("got %s (%s), want delivered", res.Status, res.Message)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v2/enqueue" {
		t.Errorf("request %s %s, want POST /v2/enqueue", r.Method, r.Path)
	}
	for k, v := range map[string]string{"Content-Type": "application/json", "Accept": "application/json",
		"User-Agent": "sa-output-pagerduty-v2/0.1.0", "Authorization": ""} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	want := `{"routing_key":"` + testKey + `","event_action":"trigger","dedup_key":"soc:alert-42",` +
		`"payload":{"summary":"root on db1","source":"osquery:differential","severity":"error",` +
		`"custom_details":{"description":"Root logged in","record":{"user":"root","host":"db1"}}},"client":"StreamAlert"}`
	if string(r.Body) != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
}

// TestSendRetrySameDedupKey checks that a retried alert carries the same
// dedup key, which is what keeps PagerDuty from opening a second incident.
func TestSendRetrySameDedupKey(t *testing.T) {
	s := httpouttest.NewVendor(t, accepted)
	p := newTest(t)
	cfg := httpouttest.Configure(t, p, "soc-instance", baseConfig(t, s))
	for range 2 {
		p.Send(context.Background(), saplugin.SendRequest{Instance: "soc-instance", Config: cfg, Alert: []byte(testAlert)})
	}
	reqs := s.Requests()
	if len(reqs) != 2 || string(reqs[0].Body) != string(reqs[1].Body) ||
		!strings.Contains(string(reqs[0].Body), `"dedup_key":"soc:alert-42"`) {
		t.Fatalf("bodies differ or lack the descriptor's dedup key: %q", reqs)
	}
}

func TestSendStatus(t *testing.T) {
	invalid := `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.severity' is invalid"]}`
	tests := []struct {
		code        int
		retryAfter  string
		body        string
		want        saplugin.SendStatus
		wantWait    time.Duration
		wantMessage string
	}{
		{code: 202, body: `{"status":"success","message":"Event processed","dedup_key":"soc:alert-42"}`,
			want: saplugin.Delivered, wantMessage: "HTTP 202"},
		{code: 400, body: invalid, want: saplugin.Permanent, wantMessage: "HTTP 400: " + invalid},
		{code: 404, body: "Not Found", want: saplugin.Permanent, wantMessage: "HTTP 404: Not Found"},
		{code: 429, want: saplugin.Retryable, wantMessage: "HTTP 429"},
		{code: 429, retryAfter: "30", want: saplugin.Retryable, wantWait: 30 * time.Second},
		{code: 429, retryAfter: "100000", want: saplugin.Retryable, wantWait: 900 * time.Second},
		{code: 500, body: "internal", want: saplugin.Retryable, wantMessage: "HTTP 500: internal"},
		{code: 503, retryAfter: fixedNow.Add(5 * time.Second).UTC().Format(http.TimeFormat),
			want: saplugin.Retryable, wantWait: 5 * time.Second},
		{code: 301, want: saplugin.Permanent, wantMessage: "redirects are not followed"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.code, tt.retryAfter), func(t *testing.T) {
			s := httpouttest.NewVendor(t, func(w http.ResponseWriter, _ *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.code == 301 {
					w.Header().Set("Location", "https://elsewhere.example.com/")
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

func TestSendTransportFailure(t *testing.T) {
	addr := httpouttest.ClosedAddr(t)
	hang := httpouttest.NewHang(t)
	tests := []struct {
		name   string
		change map[string]any
		want   string
	}{
		{"connection refused", map[string]any{propURL: "https://" + addr + "/v2/enqueue"}, "connection refused"},
		{"timeout", map[string]any{propURL: hang.URL + "/v2/enqueue", httpout.PropCAFile: hang.CAFile(t), httpout.PropTimeout: 1}, "timed out"},
		{"untrusted certificate", map[string]any{httpout.PropCAFile: nil}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := baseConfig(t, httpouttest.NewVendor(t, accepted))
			for k, v := range tt.change {
				raw[k] = v
			}
			p := newTest(t)
			cfg := httpouttest.Configure(t, p, testDescriptor, raw)
			res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
			if res.Status != saplugin.Retryable || !strings.Contains(res.Message, tt.want) {
				t.Fatalf("got %s (%s), want retryable mentioning %q", res.Status, res.Message, tt.want)
			}
		})
	}
}

// TestSendNoSecretLeak answers every outcome with a body quoting the
// request back, as some error pages do, and checks that no result, log
// line or error carries the routing key.
func TestSendNoSecretLeak(t *testing.T) {
	p := newTest(t)
	var texts []string
	for _, code := range []int{202, 400, 429, 500} {
		s := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"status":"invalid event","errors":["routing key %s unknown"]}`, testKey)
		})
		cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, s))
		res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
		texts = append(texts, res.Message)
		if code == 400 && !strings.Contains(res.Message, "routing key <secret> unknown") {
			t.Errorf("400 message %q: want the echoed key masked", res.Message)
		}
	}
	bad := baseConfig(t, httpouttest.NewVendor(t, accepted))
	bad[httpout.PropTimeout] = 0
	cfg, _ := p.Schema().Apply(bad)
	if err := p.Configure(context.Background(), "bad", cfg); err != nil {
		texts = append(texts, err.Error())
	} else {
		t.Error("a zero timeout was accepted")
	}
	texts = append(texts, secrettest.Render(cfg)...)
	secrettest.AssertNoLeak(t, secrets, texts...)
}

func TestValidateConfig(t *testing.T) {
	s := httpouttest.NewVendor(t, accepted)
	tests := []struct {
		name   string
		change map[string]any
		field  string
	}{
		{"defaults", map[string]any{propURL: nil, httpout.PropCAFile: nil}, ""},
		{"plain http", map[string]any{propURL: "http://events.pagerduty.com/v2/enqueue"}, propURL},
		{"query in URL", map[string]any{propURL: "https://events.pagerduty.com/v2/enqueue?x=1"}, propURL},
		{"key with a space", map[string]any{propRoutingKey: "abc def 0123456789"}, propRoutingKey},
		{"descriptor with a colon", map[string]any{propDescriptor: "a:b"}, propDescriptor},
		{"no key", map[string]any{propRoutingKey: nil}, propRoutingKey},
		{"timeout", map[string]any{httpout.PropTimeout: 301}, httpout.PropTimeout},
		{"retry after", map[string]any{httpout.PropMaxRetryAfter: -1}, httpout.PropMaxRetryAfter},
		{"missing CA file", map[string]any{httpout.PropCAFile: "/nonexistent/ca.pem"}, httpout.PropCAFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := baseConfig(t, s)
			for k, v := range tt.change {
				raw[k] = v
			}
			p := New()
			cfg, problems := p.Schema().Apply(raw)
			if len(problems) == 0 {
				problems = p.ValidateConfig(cfg)
			}
			if tt.field == "" && len(problems) > 0 || tt.field != "" && (len(problems) != 1 || problems[0].Field != tt.field) {
				t.Fatalf("problems %v, want one on %q", problems, tt.field)
			}
			for _, pr := range problems {
				secrettest.AssertNoLeak(t, secrets, pr.Message)
			}
		})
	}
}
