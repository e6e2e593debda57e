package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// checkHeaders checks the headers every request of its kind carries.
func checkHeaders(t *testing.T, r captured) {
	t.Helper()
	want := map[string]string{"User-Agent": "sa-output-pagerduty-incident/0.1.0"}
	switch {
	case r.Path == "/v2/enqueue":
		want["Authorization"], want["From"], want["Content-Type"] = "", "", "application/json"
	case strings.HasPrefix(r.Path, "/rest/users"):
		want["Authorization"], want["From"] = "Token token="+testToken, ""
		want["Accept"] = "application/vnd.pagerduty+json;version=2"
	default:
		want["Authorization"], want["From"] = "Token token="+testToken, testFrom
		want["Accept"] = "application/vnd.pagerduty+json;version=2"
	}
	if r.Body != "" {
		want["Content-Type"] = "application/json"
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: header %s = %q, want %q", r.line(), k, got, v)
		}
	}
}

func TestSendDefaults(t *testing.T) {
	f := newFake(t)
	p := newTest(t)
	cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, f))
	res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
	if res.Status != saplugin.Delivered || res.Message != "incident PINC042 opened" {
		t.Fatalf("got %s (%s), want delivered", res.Status, res.Message)
	}
	reqs := f.requests()
	want := []struct{ line, body string }{
		{"GET /rest/users?query=secops%40example.com", ""},
		{"POST /v2/enqueue", `{"routing_key":"` + testKey + `","event_action":"trigger","dedup_key":"soc:alert-42",` +
			`"payload":{"summary":"StreamAlert Rule Triggered - root_login","source":"osquery:differential","severity":"critical",` +
			`"custom_details":{"description":"Root logged in","record":{"user":"root"}}},"client":"StreamAlert"}`},
		{"GET /rest/incidents?incident_key=soc%3Aalert-42", ""},
		{"PUT /rest/incidents/PINC042", `{"incident":{"type":"incident","title":"StreamAlert Incident - Rule triggered: root_login",` +
			`"service":{"id":"PSERV01","type":"service_reference"},"body":{"type":"incident_body","details":"Root logged in"},` +
			`"escalation_policy":{"id":"PESC001","type":"escalation_policy_reference"}}}`},
		{"POST /rest/incidents/PINC042/notes", `{"note":{"content":"Creating SOX Incident"}}`},
	}
	if len(reqs) != len(want) {
		t.Fatalf("fake saw %d requests, want %d: %v", len(reqs), len(want), lines(reqs))
	}
	for i, w := range want {
		if reqs[i].line() != w.line || reqs[i].Body != w.body {
			t.Errorf("request %d:\n got %s %s\nwant %s %s", i, reqs[i].line(), reqs[i].Body, w.line, w.body)
		}
		checkHeaders(t, reqs[i])
	}
}

func lines(reqs []captured) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.line())
	}
	return out
}

func TestSendWithContextAndPublication(t *testing.T) {
	f := newFake(t)
	f.hiddenSearches = 2
	p := newTest(t)
	cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, f))
	alert := `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in","log_source":"osquery",` +
		`"record":{"user":"root"},"context":{"pagerduty-incident":{"assigned_user":"alice@example.com","incident_priority":"P2",` +
		`"with_record":false,"note":"from context","responders":["bob@example.com","nobody@example.com"],"responder_message":"help"}}}`
	pub := `{"@pagerduty-incident.incident_title":"Root on db1","@pagerduty-incident.urgency":"low",` +
		`"@pagerduty-incident.note":"from publication","@pagerduty-v2.severity":"warning"}`
	res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg,
		Alert: []byte(alert), Publication: []byte(pub)})
	if res.Status != saplugin.Delivered || !strings.Contains(res.Message, "request responder nobody@example.com: no PagerDuty user") {
		t.Fatalf("got %s (%s), want delivered with the responder problem", res.Status, res.Message)
	}
	reqs := f.requests()
	want := []struct{ line, body string }{
		{"GET /rest/users?query=secops%40example.com", ""},
		{"POST /v2/enqueue", `{"routing_key":"` + testKey + `","event_action":"trigger","dedup_key":"soc:alert-42",` +
			`"payload":{"summary":"StreamAlert Rule Triggered - root_login","source":"osquery","severity":"warning",` +
			`"custom_details":{"description":"Root logged in"}},"client":"StreamAlert"}`},
		{"GET /rest/incidents?incident_key=soc%3Aalert-42", ""},
		{"GET /rest/incidents?incident_key=soc%3Aalert-42", ""},
		{"GET /rest/incidents?incident_key=soc%3Aalert-42", ""},
		{"GET /rest/priorities", ""},
		{"GET /rest/users?query=alice%40example.com", ""},
		{"PUT /rest/incidents/PINC042", `{"incident":{"type":"incident","title":"Root on db1",` +
			`"service":{"id":"PSERV01","type":"service_reference"},"body":{"type":"incident_body","details":"Root logged in"},` +
			`"priority":{"id":"PPRIO02","type":"priority_reference"},` +
			`"assignments":[{"assignee":{"id":"PALICE1","type":"user_reference"}}],"urgency":"low"}}`},
		{"GET /rest/users?query=bob%40example.com", ""},
		{"POST /rest/incidents/PINC042/responder_requests", `{"message":"help","requester_id":"PFROM01",` +
			`"responder_request_targets":[{"responder_request_target":{"id":"PBOB001","type":"user_reference"}}]}`},
		{"GET /rest/users?query=nobody%40example.com", ""},
		{"POST /rest/incidents/PINC042/notes", `{"note":{"content":"from publication"}}`},
		{"POST /rest/incidents/PINC042/notes", `{"note":{"content":"StreamAlert failed to correctly setup this incident. ` +
			`Please contact your StreamAlert administrator.\n\nErrors:\n- request responder nobody@example.com: no PagerDuty user has this email"}}`},
	}
	if len(reqs) != len(want) {
		t.Fatalf("fake saw %d requests, want %d: %v", len(reqs), len(want), lines(reqs))
	}
	for i, w := range want {
		if reqs[i].line() != w.line || reqs[i].Body != w.body {
			t.Errorf("request %d:\n got %s %s\nwant %s %s", i, reqs[i].line(), reqs[i].Body, w.line, w.body)
		}
		checkHeaders(t, reqs[i])
	}
}

