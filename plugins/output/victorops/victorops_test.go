package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const (
	restPath   = "/integrations/generic/20131114/alert/5e1f-rest-key-0a9b8c7d"
	testAPIID  = "apiid-77f0e1d2"
	testAPIKey = "apikey-secret-4c3b2a1908"
	routingKey = "security-team"
)

var secrets = []string{"5e1f-rest-key-0a9b8c7d", testAPIID, testAPIKey}

const testAlert = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
	`"record":{"user":"root","count":3}}`

// success is the REST endpoint's answer to an accepted alert.
var success = httpouttest.Reply(200, `{"result":"success","entity_id":"streamalert/alert"}`, "Content-Type", "application/json")

func newTest(logs io.Writer) *VictorOps {
	v := New()
	v.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v.Now = func() time.Time { return fixedNow }
	return v
}

var fixedNow = time.Unix(1700000000, 0)

func config(t *testing.T, vendor *httpouttest.Vendor) map[string]any {
	return map[string]any{
		propDescriptor: "oncall", propAPIID: testAPIID, propAPIKey: testAPIKey,
		propURL: vendor.URL + restPath, propRoutingKey: routingKey, propCAFile: vendor.CAFile(t),
	}
}

// endpoint drives the checks shared with other outputs posting to one URL.
var endpoint = httpouttest.Endpoint{
	New:      func(*testing.T) httpouttest.Plugin { return newTest(io.Discard) },
	Config:   config,
	URLProp:  propURL,
	Path:     restPath + "/" + routingKey,
	Instance: "oncall",
	Alert:    testAlert,
	Secrets:  secrets,
}

func send(t *testing.T, vendor *httpouttest.Vendor, alert, pub string) saplugin.SendResult {
	t.Helper()
	v := newTest(io.Discard)
	cfg := httpouttest.Configure(t, v, "oncall", config(t, vendor))
	return v.Send(context.Background(), saplugin.SendRequest{Instance: "oncall", Config: cfg, Alert: []byte(alert), Publication: []byte(pub)})
}

// TestConformance checks the schema and runs the conformance harness in
// process.
func TestConformance(t *testing.T) {
	httpouttest.CheckInProcess(t, New())
}

func TestSchema(t *testing.T) {
	for _, name := range []string{propAPIID, propAPIKey, propURL, propRoutingKey} {
		if p, _ := configSchema.Property(name); !p.Secret || !p.Credential || !p.Required {
			t.Errorf("%s: %+v, want a required masked credential as in StreamAlert", name, p)
		}
	}
	base := func(*testing.T) map[string]any {
		return map[string]any{"descriptor": "oncall", "victorops_api_id": "id-1", "victorops_api_key": "key-1",
			"url": "https://alert.victorops.com/integrations/generic/20131114/alert/k", "routing_key": "sec"}
	}
	httpouttest.CheckProblems(t, New(), base, []string{"id-1", "key-1"}, []httpouttest.ProblemCase{
		{Name: "valid"},
		{Name: "plain http", Change: map[string]any{"url": "http://alert.victorops.com/x"}, Field: "url"},
		{Name: "colon in routing key", Change: map[string]any{"routing_key": "a:b"}, Field: "routing_key"},
		{Name: "dot dot routing key", Change: map[string]any{"routing_key": ".."}, Field: "routing_key"},
		{Name: "descriptor with a space", Change: map[string]any{"descriptor": "a b"}, Field: "descriptor"},
		{Name: "missing CA file", Change: map[string]any{"ca_file": "/nonexistent/ca.pem"}, Field: "ca_file"},
	})
}

