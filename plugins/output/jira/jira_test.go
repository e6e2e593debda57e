package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
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
	testUser     = "secops-bot-7f3c"
	testPassword = "pa55: word with spaces 9e1b"
	testAlert    = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
		`"record":{"user":"root","host":"db1"},"context":{}}`
	wantSummary = "StreamAlert root_login"
	wantJQL     = `project = "SEC" AND summary ~ "StreamAlert root_login" AND statusCategory != Done ORDER BY created DESC`
)

var fixedNow = time.Unix(1700000000, 0)

// jira is a Jira Server stand-in under /jira with session login: each
// login issues a new session id, and expire forgets the current one.
type jira struct {
	*issuetest.Server
	mu       sync.Mutex
	sessions int
	current  string
}

func newJira(t *testing.T) *jira {
	j := &jira{}
	j.Server = issuetest.New(t, "/jira", "2", func(r *http.Request) bool {
		j.mu.Lock()
		defer j.mu.Unlock()
		return j.current != "" && r.Header.Get("Cookie") == "JSESSIONID="+j.current
	})
	j.Handle("POST /rest/auth/1/session", j.login)
	return j
}

// login answers as Jira does: 200 with the session, 401 for wrong
// credentials.
func (j *jira) login(w http.ResponseWriter, r *http.Request) {
	var c struct{ Username, Password string }
	if json.NewDecoder(r.Body).Decode(&c) != nil || c.Username != testUser || c.Password != testPassword {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errorMessages":["Login failed"],"errors":{}}`)
		return
	}
	j.mu.Lock()
	j.sessions++
	j.current = fmt.Sprintf("6E3487971234567896704A9EB4AE50%02d", j.sessions)
	id := j.current
	j.mu.Unlock()
	fmt.Fprintf(w, `{"session":{"name":"JSESSIONID","value":%q},"loginInfo":{"failedLoginCount":0,"loginCount":%d}}`, id, j.sessions)
}

func (j *jira) expire() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.current = ""
}

// secrets are the values no message, log or error may show: the
// credentials and every session id the stand-in issues.
var secrets = []string{testUser, testPassword, "6E3487971234567896704A9EB4AE50"}

func newTest(t *testing.T) *Jira {
	j := New()
	j.Log = secrettest.Logger(t, secrets)
	j.Now = func() time.Time { return fixedNow }
	return j
}

func config(t *testing.T, v *httpouttest.Vendor, aggregate string) map[string]any {
	return map[string]any{propDescriptor: "soc", propUsername: testUser, propPassword: testPassword, propURL: v.URL + "/jira/",
		propProjectKey: "SEC", propIssueType: "Task", propAggregate: aggregate, httpout.PropCAFile: v.CAFile(t)}
}

// sendAll configures one plugin against v and sends each publication.
func sendAll(t *testing.T, v *httpouttest.Vendor, aggregate string, pubs ...string) []saplugin.SendResult {
	t.Helper()
	p := newTest(t)
	cfg := httpouttest.Configure(t, p, "soc", config(t, v, aggregate))
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
	if !configSchema.Properties[0].Descriptor {
		t.Error("the descriptor is not the first property")
	}
	for name, masked := range map[string]bool{propUsername: true, propPassword: true, propURL: true,
		propProjectKey: false, propIssueType: false, propAggregate: false} {
		p, _ := configSchema.Property(name)
		if p.Secret != masked || !p.Credential {
			t.Errorf("%s: secret %v credential %v, want %v true", name, p.Secret, p.Credential, masked)
		}
	}
}

// TestConformance checks the schema and runs the conformance harness in
// process.
func TestConformance(t *testing.T) {
	httpouttest.CheckInProcess(t, New())
}

// TestCreateIssue checks every request of a send without aggregation:
// log in, then create the issue with StreamAlert's default fields.
func TestCreateIssue(t *testing.T) {
	j := newJira(t)
	res := sendAll(t, j.Vendor, "no", "")[0]
	if res.Status != saplugin.Delivered || res.Message != "created issue SEC-1" {
		t.Fatalf("got %s (%s)", res.Status, res.Message)
	}
	reqs := j.Requests()
	if len(reqs) != 2 {
		t.Fatalf("Jira saw %d requests, want 2", len(reqs))
	}
	login, create := reqs[0], reqs[1]
	if login.Line() != "POST /jira/rest/auth/1/session" ||
		string(login.Body) != `{"password":"pa55: word with spaces 9e1b","username":"secops-bot-7f3c"}` || login.Header.Get("Cookie") != "" {
		t.Errorf("login %s %s", login.Line(), login.Body)
	}
	wantDesc := `{code:JSON}{"context": {}, "id": "alert-42", "record": {"host": "db1", "user": "root"}, ` +
		`"rule_description": "Root logged in", "rule_name": "root_login"}{code}`
	wantBody, _ := json.Marshal(map[string]any{"fields": map[string]any{"description": wantDesc, "issuetype": map[string]string{"name": "Task"},
		"project": map[string]string{"key": "SEC"}, "summary": wantSummary}})
	if create.Line() != "POST /jira/rest/api/2/issue" || string(create.Body) != string(wantBody) {
		t.Errorf("create %s\n got %s\nwant %s", create.Line(), create.Body, wantBody)
	}
	for _, r := range reqs {
		for k, v := range map[string]string{"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "sa-output-jira/0.1.0"} {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", r.Line(), k, got, v)
			}
		}
	}
	if got := create.Header.Get("Cookie"); got != "JSESSIONID=6E3487971234567896704A9EB4AE5001" {
		t.Errorf("create Cookie %q", got)
	}
}

