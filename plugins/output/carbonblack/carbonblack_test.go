package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Values used across the tests.
const (
	testToken = "5c1d9e0f3a7b4c2d8e6f0a1b3c5d7e9f2a4b6c8d"
	testMD5   = "0123456789abcdef0123456789abcdef"
	listPath  = "/api/v1/banning/blacklist"
)

var secrets = []string{testToken}

var fixedNow = time.Unix(1700000000, 0)

// alertFor is an alert whose rule context carries ctx as
// context["carbonblack"].
func alertFor(ctx string) string {
	return `{"id":"alert-42","rule_name":"bad_binary","rule_description":"Known bad binary ran",` +
		`"record":{"md5":"` + testMD5 + `"},"context":{"carbonblack":` + ctx + `}}`
}

var banAlert = alertFor(`{"action":"ban","value":"` + strings.ToUpper(testMD5) + `"}`)

// cbServer is a CB Response stand-in keeping a banned list. It refuses a
// request without the token, as the server does.
type cbServer struct {
	*httpouttest.Vendor
	mu     sync.Mutex
	banned map[string]bannedHash
}

func newCB(t *testing.T) *cbServer {
	s := &cbServer{banned: map[string]bannedHash{}}
	s.Vendor = httpouttest.NewVendor(t, s.serve)
	return s
}

func (s *cbServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("X-Auth-Token") != testToken {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errorMessage":"Unauthorized"}`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, listPath+"/"):
		b, ok := s.banned[strings.TrimPrefix(r.URL.Path, listPath+"/")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"errorMessage":"Not found"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"md5hash": b.MD5, "text": b.Text, "enabled": b.Enabled,
			"username": "admin", "user_id": 1, "block_count": 0, "timestamp": "2023-11-14 22:13:20.000000-00:00"})
	case r.Method == http.MethodPost && r.URL.Path == listPath:
		var b bannedHash
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &b) != nil || b.MD5 == "" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"errorMessage":"md5hash is required"}`)
			return
		}
		if cur, ok := s.banned[b.MD5]; ok && cur.Enabled {
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, `{"errorMessage":"hash already banned"}`)
			return
		}
		s.banned[b.MD5] = b
		io.WriteString(w, `{"result":"success"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"errorMessage":"Not found"}`)
	}
}

func newTest(t *testing.T) *CarbonBlack {
	c := New()
	c.Log = secrettest.Logger(t, secrets)
	c.Now = func() time.Time { return fixedNow }
	return c
}

func config(t *testing.T, v *httpouttest.Vendor) map[string]any {
	return map[string]any{propDescriptor: "edr", propURL: v.URL + "/", propToken: testToken, httpout.PropCAFile: v.CAFile(t)}
}

func send(t *testing.T, v *httpouttest.Vendor, alert, pub string) saplugin.SendResult {
	t.Helper()
	c := newTest(t)
	cfg := httpouttest.Configure(t, c, "edr", config(t, v))
	return c.Send(context.Background(), saplugin.SendRequest{Instance: "edr", Config: cfg, Alert: []byte(alert), Publication: []byte(pub)})
}

func TestSchema(t *testing.T) {
	u, _ := configSchema.Property(propURL)
	tok, _ := configSchema.Property(propToken)
	if !configSchema.Properties[0].Descriptor || u.Secret || !u.Credential || u.ForbiddenChars != " " || !tok.Secret || !tok.Credential {
		t.Errorf("url %+v, token %+v: want StreamAlert's flags", u, tok)
	}
}

// TestConformance checks the schema and runs the conformance harness in
// process.
func TestConformance(t *testing.T) {
	httpouttest.CheckInProcess(t, New())
}

func TestBanNewHash(t *testing.T) {
	s := newCB(t)
	res := send(t, s.Vendor, banAlert, "")
	if res.Status != saplugin.Delivered || res.Message != "HTTP 200: hash "+testMD5+" banned" {
		t.Fatalf("got %s (%s)", res.Status, res.Message)
	}
	want := []struct{ line, body string }{
		{"GET " + listPath + "/" + testMD5, ""},
		{"POST " + listPath, `{"md5hash":"` + testMD5 + `","text":"Banned from StreamAlert","enabled":true}`},
	}
	reqs := s.Requests()
	if len(reqs) != len(want) {
		t.Fatalf("server saw %d requests, want %d", len(reqs), len(want))
	}
	for i, w := range want {
		r := reqs[i]
		if r.Line() != w.line || string(r.Body) != w.body {
			t.Errorf("request %d: got %s %s, want %s %s", i, r.Line(), r.Body, w.line, w.body)
		}
		ct := ""
		if w.body != "" {
			ct = "application/json"
		}
		for k, v := range map[string]string{"X-Auth-Token": testToken, "Accept": "application/json", "Content-Type": ct,
			"User-Agent": "sa-output-carbonblack/0.1.0"} {
			if got := r.Header.Get(k); got != v {
				t.Errorf("request %d: header %s = %q, want %q", i, k, got, v)
			}
		}
	}
	if !s.banned[testMD5].Enabled {
		t.Error("the hash is not banned on the server")
	}
}

func TestBanExisting(t *testing.T) {
	tests := []struct {
		name     string
		existing bannedHash
		wantMsg  string
		wantPost string
	}{
		{"enabled", bannedHash{testMD5, "by hand", true}, "hash " + testMD5 + " already banned", ""},
		{"disabled", bannedHash{testMD5, "by hand", false}, "HTTP 200: hash " + testMD5 + " banned",
			`{"md5hash":"` + testMD5 + `","text":"by hand","enabled":true}`},
		{"disabled, text removed", bannedHash{testMD5, "", false}, "HTTP 200: hash " + testMD5 + " banned",
			`{"md5hash":"` + testMD5 + `","text":"Banned from StreamAlert","enabled":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCB(t)
			s.banned[testMD5] = tt.existing
			res := send(t, s.Vendor, banAlert, "")
			if res.Status != saplugin.Delivered || res.Message != tt.wantMsg {
				t.Fatalf("got %s (%s), want delivered %q", res.Status, res.Message, tt.wantMsg)
			}
			reqs := s.Requests()
			if tt.wantPost == "" && len(reqs) != 1 || tt.wantPost != "" && (len(reqs) != 2 || string(reqs[1].Body) != tt.wantPost) {
				t.Errorf("server saw %v", reqs)
			}
		})
	}
}

