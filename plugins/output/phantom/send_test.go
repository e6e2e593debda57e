package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func send(t *testing.T, p *Phantom, s *httpouttest.Vendor, pub string) saplugin.SendResult {
	t.Helper()
	cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, s))
	return p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg,
		Alert: []byte(testAlert), Publication: []byte(pub)})
}

func TestSendNewContainer(t *testing.T) {
	s := httpouttest.NewVendor(t, phantomAPI)
	pub := `{"rule_name":"root_login","record":{"user":"root"}}`
	res := send(t, newTest(t), s, pub)
	if res.Status != saplugin.Delivered || res.Message != "HTTP 200: artifact 901 in container 17" {
		t.Fatalf("got %s (%s), want delivered", res.Status, res.Message)
	}
	want := []struct{ line, body string }{
		{"GET /phantom/rest/container?_filter_name=%22root_login%22&page_size=1", ""},
		{"POST /phantom/rest/container", `{"description":"Root logged in","name":"root_login"}`},
		{"POST /phantom/rest/artifact", `{"cef":{"user":"root","host":"db1"},"container_id":17,"data":` + pub +
			`,"name":"Phantom Artifact","label":"Alert","source_data_identifier":"alert-42"}`},
	}
	reqs := s.Requests()
	if len(reqs) != len(want) {
		t.Fatalf("server saw %d requests, want %d", len(reqs), len(want))
	}
	for i, w := range want {
		r := reqs[i]
		if r.Line() != w.line || string(r.Body) != w.body {
			t.Errorf("request %d:\n got %s %s %s\nwant %s %s", i, r.Method, r.URI(), r.Body, w.line, w.body)
		}
		ct := ""
		if w.body != "" {
			ct = "application/json"
		}
		for k, v := range map[string]string{"ph-auth-token": testToken, "Accept": "application/json",
			"Content-Type": ct, "User-Agent": "sa-output-phantom/0.1.0", "Authorization": ""} {
			if got := r.Header.Get(k); got != v {
				t.Errorf("request %d: header %s = %q, want %q", i, k, got, v)
			}
		}
	}
}

func TestSendExistingContainer(t *testing.T) {
	s := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, `{"count":1,"num_pages":1,"data":[{"id":5,"name":"root_login"}]}`)
			return
		}
		phantomAPI(w, r)
	})
	res := send(t, newTest(t), s, "")
	if res.Status != saplugin.Delivered || res.Message != "HTTP 200: artifact 901 in container 5" {
		t.Fatalf("got %s (%s), want delivered", res.Status, res.Message)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[1].Path != "/phantom/rest/artifact" ||
		!strings.Contains(string(reqs[1].Body), `"container_id":5,"data":`+testAlert) {
		t.Fatalf("requests %v: want the artifact, with the alert as data, in container 5", reqs)
	}
}

func TestSendStatus(t *testing.T) {
	failed := `{"failed":true,"message":"Invalid token"}`
	tests := []struct {
		name      string
		route     string
		code      int
		body      string
		header    string
		want      saplugin.SendStatus
		wantWait  time.Duration
		wantMsg   string
		wantCalls int
	}{
		{name: "bad token", route: "GET /phantom/rest/container", code: 401, body: failed,
			want: saplugin.Permanent, wantMsg: "find container: HTTP 401: " + failed, wantCalls: 1},
		{name: "search unavailable", route: "GET /phantom/rest/container", code: 503, header: "5",
			want: saplugin.Retryable, wantWait: 5 * time.Second, wantMsg: "find container: HTTP 503", wantCalls: 1},
		{name: "container refused", route: "POST /phantom/rest/container", code: 400, body: `{"failed":true,"message":"label is invalid"}`,
			want: saplugin.Permanent, wantMsg: "create container: HTTP 400", wantCalls: 2},
		{name: "artifact rate limited", route: "POST /phantom/rest/artifact", code: 429, header: "11",
			want: saplugin.Retryable, wantWait: 11 * time.Second, wantMsg: "add artifact: HTTP 429", wantCalls: 3},
		{name: "artifact from an earlier attempt", route: "POST /phantom/rest/artifact", code: 400,
			body: `{"existing_artifact_id":901,"failed":true,"message":"artifact already exists"}`,
			want: saplugin.Delivered, wantMsg: "HTTP 400: artifact 901 already in container 17", wantCalls: 3},
		{name: "proxy page", route: "POST /phantom/rest/artifact", code: 200, body: "<html>",
			want: saplugin.Retryable, wantMsg: "add artifact: HTTP 200 with a body that is not JSON", wantCalls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method+" "+r.URL.Path != tt.route {
					phantomAPI(w, r)
					return
				}
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.code)
				io.WriteString(w, tt.body)
			})
			res := send(t, newTest(t), s, "")
			if res.Status != tt.want || res.RetryAfter != tt.wantWait || !strings.Contains(res.Message, tt.wantMsg) {
				t.Fatalf("got %s after %s (%q), want %s after %s containing %q",
					res.Status, res.RetryAfter, res.Message, tt.want, tt.wantWait, tt.wantMsg)
			}
			if n := len(s.Requests()); n != tt.wantCalls {
				t.Errorf("server saw %d requests, want %d", n, tt.wantCalls)
			}
		})
	}
}

// TestSendVerifiesTLS checks what StreamAlert skipped: without the
// server's CA nothing is sent, on any attempt.
func TestSendVerifiesTLS(t *testing.T) {
	s := httpouttest.NewVendor(t, phantomAPI)
	httpouttest.CheckVerifiesTLS(t, newTest(t), s, baseConfig(t, s), testDescriptor, testAlert)
}

// TestSendNoSecretLeak has the server quote the token and the URL back.
func TestSendNoSecretLeak(t *testing.T) {
	p := newTest(t)
	var texts []string
	var urls []string
	for _, code := range []int{400, 500} {
		s := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"failed":true,"message":"token %s at https://%s%s refused"}`, r.Header.Get("ph-auth-token"), r.Host, r.URL.Path)
		})
		urls = append(urls, s.URL+"/phantom")
		res := send(t, p, s, "")
		texts = append(texts, res.Message)
		if !strings.Contains(res.Message, "token <secret> at <secret> refused") {
			t.Errorf("%d: message %q, want the token and URL masked", code, res.Message)
		}
	}
	secrettest.AssertNoLeak(t, append(urls, secrets...), texts...)
}

func TestValidateConfig(t *testing.T) {
	s := httpouttest.NewVendor(t, phantomAPI)
	base := func(t *testing.T) map[string]any { return baseConfig(t, s) }
	httpouttest.CheckProblems(t, New(), base, secrets, []httpouttest.ProblemCase{
		{Name: "no CA file", Change: map[string]any{httpout.PropCAFile: nil}},
		{Name: "plain http", Change: map[string]any{propURL: "http://phantom.example.com"}, Field: propURL},
		{Name: "space in URL", Change: map[string]any{propURL: "https://phantom.example.com/a b"}, Field: propURL},
		{Name: "no token", Change: map[string]any{propToken: nil}, Field: propToken},
		{Name: "missing CA file", Change: map[string]any{httpout.PropCAFile: "/nonexistent/ca.pem"}, Field: httpout.PropCAFile},
	})
}