func TestSendFailures(t *testing.T) {
	unauthorized := `{"error":{"message":"Unauthorized","code":2006}}`
	invalid := `{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect"]}`
	tests := []struct {
		name       string
		route      string
		handler    http.HandlerFunc
		hidden     int
		context    string
		want       saplugin.SendStatus
		wantWait   time.Duration
		wantMsg    string
		wantNoPUT  bool
		wantInBody string // in the PUT body
	}{
		{name: "bad token", route: "GET /rest/users", handler: answer(401, unauthorized),
			want: saplugin.Permanent, wantMsg: "find email_from user: HTTP 401: " + unauthorized, wantNoPUT: true},
		{name: "unknown From user", route: "GET /rest/users", handler: answer(200, `{"users":[]}`),
			want: saplugin.Permanent, wantMsg: "no PagerDuty user has the email secops@example.com", wantNoPUT: true},
		{name: "REST rate limit", route: "GET /rest/users", handler: answer(429, `{"error":{"message":"Rate Limit Exceeded","code":2020}}`, "Retry-After", "20"),
			want: saplugin.Retryable, wantWait: 20 * time.Second, wantMsg: "Rate Limit Exceeded", wantNoPUT: true},
		{name: "invalid event", route: "POST /v2/enqueue", handler: answer(400, invalid),
			want: saplugin.Permanent, wantMsg: "enqueue event: HTTP 400: " + invalid, wantNoPUT: true},
		{name: "events rate limit", route: "POST /v2/enqueue", handler: answer(429, "", "Retry-After", "7"),
			want: saplugin.Retryable, wantWait: 7 * time.Second, wantMsg: "enqueue event: HTTP 429", wantNoPUT: true},
		{name: "incident not searchable yet", hidden: 5,
			want: saplugin.Retryable, wantMsg: "no incident with key soc:alert-42 yet, after 3 searches", wantNoPUT: true},
		{name: "not JSON", route: "GET /rest/incidents", handler: answer(200, "<html>proxy</html>"),
			want: saplugin.Retryable, wantMsg: "find incident: HTTP 200 with a body that is not JSON", wantNoPUT: true},
		{name: "update fails", route: "PUT /rest/incidents/" + incidentID, handler: answer(500, "oops"),
			want: saplugin.Retryable, wantMsg: "update incident: HTTP 500: oops"},
		{name: "update refused", route: "PUT /rest/incidents/" + incidentID, handler: answer(400, `{"error":{"message":"Invalid Input Provided"}}`),
			want: saplugin.Permanent, wantMsg: "update incident: HTTP 400"},
		{name: "priorities unavailable: no priority", route: "GET /rest/priorities", handler: answer(403, `{"error":{"message":"Access Denied"}}`),
			context: `{"incident_priority":"P1"}`, want: saplugin.Delivered, wantInBody: `"escalation_policy"`},
		{name: "priority lookup retryable", route: "GET /rest/priorities", handler: answer(503, "down"),
			context: `{"incident_priority":"P1"}`, want: saplugin.Retryable, wantMsg: "list priorities: HTTP 503", wantNoPUT: true},
		{name: "unknown assignee: policy from context", context: `{"assigned_user":"ghost@example.com","assigned_policy_id":"PCTX001"}`,
			want: saplugin.Delivered, wantInBody: `"escalation_policy":{"id":"PCTX001","type":"escalation_policy_reference"}`},
		{name: "note fails: still delivered", route: "POST /rest/incidents/" + incidentID + "/notes", handler: answer(500, "note store down"),
			want: saplugin.Delivered, wantMsg: "add note: HTTP 500: note store down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.hiddenSearches = tt.hidden
			if tt.route != "" {
				f.set(tt.route, tt.handler)
			}
			p := newTest(t)
			cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, f))
			alert := testAlert
			if tt.context != "" {
				alert = strings.Replace(testAlert, `"context":{}`, `"context":{"pagerduty-incident":`+tt.context+`}`, 1)
			}
			res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(alert)})
			if res.Status != tt.want || res.RetryAfter != tt.wantWait || !strings.Contains(res.Message, tt.wantMsg) {
				t.Fatalf("got %s after %s (%q), want %s after %s containing %q",
					res.Status, res.RetryAfter, res.Message, tt.want, tt.wantWait, tt.wantMsg)
			}
			var put *captured
			for _, r := range f.requests() {
				if r.Method == http.MethodPut {
					put = &r
				}
			}
			if tt.wantNoPUT != (put == nil) {
				t.Fatalf("incident updated: %v, want %v (%v)", put != nil, !tt.wantNoPUT, lines(f.requests()))
			}
			if put != nil && !strings.Contains(put.Body, tt.wantInBody) {
				t.Errorf("PUT body %s lacks %s", put.Body, tt.wantInBody)
			}
		})
	}
}

