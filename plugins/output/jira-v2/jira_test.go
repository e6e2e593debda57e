package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/plugins/output/jira/issue/issuetest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Values used across the tests.
const (
	testUser  = "secops@example.com"
	testKey   = "ATATT3xFfGF0T1kq9bZ-Example_Token=7F3C9A1E"
	testAlert = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
		`"record":{"user":"root","host":"db1"},"context":{}}`
	wantSummary = "StreamAlert root_login"
	wantJQL     = `project = "SEC" AND summary ~ "StreamAlert root_login" AND statusCategory != Done ORDER BY created DESC`
)

var secrets = []string{testKey}

var fixedNow = time.Unix(1700000000, 0)

// wantAuth is the Authorization header Jira Cloud documents for an API
// token: Basic base64(<email>:<token>).
var wantAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testKey))

// newJira starts a Jira Cloud stand-in served under /jira, so a request
// that drops the base path (StreamAlert's defect) finds nothing.
func newJira(t *testing.T) *issuetest.Server {
	return issuetest.New(t, "/jira", "3", func(r *http.Request) bool {
		return r.Header.Get("Authorization") == wantAuth
	})
}

func newTest(t *testing.T) *Jira {
	j := New()
	j.Log = secrettest.Logger(t, secrets)
	j.Now = func() time.Time { return fixedNow }
	return j
}

func config(t *testing.T, v *httpouttest.Vendor, aggregate string) map[string]any {
	return map[string]any{propDescriptor: "soc", propAPIKey: testKey, propUserName: testUser, propURL: v.URL + "/jira",
		propProjectKey: "SEC", propIssueType: "Task", propAggregate: aggregate, httpout.PropCAFile: v.CAFile(t)}
}

func sendAll(t *testing.T, v *httpouttest.Vendor, raw map[string]any, pubs ...string) []saplugin.SendResult {
	t.Helper()
	p := newTest(t)
	cfg := httpouttest.Configure(t, p, "soc", raw)
	var out []saplugin.SendResult
	for _, pub := range pubs {
		out = append(out, p.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert), Publication: []byte(pub)}))
	}
	return out
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	for name, masked := range map[string]bool{propAPIKey: true, propUserName: false, propURL: false,
		propProjectKey: false, propIssueType: false, propAggregate: false} {
		p, _ := configSchema.Property(name)
		if p.Secret != masked || !p.Credential {
			t.Errorf("%s: secret %v credential %v, want %v true", name, p.Secret, p.Credential, masked)
		}
	}
	if u, _ := configSchema.Property(propURL); u.ForbiddenChars != "" {
		t.Errorf("url forbids %q; StreamAlert restricts nothing", u.ForbiddenChars)
	}
}

// TestConformance checks the schema and runs the conformance harness in
// process.
func TestConformance(t *testing.T) {
	httpouttest.CheckInProcess(t, New())
}

