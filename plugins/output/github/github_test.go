package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const testToken = "github_pat_11SECRETSECRET0123456789abcdef"

const testAlert = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
	`"record":{"user":"root","count":3,"ok":true,"tags":["a","b"],"geo":{"city":"Paris <x>","name":"Zürich"},"empty":{}}}`

// wantBody is StreamAlert's issue for testAlert: Python's
// json.dumps(record, indent=2, sort_keys=True) inside the default body.
const wantBody = "### Description\nRoot logged in\n\n### Event data\n\n```\n{\n  \"count\": 3,\n  \"empty\": {},\n" +
	"  \"geo\": {\n    \"city\": \"Paris <x>\",\n    \"name\": \"Z\\u00fcrich\"\n  },\n  \"ok\": true,\n" +
	"  \"tags\": [\n    \"a\",\n    \"b\"\n  ],\n  \"user\": \"root\"\n}\n```"

var fixedNow = time.Unix(1700000000, 0)

func newTest(logs io.Writer) *GitHub {
	g := New()
	g.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	g.Now = func() time.Time { return fixedNow }
	return g
}

// config points at v as a GitHub Enterprise API under /api/v3.
func config(t *testing.T, v *httpouttest.Vendor) map[string]any {
	return map[string]any{
		propDescriptor: "sec", propRepository: "acme/security-alerts", propLabels: "streamalert,triage,,",
		propUsername: "octocat", propAccessToken: testToken, propAPI: v.URL + "/api/v3", propCAFile: v.CAFile(t),
	}
}

func send(t *testing.T, v *httpouttest.Vendor, alert, pub string) saplugin.SendResult {
	t.Helper()
	g := newTest(io.Discard)
	cfg := httpouttest.Configure(t, g, "sec", config(t, v))
	return g.Send(context.Background(), saplugin.SendRequest{Instance: "sec", Config: cfg, Alert: []byte(alert), Publication: []byte(pub)})
}

// created is GitHub's 201 answer, shortened.
var created = httpouttest.Reply(201, `{"id":1,"number":1347,"state":"open","title":"StreamAlert: root_login"}`,
	"Content-Type", "application/json; charset=utf-8", "Location", "https://api.github.com/repos/acme/security-alerts/issues/1347")

// TestConformance checks the schema and runs the conformance harness in
// process.
func TestConformance(t *testing.T) {
	httpouttest.CheckInProcess(t, New())
}

func TestSchema(t *testing.T) {
	tok, _ := configSchema.Property(propAccessToken)
	repo, _ := configSchema.Property(propRepository)
	api, _ := configSchema.Property(propAPI)
	if !tok.Secret || !tok.Credential || repo.Secret || !repo.Credential || api.Default != "https://api.github.com" {
		t.Errorf("token %+v, repository %+v, api %+v", tok, repo, api)
	}
	base := func(*testing.T) map[string]any {
		return map[string]any{"descriptor": "sec", "repository": "acme/alerts", "access_token": "tok-abcdef-123456"}
	}
	httpouttest.CheckProblems(t, New(), base, []string{"tok-abcdef-123456"}, []httpouttest.ProblemCase{
		{Name: "valid"},
		{Name: "enterprise", Change: map[string]any{"api": "https://ghe.example.com/api/v3"}},
		{Name: "plain http api", Change: map[string]any{"api": "http://ghe.example.com/api/v3"}, Field: "api"},
		{Name: "no owner", Change: map[string]any{"repository": "alerts"}, Field: "repository"},
		{Name: "dot dot", Change: map[string]any{"repository": "../x"}, Field: "repository"},
		{Name: "path in repository", Change: map[string]any{"repository": "a/b/c"}, Field: "repository"},
		{Name: "no token", Change: map[string]any{"access_token": nil}, Field: "access_token"},
		{Name: "missing CA file", Change: map[string]any{"ca_file": "/nonexistent/ca.pem"}, Field: "ca_file"},
	})
}