// TestSendNoSecretLeak has every endpoint quote the request's credentials
// back in its errors, and checks results, logs and notes for them.
func TestSendNoSecretLeak(t *testing.T) {
	echo := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			quoted := r.Header.Get("Authorization") + " key " + testKey
			w.Write([]byte(`{"error":{"message":"bad ` + quoted + `"}}`))
		}
	}
	p := newTest(t)
	var texts []string
	for _, route := range []string{"GET /rest/users", "POST /v2/enqueue", "PUT /rest/incidents/" + incidentID,
		"POST /rest/incidents/" + incidentID + "/notes"} {
		for _, code := range []int{400, 500} {
			f := newFake(t)
			f.set(route, echo(code))
			cfg := httpouttest.Configure(t, p, testDescriptor, baseConfig(t, f))
			res := p.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
			texts = append(texts, res.Message)
			for _, r := range f.requests() {
				if strings.HasSuffix(r.Path, "/notes") {
					texts = append(texts, r.Body) // the instability note
				}
			}
			want := "bad Token token=<secret> key <secret>"
			if route == "POST /v2/enqueue" {
				want = "bad  key <secret>" // the events API takes no Authorization header
			}
			if !strings.Contains(res.Message, want) {
				t.Errorf("%s %d: message %q, want the echoed credentials masked", route, code, res.Message)
			}
		}
	}
	secrettest.AssertNoLeak(t, secrets, texts...)
}

func TestValidateConfig(t *testing.T) {
	f := newFake(t)
	base := func(t *testing.T) map[string]any { return baseConfig(t, f) }
	httpouttest.CheckProblems(t, New(), base, secrets, []httpouttest.ProblemCase{
		{Name: "defaults", Change: map[string]any{propAPI: nil, propEventsURL: nil, httpout.PropCAFile: nil}},
		{Name: "labels", Change: map[string]any{propServiceName: "Security Alerts", propEscalationPolicy: "On call: SOC"}},
		{Name: "plain http api", Change: map[string]any{propAPI: "http://api.pagerduty.com"}, Field: propAPI},
		{Name: "events URL with query", Change: map[string]any{propEventsURL: "https://events.pagerduty.com/v2/enqueue?k=1"}, Field: propEventsURL},
		{Name: "bad service id", Change: map[string]any{propServiceID: "services/PDBBCC9"}, Field: propServiceID},
		{Name: "bad email", Change: map[string]any{propEmailFrom: "secops"}, Field: propEmailFrom},
		{Name: "no token", Change: map[string]any{propToken: nil}, Field: propToken},
		{Name: "no integration key", Change: map[string]any{propIntegrationKey: nil}, Field: propIntegrationKey},
		{Name: "timeout", Change: map[string]any{httpout.PropTimeout: 0}, Field: httpout.PropTimeout},
	})
}