// TestAggregate files two alerts of one rule: the first creates the issue,
// the second finds it by JQL and comments on it; a done issue is not
// reused. The session is opened once.
func TestAggregate(t *testing.T) {
	j := newJira(t)
	j.Add("SEC", wantSummary, true) // SEC-1, done: not reused
	j.Add("SEC", wantSummary+" (copy)", false)
	res := sendAll(t, j.Vendor, "YES", `{"@jira.description":"first"}`, `{"@jira.description":"second"}`)
	if res[0].Status != saplugin.Delivered || res[0].Message != "created issue SEC-3" {
		t.Fatalf("first: %s (%s)", res[0].Status, res[0].Message)
	}
	if res[1].Status != saplugin.Delivered || res[1].Message != "comment 20001 on issue SEC-3" {
		t.Fatalf("second: %s (%s)", res[1].Status, res[1].Message)
	}
	var lines []string
	for _, r := range j.Requests() {
		lines = append(lines, r.Method+" "+r.Path)
	}
	want := []string{"POST /jira/rest/auth/1/session", "GET /jira/rest/api/2/search", "POST /jira/rest/api/2/issue",
		"GET /jira/rest/api/2/search", "POST /jira/rest/api/2/issue/SEC-3/comment"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	search := j.Requests()[1]
	q, _ := url.ParseQuery(search.Query)
	if q.Get("jql") != wantJQL || q.Get("maxResults") != "20" || q.Get("fields") != "summary" || len(q) != 3 {
		t.Errorf("search query %v", q)
	}
	issues := j.Issues()
	if len(issues[2].Comments) != 1 || string(issues[2].Comments[0]) != `"second"` || len(issues[0].Comments)+len(issues[1].Comments) != 0 {
		t.Errorf("comments: %v", issues)
	}
}

// TestSessionRenewed has Jira forget the session between two alerts: the
// refused call is made again after a new login.
func TestSessionRenewed(t *testing.T) {
	j := newJira(t)
	p := newTest(t)
	cfg := httpouttest.Configure(t, p, "soc", config(t, j.Vendor, "no"))
	for i := range 2 {
		res := p.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
		if res.Status != saplugin.Delivered {
			t.Fatalf("send %d: %s (%s)", i, res.Status, res.Message)
		}
		j.expire()
	}
	var lines []string
	for _, r := range j.Requests() {
		lines = append(lines, r.Line()+" "+r.Header.Get("Cookie"))
	}
	want := []string{"POST /jira/rest/auth/1/session ", "POST /jira/rest/api/2/issue JSESSIONID=6E3487971234567896704A9EB4AE5001",
		"POST /jira/rest/api/2/issue JSESSIONID=6E3487971234567896704A9EB4AE5001",
		"POST /jira/rest/auth/1/session ", "POST /jira/rest/api/2/issue JSESSIONID=6E3487971234567896704A9EB4AE5002"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestPublicationFields(t *testing.T) {
	j := newJira(t)
	pub := `{"@jira.issue_summary":"root on\ndb1  ` + strings.Repeat("x", 300) + `","@jira.description":"h1. Root\n*db1*"}`
	if res := sendAll(t, j.Vendor, "no", pub)[0]; res.Status != saplugin.Delivered {
		t.Fatalf("got %s (%s)", res.Status, res.Message)
	}
	is := j.Issues()[0]
	if want := ("root on db1 " + strings.Repeat("x", 300))[:255]; is.Summary != want {
		t.Errorf("summary %q, want one line of 255", is.Summary)
	}
	if got := string(is.Fields["description"]); got != `"h1. Root\n*db1*"` {
		t.Errorf("description %s", got)
	}
}

func TestResults(t *testing.T) {
	tests := []struct {
		name      string
		aggregate string
		route     string
		reply     http.HandlerFunc
		status    saplugin.SendStatus
		msg       string
		wait      time.Duration
		created   int
	}{
		{"bad login", "no", "POST /rest/auth/1/session", httpouttest.Reply(401, `{"errorMessages":["Login failed"],"errors":{}}`),
			saplugin.Permanent, "log in: HTTP 401: Login failed", 0, 0},
		{"captcha", "no", "POST /rest/auth/1/session", httpouttest.Reply(403, `{"errorMessages":["CAPTCHA_CHALLENGE"],"errors":{}}`, "X-Seraph-LoginReason", "AUTHENTICATION_DENIED"),
			saplugin.Permanent, "log in: HTTP 403: CAPTCHA_CHALLENGE", 0, 0},
		{"login without session", "no", "POST /rest/auth/1/session", httpouttest.Reply(200, `{}`), saplugin.Retryable, "log in: the answer holds no session", 0, 0},
		{"create refused", "no", "POST /rest/api/2/issue",
			httpouttest.Reply(400, `{"errorMessages":[],"errors":{"issuetype":"valid issue type is required","project":"project is required"}}`),
			saplugin.Permanent, "create issue: HTTP 400: issuetype: valid issue type is required; project: project is required", 0, 0},
		{"create rate limited", "no", "POST /rest/api/2/issue", httpouttest.Reply(429, "", "Retry-After", "120"), saplugin.Retryable, "create issue: HTTP 429", 2 * time.Minute, 0},
		{"create unavailable", "no", "POST /rest/api/2/issue", httpouttest.Reply(503, "<html>maintenance</html>"), saplugin.Retryable, "create issue: HTTP 503: <html>maintenance</html>", 0, 0},
		{"search fails, no duplicate", "yes", "GET /rest/api/2/search", httpouttest.Reply(500, `{"errorMessages":["Internal server error"]}`),
			saplugin.Retryable, "search issues: HTTP 500: Internal server error", 0, 0},
		{"search refused, new issue", "yes", "GET /rest/api/2/search", httpouttest.Reply(400, `{"errorMessages":["The value 'SEC' does not exist for the field 'project'."]}`),
			saplugin.Delivered, "created issue", 0, 1},
		{"comment refused, new issue", "yes", "POST /rest/api/2/issue/SEC-1/comment", httpouttest.Reply(403, `{"errorMessages":["You do not have the permission to comment on this issue."]}`),
			saplugin.Delivered, "created issue SEC-2", 0, 2},
		{"comment rate limited", "yes", "POST /rest/api/2/issue/SEC-1/comment", httpouttest.Reply(429, "", "Retry-After", "5"),
			saplugin.Retryable, "add comment: HTTP 429", 5 * time.Second, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJira(t)
			if strings.Contains(tt.route, "comment") {
				j.Add("SEC", wantSummary, false)
			}
			j.Handle(tt.route, tt.reply)
			res := sendAll(t, j.Vendor, tt.aggregate, "")[0]
			if res.Status != tt.status || !strings.Contains(res.Message, tt.msg) || res.RetryAfter != tt.wait {
				t.Errorf("got %s %q wait %s, want %s %q wait %s", res.Status, res.Message, res.RetryAfter, tt.status, tt.msg, tt.wait)
			}
			if n := len(j.Issues()); n != tt.created {
				t.Errorf("%d issues, want %d", n, tt.created)
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
		{"aggregate default", map[string]any{propAggregate: nil}, ""},
		{"issue type with a space", map[string]any{propIssueType: "Service Request"}, ""},
		{"plain http", map[string]any{propURL: "http://jira.example.com"}, propURL},
		{"http to localhost", map[string]any{propURL: "http://localhost:8080/jira"}, ""},
		{"query in URL", map[string]any{propURL: "https://jira.example.com/?os_authType=basic"}, propURL},
		{"aggregate maybe", map[string]any{propAggregate: "maybe"}, propAggregate},
		{"project key", map[string]any{propProjectKey: "S EC"}, propProjectKey},
		{"no password", map[string]any{propPassword: nil}, propPassword},
		{"user with a colon", map[string]any{propUsername: "a:b"}, propUsername},
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
			for _, p := range problems {
				secrettest.AssertNoLeak(t, secrets, p.Message)
			}
		})
	}
}

// TestNoSecretLeak has Jira quote the credentials and the session back in
// every outcome of every step.
func TestNoSecretLeak(t *testing.T) {
	p := newTest(t)
	var texts []string
	echo := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"errorMessages":["%s refused for %s %s at %s"]}`, r.Header.Get("Cookie"), testUser, testPassword, r.Host)
		}
	}
	for _, route := range []string{"POST /rest/auth/1/session", "GET /rest/api/2/search", "POST /rest/api/2/issue"} {
		for _, code := range []int{400, 401, 429, 500} {
			j := newJira(t)
			j.Handle(route, echo(code))
			cfg := httpouttest.Configure(t, p, "soc", config(t, j.Vendor, "yes"))
			res := p.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
			texts = append(texts, res.Message)
			texts = append(texts, secrettest.Render(cfg)...)
		}
	}
	secrettest.AssertNoLeak(t, secrets, texts...)
}

// TestBinary runs the built plugin as the host would: the conformance
// harness, then configure over gRPC, two aggregated alerts, and its
// standard error read for leaks.
func TestBinary(t *testing.T) {
	b := httpouttest.StartChecked(t, "plugins/output/jira", version)
	j := newJira(t)
	if p := b.Configure(t, "soc", config(t, j.Vendor, "yes")); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	first := b.Send(t, "soc", testAlert, "")
	second := b.Send(t, "soc", testAlert, "")
	if first.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED || second.GetMessage() != "comment 20001 on issue SEC-1" {
		t.Fatalf("first %s (%s), second %s (%s)", first.GetStatus(), first.GetMessage(), second.GetStatus(), second.GetMessage())
	}
	b.KillNoLeak(t, secrets, first.GetMessage(), second.GetMessage())
}