// TestBanContext checks where the request is read: the publication's
// context (the alert itself without a publisher), else the alert's.
func TestBanContext(t *testing.T) {
	other := "fedcba9876543210fedcba9876543210"
	tests := []struct {
		name, alert, pub string
		wantMD5          string
		wantMsg          string
	}{
		{"alert context", banAlert, "", testMD5, ""},
		{"publication without context", banAlert, `{"rule_name":"bad_binary"}`, testMD5, ""},
		{"publication context", banAlert, `{"context":{"carbonblack":{"action":"ban","value":"` + other + `"}}}`, other, ""},
		{"no context", `{"id":"a","rule_name":"r","context":{}}`, "", "", `no context["carbonblack"]`},
		{"null context", `{"id":"a","rule_name":"r","context":null}`, "", "", `no context["carbonblack"]`},
		{"other action", alertFor(`{"action":"isolate","value":"` + testMD5 + `"}`), "", "", `action "isolate" not supported`},
		{"not an md5", alertFor(`{"action":"ban","value":"` + testMD5 + `0"}`), "", "", "not an MD5 hash"},
		{"not hex", alertFor(`{"action":"ban","value":"` + strings.Repeat("g", 32) + `"}`), "", "", "not an MD5 hash"},
		{"not an object", alertFor(`"ban"`), "", "", "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCB(t)
			res := send(t, s.Vendor, tt.alert, tt.pub)
			if tt.wantMD5 == "" {
				if res.Status != saplugin.Permanent || !strings.Contains(res.Message, tt.wantMsg) || len(s.Requests()) != 0 {
					t.Fatalf("got %s (%s) after %d requests, want permanent %q and none", res.Status, res.Message, len(s.Requests()), tt.wantMsg)
				}
				return
			}
			if res.Status != saplugin.Delivered || !s.banned[tt.wantMD5].Enabled {
				t.Fatalf("got %s (%s), want %s banned", res.Status, res.Message, tt.wantMD5)
			}
		})
	}
}

func TestBanResults(t *testing.T) {
	tests := []struct {
		name        string
		lookup, ban http.HandlerFunc
		status      saplugin.SendStatus
		msg         string
		wait        time.Duration
		requests    int
	}{
		{"lookup unauthorized", httpouttest.Reply(401, `{"errorMessage":"Unauthorized"}`), nil, saplugin.Permanent, "look up ban: HTTP 401: Unauthorized", 0, 1},
		{"lookup rate limited", httpouttest.Reply(429, "slow down", "Retry-After", "30"), nil, saplugin.Retryable, "look up ban: HTTP 429: slow down", 30 * time.Second, 1},
		{"lookup server error", httpouttest.Reply(500, `{"errorMessage":"internal"}`), nil, saplugin.Retryable, "look up ban: HTTP 500: internal", 0, 1},
		{"ban refused", nil, httpouttest.Reply(400, `{"errorMessage":"md5hash is invalid"}`), saplugin.Permanent, "ban hash: HTTP 400: md5hash is invalid", 0, 2},
		{"banned meanwhile", nil, httpouttest.Reply(409, `{"errorMessage":"hash already banned"}`), saplugin.Delivered, "already banned", 0, 2},
		{"error under 200", nil, httpouttest.Reply(200, `{"errorMessage":"not allowed"}`), saplugin.Permanent, "ban hash: HTTP 200: not allowed", 0, 2},
		{"failure result", nil, httpouttest.Reply(200, `{"result":"failure"}`), saplugin.Permanent, "ban hash: failure", 0, 2},
		{"ban rate limited", nil, httpouttest.Reply(429, "", "Retry-After", "7"), saplugin.Retryable, "ban hash: HTTP 429", 7 * time.Second, 2},
		{"proxy page", nil, httpouttest.Reply(200, "<html>ok</html>"), saplugin.Retryable, "not JSON", 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			notFound := httpouttest.Reply(404, `{"errorMessage":"Not found"}`)
			v := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodGet && tt.lookup != nil:
					tt.lookup(w, r)
				case r.Method == http.MethodGet:
					notFound(w, r)
				default:
					tt.ban(w, r)
				}
			})
			res := send(t, v, banAlert, "")
			if res.Status != tt.status || !strings.Contains(res.Message, tt.msg) || res.RetryAfter != tt.wait {
				t.Errorf("got %s %q wait %s, want %s %q wait %s", res.Status, res.Message, res.RetryAfter, tt.status, tt.msg, tt.wait)
			}
			if n := len(v.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}

