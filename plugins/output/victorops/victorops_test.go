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
	"github.com/streamalert-go/sa/sdk/plugintest"
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
	v.log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v.now = func() time.Time { return time.Unix(1700000000, 0) }
	return v
}

func config(t *testing.T, vendor *httpouttest.Vendor) map[string]any {
	return map[string]any{
		propDescriptor: "oncall", propAPIID: testAPIID, propAPIKey: testAPIKey,
		propURL: vendor.URL + restPath, propRoutingKey: routingKey, propCAFile: vendor.CAFile(t),
	}
}

func send(t *testing.T, vendor *httpouttest.Vendor, alert, pub string) saplugin.SendResult {
	t.Helper()
	v := newTest(io.Discard)
	cfg := httpouttest.Configure(t, v, "oncall", config(t, vendor))
	return v.Send(context.Background(), saplugin.SendRequest{Instance: "oncall", Config: cfg, Alert: []byte(alert), Publication: []byte(pub)})
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindOutput, New())
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{propAPIID, propAPIKey, propURL, propRoutingKey} {
		if p, _ := configSchema.Property(name); !p.Secret || !p.Credential || !p.Required {
			t.Errorf("%s: %+v, want a required masked credential as in StreamAlert", name, p)
		}
	}
	base := map[string]any{"descriptor": "oncall", "victorops_api_id": "id-1", "victorops_api_key": "key-1",
		"url": "https://alert.victorops.com/integrations/generic/20131114/alert/k", "routing_key": "sec"}
	for _, tt := range []struct{ field, value string }{
		{"url", "http://alert.victorops.com/x"}, {"routing_key", "a:b"}, {"routing_key", ".."}, {"descriptor", "a b"},
	} {
		raw := map[string]any{}
		for k, v := range base {
			raw[k] = v
		}
		raw[tt.field] = tt.value
		if p := httpouttest.Problems(New(), raw); len(p) != 1 || p[0].Field != tt.field {
			t.Errorf("%s=%q: problems %v", tt.field, tt.value, p)
		}
	}
	if p := httpouttest.Problems(New(), base); len(p) > 0 {
		t.Errorf("valid config: %v", p)
	}
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
	if r.Method != http.MethodPost || r.Path != restPath+"/"+routingKey || r.Query != "" {
		t.Errorf("request %s %s?%s", r.Method, r.Path, r.Query)
	}
	for k, want := range map[string]string{"Content-Type": "application/json", "X-Vo-Api-Id": testAPIID,
		"X-Vo-Api-Key": testAPIKey, "User-Agent": "sa-output-victorops/0.1.0"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
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

func TestBinary(t *testing.T) {
	b := httpouttest.StartBinary(t, "plugins/output/victorops")
	if name, ver := b.Describe(t); name != "victorops" || ver != version {
		t.Fatalf("Describe = %s %s", name, ver)
	}
	good := httpouttest.NewVendor(t, success)
	bad := httpouttest.NewVendor(t, httpouttest.Reply(200, `{"result":"failure","message":"Invalid API key `+testAPIKey+`"}`))
	for name, v := range map[string]*httpouttest.Vendor{"oncall": good, "ops": bad} {
		if p := b.Configure(t, name, config(t, v)); len(p) > 0 {
			t.Fatalf("configure %s: %v", name, p)
		}
	}
	res := b.Send(t, "oncall", testAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED || good.Only(t).Header.Get("X-VO-Api-Key") != testAPIKey {
		t.Fatalf("oncall: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	res = b.Send(t, "ops", testAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT || res.GetMessage() != "HTTP 200: failure: Invalid API key <secret>" {
		t.Fatalf("ops: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	b.Kill()
	secrettest.AssertNoLeak(t, secrets, res.GetMessage(), b.Stderr.String())
}