func TestSendCreatesIssue(t *testing.T) {
	v := httpouttest.NewVendor(t, created)
	res := send(t, v, testAlert, "")
	if res.Status != saplugin.Delivered || res.Message != "HTTP 201: created issue #1347" {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	r := v.Only(t)
	if r.Method != http.MethodPost || r.Path != "/api/v3/repos/acme/security-alerts/issues" || r.Query != "" {
		t.Errorf("request %s %s?%s", r.Method, r.Path, r.Query)
	}
	for k, want := range map[string]string{
		"Accept": "application/vnd.github+json", "Authorization": "Bearer " + testToken,
		"X-Github-Api-Version": "2022-11-28", "Content-Type": "application/json", "User-Agent": "sa-output-github/0.1.0",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	want, _ := json.Marshal(issue{Title: "StreamAlert: root_login", Body: wantBody, Labels: []string{"streamalert", "triage"}})
	if string(r.Body) != string(want) {
		t.Errorf("body\n%s\nwant\n%s", r.Body, want)
	}
}

func TestSendPublicationFields(t *testing.T) {
	v := httpouttest.NewVendor(t, created)
	send(t, v, testAlert, `{"@github.title":"Root login on prod","@github.body":"**see** runbook","record":{}}`)
	want := `{"title":"Root login on prod","body":"**see** runbook","labels":["streamalert","triage"]}`
	if got := string(v.Only(t).Body); got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

func TestSendResults(t *testing.T) {
	reset := strconv.FormatInt(fixedNow.Add(90*time.Second).Unix(), 10)
	doc := `,"documentation_url":"https://docs.github.com/rest","status":"%d"}`
	tests := []struct {
		name   string
		reply  http.HandlerFunc
		status saplugin.SendStatus
		msg    string
		wait   time.Duration
	}{
		{"bad credentials", httpouttest.Reply(401, `{"message":"Bad credentials"`+fmt.Sprintf(doc, 401)), saplugin.Permanent, "HTTP 401: Bad credentials", 0},
		{"no access", httpouttest.Reply(404, `{"message":"Not Found"`+fmt.Sprintf(doc, 404)), saplugin.Permanent, "HTTP 404: Not Found", 0},
		{"issues disabled", httpouttest.Reply(410, `{"message":"Issues are disabled for this repo"`+fmt.Sprintf(doc, 410)), saplugin.Permanent, "HTTP 410: Issues are disabled for this repo", 0},
		{"validation", httpouttest.Reply(422, `{"message":"Validation Failed","errors":[{"resource":"Issue","code":"invalid","field":"labels"},{"message":"title is too long"}]`+fmt.Sprintf(doc, 422)),
			saplugin.Permanent, "HTTP 422: Validation Failed (Issue.labels invalid; title is too long)", 0},
		{"forbidden", httpouttest.Reply(403, `{"message":"Resource not accessible by personal access token"`+fmt.Sprintf(doc, 403)),
			saplugin.Permanent, "HTTP 403: Resource not accessible by personal access token", 0},
		{"primary rate limit", httpouttest.Reply(403, `{"message":"API rate limit exceeded for user ID 1."`+fmt.Sprintf(doc, 403),
			"X-RateLimit-Limit", "5000", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset),
			saplugin.Retryable, "HTTP 403: API rate limit exceeded", 90 * time.Second},
		{"secondary rate limit", httpouttest.Reply(403, `{"message":"You have exceeded a secondary rate limit."}`, "Retry-After", "45"),
			saplugin.Retryable, "secondary rate limit", 45 * time.Second},
		{"secondary without hint", httpouttest.Reply(403, `{"message":"You have exceeded a secondary rate limit."}`),
			saplugin.Retryable, "secondary rate limit", time.Minute},
		{"429", httpouttest.Reply(429, `{"message":"Too many requests"}`), saplugin.Retryable, "HTTP 429: Too many requests", time.Minute},
		{"server error", httpouttest.Reply(502, "<html>Bad Gateway</html>"), saplugin.Retryable, "HTTP 502: <html>Bad Gateway</html>", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := send(t, httpouttest.NewVendor(t, tt.reply), testAlert, "")
			if res.Status != tt.status || !strings.Contains(res.Message, tt.msg) || res.RetryAfter != tt.wait {
				t.Errorf("got %s %q wait %s, want %s %q wait %s", res.Status, res.Message, res.RetryAfter, tt.status, tt.msg, tt.wait)
			}
		})
	}
}

// TestSendVerifiesTLS checks that without the server's CA the send fails,
// on every attempt, not just the first.
func TestSendVerifiesTLS(t *testing.T) {
	v := httpouttest.NewVendor(t, created)
	httpouttest.CheckVerifiesTLS(t, newTest(io.Discard), v, config(t, v), "sec", testAlert)
}

func TestNoSecretLeak(t *testing.T) {
	secrets := []string{testToken}
	logs := secrettest.NewWriter(t, secrets)
	g := newTest(logs)
	var texts []string
	for _, code := range []int{201, 401, 403, 422, 500} {
		v := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"message":"token %s rejected"}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		})
		cfg := httpouttest.Configure(t, g, "sec", config(t, v))
		res := g.Send(context.Background(), saplugin.SendRequest{Instance: "sec", Config: cfg, Alert: []byte(testAlert)})
		texts = append(texts, res.Message)
		texts = append(texts, secrettest.Render(cfg)...)
	}
	v := httpouttest.NewVendor(t, created)
	raw := config(t, v)
	v.Close()
	cfg := httpouttest.Configure(t, g, "sec", raw)
	res := g.Send(context.Background(), saplugin.SendRequest{Instance: "sec", Config: cfg, Alert: []byte(testAlert)})
	texts = append(texts, res.Message)
	secrettest.AssertNoLeak(t, secrets, texts...)
	if res.Status != saplugin.Retryable {
		t.Errorf("closed server: %s", res.Status)
	}
	if !strings.Contains(strings.Join(texts, "\n"), "HTTP 401: token <secret> rejected") {
		t.Error("the echoed token is not masked in the 401 message")
	}
}

// TestBinary runs the built plugin as the host would: the conformance
// harness, then describe, configure two instances over gRPC, send to
// each, and its standard error read for leaks.
func TestBinary(t *testing.T) {
	b := httpouttest.StartChecked(t, "plugins/output/github", version)
	good := httpouttest.NewVendor(t, created)
	denied := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"message":"Bad credentials: %s"}`, r.Header.Get("Authorization"))
	})
	res := b.Deliver(t, "sec", config(t, good), testAlert, "")
	if good.Only(t).Header.Get("Authorization") != "Bearer "+testToken {
		t.Fatalf("sec: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	if p := b.Configure(t, "ops", config(t, denied)); len(p) > 0 {
		t.Fatalf("configure ops: %v", p)
	}
	res = b.Send(t, "ops", testAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT || res.GetMessage() != "HTTP 401: Bad credentials: Bearer <secret>" {
		t.Fatalf("ops: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	b.KillNoLeak(t, []string{testToken}, res.GetMessage())
}