// TestSendVerifiesTLS checks that without the server's CA the send fails,
// on every attempt, not just the first.
func TestSendVerifiesTLS(t *testing.T) {
	s := newCB(t)
	httpouttest.CheckVerifiesTLS(t, newTest(t), s.Vendor, config(t, s.Vendor), "edr", banAlert)
}

func TestSendTransportFailure(t *testing.T) {
	s := newCB(t)
	raw := config(t, s.Vendor)
	delete(raw, httpout.PropCAFile)
	raw[propURL] = "https://" + httpouttest.ClosedAddr(t)
	c := newTest(t)
	cfg := httpouttest.Configure(t, c, "edr", raw)
	res := c.Send(context.Background(), saplugin.SendRequest{Instance: "edr", Config: cfg, Alert: []byte(banAlert)})
	if res.Status != saplugin.Retryable || !strings.Contains(res.Message, "connection refused") {
		t.Fatalf("got %s (%s), want retryable", res.Status, res.Message)
	}
}

func TestValidateConfig(t *testing.T) {
	s := newCB(t)
	base := func(t *testing.T) map[string]any { return config(t, s.Vendor) }
	httpouttest.CheckProblems(t, New(), base, secrets, []httpouttest.ProblemCase{
		{Name: "valid"},
		{Name: "plain http", Change: map[string]any{propURL: "http://cb.example.com"}, Field: propURL},
		{Name: "http to localhost", Change: map[string]any{propURL: "http://localhost:8443"}},
		{Name: "credentials in URL", Change: map[string]any{propURL: "https://admin:pw@cb.example.com"}, Field: propURL},
		{Name: "space in URL", Change: map[string]any{propURL: "https://cb.example.com/a b"}, Field: propURL},
		{Name: "no token", Change: map[string]any{propToken: nil}, Field: propToken},
		{Name: "retry after", Change: map[string]any{httpout.PropMaxRetryAfter: 86401}, Field: httpout.PropMaxRetryAfter},
	})
}

// TestNoSecretLeak has the server quote the token back in every outcome.
func TestNoSecretLeak(t *testing.T) {
	c := newTest(t)
	var texts []string
	for _, code := range []int{200, 400, 401, 429, 500} {
		v := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"errorMessage":"token %s refused"}`, r.Header.Get("X-Auth-Token"))
		})
		cfg := httpouttest.Configure(t, c, "edr", config(t, v))
		res := c.Send(context.Background(), saplugin.SendRequest{Instance: "edr", Config: cfg, Alert: []byte(banAlert)})
		if !strings.Contains(res.Message, "token <secret> refused") {
			t.Errorf("%d: message %q, want the token masked", code, res.Message)
		}
		texts = append(texts, res.Message)
		texts = append(texts, secrettest.Render(cfg)...)
	}
	secrettest.AssertNoLeak(t, secrets, texts...)
}

// TestBinary runs the built plugin as the host would: the conformance
// harness, then configure over gRPC, ban, and its standard error read for
// leaks.
func TestBinary(t *testing.T) {
	b := httpouttest.StartChecked(t, "plugins/output/carbonblack", version)
	s := newCB(t)
	res := b.Deliver(t, "edr", config(t, s.Vendor), banAlert, "")
	if len(s.Requests()) != 2 {
		t.Fatalf("server saw %v", s.Requests())
	}
	again := b.Send(t, "edr", banAlert, "")
	if again.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED || !strings.Contains(again.GetMessage(), "already banned") {
		t.Fatalf("second ban: %s (%s)", again.GetStatus(), again.GetMessage())
	}
	b.KillNoLeak(t, secrets, res.GetMessage(), again.GetMessage())
}