// TestCreateIssue checks the request a send without aggregation makes:
// REST 3 under the configured base path, Basic auth with the token, the
// publication as a JSON code block in a document, labels and priority.
func TestCreateIssue(t *testing.T) {
	j := newJira(t)
	raw := config(t, j.Vendor, "no")
	raw[propLabels], raw[propPriority] = "sa, security", "High"
	res := sendAll(t, j.Vendor, raw, `{"rule_name":"root_login","n":"é"}`)[0]
	if res.Status != saplugin.Delivered || res.Message != "created issue SEC-1" {
		t.Fatalf("got %s (%s)", res.Status, res.Message)
	}
	r := j.Only(t)
	if r.Line() != "POST /jira/rest/api/3/issue" {
		t.Errorf("request %s, want POST /jira/rest/api/3/issue", r.Line())
	}
	for k, v := range map[string]string{"Authorization": wantAuth, "Accept": "application/json",
		"Content-Type": "application/json", "User-Agent": "sa-output-jira-v2/0.1.0"} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	code := "{\n  \"n\": \"\\u00e9\",\n  \"rule_name\": \"root_login\"\n}"
	wantBody, _ := json.Marshal(map[string]any{"fields": map[string]any{
		"description": map[string]any{"type": "doc", "version": 1, "content": []any{map[string]any{"type": "codeBlock",
			"attrs": map[string]string{"language": "json"}, "content": []any{map[string]string{"type": "text", "text": code}}}}},
		"issuetype": map[string]string{"name": "Task"}, "labels": []string{"sa", "security"},
		"priority": map[string]string{"name": "High"}, "project": map[string]string{"key": "SEC"}, "summary": wantSummary}})
	if !jsonEqual(r.Body, wantBody) {
		t.Errorf("body\n got %s\nwant %s", r.Body, wantBody)
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ca, _ := json.Marshal(x)
	cb, _ := json.Marshal(y)
	return string(ca) == string(cb)
}

// TestAggregate files two alerts of one rule: the first creates the issue,
// the second finds it through the enhanced JQL search and comments on it
// with a document body.
func TestAggregate(t *testing.T) {
	j := newJira(t)
	j.Add("OPS", wantSummary, false) // another project: not reused
	res := sendAll(t, j.Vendor, config(t, j.Vendor, "yes"), `{"@jira.description":"first"}`, `{"@jira.description":"second\n\nline 1\nline 2"}`)
	if res[0].Message != "created issue SEC-2" || res[1].Message != "comment 20001 on issue SEC-2" {
		t.Fatalf("first %s (%s), second %s (%s)", res[0].Status, res[0].Message, res[1].Status, res[1].Message)
	}
	reqs := j.Requests()
	var lines []string
	for _, r := range reqs {
		lines = append(lines, r.Method+" "+r.Path)
	}
	want := []string{"GET /jira/rest/api/3/search/jql", "POST /jira/rest/api/3/issue", "GET /jira/rest/api/3/search/jql",
		"POST /jira/rest/api/3/issue/SEC-2/comment"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	q, _ := url.ParseQuery(reqs[2].Query)
	if q.Get("jql") != wantJQL || q.Get("maxResults") != "20" || q.Get("fields") != "summary" || len(q) != 3 {
		t.Errorf("search query %v", q)
	}
	wantComment := `{"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"second"}]},` +
		`{"type":"paragraph","content":[{"type":"text","text":"line 1"},{"type":"hardBreak"},{"type":"text","text":"line 2"}]}]}}`
	if string(reqs[3].Body) != wantComment {
		t.Errorf("comment body\n got %s\nwant %s", reqs[3].Body, wantComment)
	}
}

func TestPublicationFields(t *testing.T) {
	doc := `{"type":"doc","version":1,"content":[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Root"}]}]}`
	tests := []struct {
		name, pub  string
		wantFields map[string]string
	}{
		{"document kept", `{"@jira.description":` + doc + `}`, map[string]string{"description": doc}},
		{"labels and priority", `{"@jira.labels":["a b","c",""],"@jira.priority":"Highest"}`,
			map[string]string{"labels": `["a_b","c"]`, "priority": `{"name":"Highest"}`}},
		{"labels as text", `{"@jira.labels":"x, y z"}`, map[string]string{"labels": `["x","y_z"]`}},
		{"no labels", `{"@jira.labels":[]}`, map[string]string{"labels": ``, "priority": `{"name":"Low"}`}},
		{"empty description", `{"@jira.description":""}`, map[string]string{"description": `{"type":"doc","version":1,"content":[{"type":"paragraph"}]}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJira(t)
			raw := config(t, j.Vendor, "no")
			raw[propLabels], raw[propPriority] = []any{"default"}, "Low"
			if res := sendAll(t, j.Vendor, raw, tt.pub)[0]; res.Status != saplugin.Delivered {
				t.Fatalf("got %s (%s)", res.Status, res.Message)
			}
			fields := j.Issues()[0].Fields
			for k, want := range tt.wantFields {
				if got := string(fields[k]); got != want {
					t.Errorf("%s = %s, want %s", k, got, want)
				}
			}
		})
	}
}

func TestResults(t *testing.T) {
	tests := []struct {
		name   string
		route  string
		reply  http.HandlerFunc
		status saplugin.SendStatus
		msg    string
		wait   time.Duration
	}{
		{"token refused", "POST /rest/api/3/issue", httpouttest.Reply(401, `Client must be authenticated to access this resource.`),
			saplugin.Permanent, "create issue: HTTP 401: Client must be authenticated", 0},
		{"field refused", "POST /rest/api/3/issue", httpouttest.Reply(400, `{"errorMessages":[],"errors":{"priority":"Specify the Priority (name) in the string format"}}`),
			saplugin.Permanent, "create issue: HTTP 400: priority: Specify the Priority (name) in the string format", 0},
		{"rate limited", "POST /rest/api/3/issue", httpouttest.Reply(429, `{"errorMessages":["Rate limit exceeded."]}`, "Retry-After", "30"),
			saplugin.Retryable, "create issue: HTTP 429: Rate limit exceeded.", 30 * time.Second},
		{"search rate limited", "GET /rest/api/3/search/jql", httpouttest.Reply(429, "", "Retry-After", "3"), saplugin.Retryable, "search issues: HTTP 429", 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJira(t)
			j.Handle(tt.route, tt.reply)
			res := sendAll(t, j.Vendor, config(t, j.Vendor, "yes"), "")[0]
			if res.Status != tt.status || !strings.Contains(res.Message, tt.msg) || res.RetryAfter != tt.wait {
				t.Errorf("got %s %q wait %s, want %s %q wait %s", res.Status, res.Message, res.RetryAfter, tt.status, tt.msg, tt.wait)
			}
			if len(j.Issues()) != 0 {
				t.Errorf("an issue was created")
			}
		})
	}
}

func TestValidateConfig(t *testing.T) {
	j := newJira(t)
	tests := []struct {
		name   string
		change map[string]any
		field  string
	}{
		{"valid", nil, ""},
		{"site root", map[string]any{propURL: "https://example.atlassian.net"}, ""},
		{"plain http", map[string]any{propURL: "http://example.atlassian.net"}, propURL},
		{"http to loopback", map[string]any{propURL: "http://[::1]:8080/jira"}, ""},
		{"fragment", map[string]any{propURL: "https://example.atlassian.net/#x"}, propURL},
		{"label with a space", map[string]any{propLabels: []any{"a b"}}, propLabels},
		{"no user", map[string]any{propUserName: nil}, propUserName},
		{"no token", map[string]any{propAPIKey: nil}, propAPIKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := config(t, j.Vendor, "no")
			for k, v := range tt.change {
				raw[k] = v
			}
			problems := httpouttest.Problems(New(), raw)
			if tt.field == "" && len(problems) > 0 || tt.field != "" && (len(problems) != 1 || problems[0].Field != tt.field) {
				t.Fatalf("problems %v, want one on %q", problems, tt.field)
			}
		})
	}
}

// TestNoSecretLeak has Jira quote the token back, raw and in the
// Authorization header, in every outcome.
func TestNoSecretLeak(t *testing.T) {
	p := newTest(t)
	var texts []string
	for _, code := range []int{400, 401, 403, 429, 500} {
		j := newJira(t)
		j.Handle("POST /rest/api/3/issue", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"errorMessages":["token %s in %s refused"]}`, testKey, r.Header.Get("Authorization"))
		})
		cfg := httpouttest.Configure(t, p, "soc", config(t, j.Vendor, "no"))
		res := p.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
		if !strings.Contains(res.Message, "token <secret> in Basic <secret> refused") {
			t.Errorf("%d: message %q, want the token masked", code, res.Message)
		}
		texts = append(texts, res.Message)
		texts = append(texts, secrettest.Render(cfg)...)
	}
	secrettest.AssertNoLeak(t, append(secrets, base64.StdEncoding.EncodeToString([]byte(testUser+":"+testKey))), texts...)
}

// TestBinary runs the built plugin as the host would: the conformance
// harness, then configure over gRPC, two aggregated alerts, and its
// standard error read for leaks.
func TestBinary(t *testing.T) {
	b := httpouttest.StartChecked(t, "plugins/output/jira-v2", version)
	j := newJira(t)
	if p := b.Configure(t, "soc", config(t, j.Vendor, "yes")); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	first := b.Send(t, "soc", testAlert, "")
	second := b.Send(t, "soc", testAlert, "")
	if first.GetMessage() != "created issue SEC-1" || second.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED ||
		second.GetMessage() != "comment 20001 on issue SEC-1" {
		t.Fatalf("first %s (%s), second %s (%s)", first.GetStatus(), first.GetMessage(), second.GetStatus(), second.GetMessage())
	}
	b.KillNoLeak(t, secrets, first.GetMessage(), second.GetMessage())
}