func TestSendAlert(t *testing.T) {
	vendor := httpouttest.NewVendor(t, success)
	// A publication from a publisher chain: only its record is sent.
	pub := `{"record":{"user":"root","note":"a<b"},"rule_name":"ignored"}`
	res := send(t, vendor, testAlert, pub)
	if res.Status != saplugin.Delivered || res.Message != "HTTP 200: success" {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	r := vendor.Only(t)
	if r.Query != "" {
		t.Errorf("request query %q, want none", r.Query)
	}
	endpoint.CheckPost(t, r, map[string]string{"Content-Type": "application/json", "X-Vo-Api-Id": testAPIID,
		"X-Vo-Api-Key": testAPIKey, "User-Agent": "sa-output-victorops/0.1.0"})
	want := `{"message_type":"CRITICAL","entity_id":"streamalert/alert","entity_display_name":"root_login",` +
		`"record":{"user":"root","note":"a\u003cb"}}`
	if string(r.Body) != want {
		t.Errorf("body\n%s\nwant\n%s", r.Body, want)
	}
}

func TestSendDefaultPublication(t *testing.T) {
	vendor := httpouttest.NewVendor(t, success)
	send(t, vendor, testAlert, "")
	want := `{"message_type":"CRITICAL","entity_id":"streamalert/alert","entity_display_name":"root_login","record":{"user":"root","count":3}}`
	if got := string(vendor.Only(t).Body); got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

func TestSendWithoutRecord(t *testing.T) {
	vendor := httpouttest.NewVendor(t, success)
	if res := send(t, vendor, testAlert, `{"summary":"x"}`); res.Status != saplugin.Permanent || !strings.Contains(res.Message, "no record") {
		t.Errorf("%s (%s), want permanent", res.Status, res.Message)
	}
	if len(vendor.Requests()) != 0 {
		t.Error("sent without a record")
	}
}

func TestSendResults(t *testing.T) {
	tests := []struct {
		name   string
		reply  http.HandlerFunc
		status saplugin.SendStatus
		msg    string
		wait   time.Duration
	}{
		{"failure in a 200", httpouttest.Reply(200, `{"result":"failure","message":"Missing fields: message_type"}`), saplugin.Permanent, "HTTP 200: failure: Missing fields: message_type", 0},
		{"bad request", httpouttest.Reply(400, `{"result":"failure","message":"Invalid JSON"}`), saplugin.Permanent, "HTTP 400: Invalid JSON", 0},
		{"unknown key", httpouttest.Reply(404, `Not Found`), saplugin.Permanent, "HTTP 404: Not Found", 0},
		{"rate limited", httpouttest.Reply(429, `{"result":"failure","message":"Rate limit exceeded"}`, "Retry-After", "2"), saplugin.Retryable, "HTTP 429: Rate limit exceeded", 2 * time.Second},
		{"unavailable", httpouttest.Reply(503, `upstream unavailable`), saplugin.Retryable, "HTTP 503: upstream unavailable", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := send(t, httpouttest.NewVendor(t, tt.reply), testAlert, "")
			if res.Status != tt.status || res.Message != tt.msg || res.RetryAfter != tt.wait {
				t.Errorf("got %s %q wait %s, want %s %q wait %s", res.Status, res.Message, res.RetryAfter, tt.status, tt.msg, tt.wait)
			}
		})
	}
}

// TestSendStatuses checks the answers every output classifies alike.
func TestSendStatuses(t *testing.T) {
	endpoint.CheckStatuses(t, httpouttest.StatusCases(fixedNow, maxRetryAfter))
}

// TestSendVerifiesTLS checks that without the endpoint's CA the send
// fails, on every attempt, not just the first.
func TestSendVerifiesTLS(t *testing.T) {
	vendor := httpouttest.NewVendor(t, success)
	httpouttest.CheckVerifiesTLS(t, newTest(io.Discard), vendor, config(t, vendor), "oncall", testAlert)
}

func TestNoSecretLeak(t *testing.T) {
	logs := secrettest.NewWriter(t, secrets)
	v := newTest(logs)
	var texts []string
	for _, code := range []int{200, 400, 429, 500} {
		vendor := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"result":"failure","message":"no integration %s for %s/%s"}`, r.URL.Path, r.Header.Get("X-VO-Api-Id"), r.Header.Get("X-VO-Api-Key"))
		})
		cfg := httpouttest.Configure(t, v, "oncall", config(t, vendor))
		res := v.Send(context.Background(), saplugin.SendRequest{Instance: "oncall", Config: cfg, Alert: []byte(testAlert)})
		texts = append(texts, res.Message)
		texts = append(texts, secrettest.Render(cfg)...)
	}
	vendor := httpouttest.NewVendor(t, success)
	raw := config(t, vendor)
	vendor.Close()
	cfg := httpouttest.Configure(t, v, "oncall", raw)
	res := v.Send(context.Background(), saplugin.SendRequest{Instance: "oncall", Config: cfg, Alert: []byte(testAlert)})
	texts = append(texts, res.Message)
	secrettest.AssertNoLeak(t, secrets, texts...)
	if res.Status != saplugin.Retryable || !strings.Contains(texts[0], "no integration <secret> for <secret>/<secret>") {
		t.Errorf("closed server %s; first message %q", res.Status, texts[0])
	}
}

// TestBinary runs the built plugin as the host would: the conformance
// harness, then describe, configure two instances over gRPC, send to
// each, and its standard error read for leaks.
func TestBinary(t *testing.T) {
	b := httpouttest.StartChecked(t, "plugins/output/victorops", version)
	good := httpouttest.NewVendor(t, success)
	bad := httpouttest.NewVendor(t, httpouttest.Reply(200, `{"result":"failure","message":"Invalid API key `+testAPIKey+`"}`))
	res := b.Deliver(t, "oncall", config(t, good), testAlert, "")
	if good.Only(t).Header.Get("X-VO-Api-Key") != testAPIKey {
		t.Fatalf("oncall: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	if p := b.Configure(t, "ops", config(t, bad)); len(p) > 0 {
		t.Fatalf("configure ops: %v", p)
	}
	res = b.Send(t, "ops", testAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT || res.GetMessage() != "HTTP 200: failure: Invalid API key <secret>" {
		t.Fatalf("ops: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	b.KillNoLeak(t, secrets, res.GetMessage())
}
