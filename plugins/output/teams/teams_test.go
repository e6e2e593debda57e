package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

// hookPath is the secret part of the webhook URL.
const hookPath = "/webhookb2/1f0e-secret-guid@tenant/IncomingWebhook/c0ffeeSecret99/owner"

var secrets = []string{hookPath, "1f0e-secret-guid@tenant", "c0ffeeSecret99"}

const testAlert = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
	`"record":{"user":"root","count":3,"ok":true,"tags":["a","b"],"geo":{"city":"Paris <x>"},"empty":{}}}`

// wantDefault is StreamAlert's card for testAlert, as plain JSON.
const wantDefault = `{"@type":"MessageCard","@context":"https://schema.org/extensions",` +
	`"summary":"StreamAlert Rule Triggered: root_login","themeColor":"E81123",` +
	`"title":"StreamAlert Rule Triggered: root_login","text":"Root logged in","sections":[` +
	`{"activityTitle":"Alert Info","facts":[{"name":"rule_name","value":"root_login"},{"name":"alert_id","value":"alert-42"}]},` +
	`{"activityTitle":"StreamAlert Alert Record","facts":[{"name":"user","value":"root"},{"name":"count","value":"3"},` +
	`{"name":"ok","value":"True"},{"name":"tags","value":"['a', 'b']"},{"name":"geo","value":"{'city': 'Paris <x>'}"},` +
	`{"name":"empty","value":"{}"}]}]}`

func newTest(logs io.Writer) *httpout.IncomingWebhook {
	s := New()
	s.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.Now = func() time.Time { return time.Unix(1700000000, 0) }
	return s
}

func config(t *testing.T, v *httpouttest.Vendor) map[string]any {
	return map[string]any{propDescriptor: "soc", propURL: v.URL + hookPath, propCAFile: v.CAFile(t)}
}

func send(t *testing.T, v *httpouttest.Vendor, alert, pub string) saplugin.SendResult {
	t.Helper()
	s := newTest(io.Discard)
	cfg := httpouttest.Configure(t, s, "soc", config(t, v))
	return s.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(alert), Publication: []byte(pub)})
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindOutput, New())
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	url, _ := configSchema.Property(propURL)
	if !url.Secret || !url.Credential || !url.Required {
		t.Errorf("url %+v: want a masked credential", url)
	}
	for _, tt := range []struct {
		raw   map[string]any
		field string
	}{
		{map[string]any{"descriptor": "soc", "url": "https://x.webhook.office.com/webhookb2/abc"}, ""},
		{map[string]any{"descriptor": "soc", "url": "http://x.webhook.office.com/webhookb2/abc"}, "url"},
		{map[string]any{"descriptor": "s c", "url": "https://x.webhook.office.com/webhookb2/abc"}, "descriptor"},
	} {
		p := httpouttest.Problems(New(), tt.raw)
		if tt.field == "" && len(p) > 0 || tt.field != "" && (len(p) != 1 || p[0].Field != tt.field) {
			t.Errorf("%v: problems %v, want on %q", tt.raw, p, tt.field)
		}
	}
}

func TestSendDefaultCard(t *testing.T) {
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "1"))
	if res := send(t, v, testAlert, ""); res.Status != saplugin.Delivered {
		t.Fatalf("status %s (%s)", res.Status, res.Message)
	}
	r := v.Only(t)
	if r.Method != http.MethodPost || r.Path != hookPath || r.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
		r.Header.Get("User-Agent") != "sa-output-teams/0.1.0" {
		t.Errorf("request %s %s, headers %v", r.Method, r.Path, r.Header)
	}
	if string(r.Body) != wantDefault {
		t.Errorf("body\n%s\nwant\n%s", r.Body, wantDefault)
	}
}

func TestSendPublicationFields(t *testing.T) {
	pub := `{"@teams.title":"Root!","@teams.description":"see runbook","@teams.card_color":"00FF00",` +
		`"@teams.with_record":false,"@teams.additional_card_sections":[{"activityTitle":"Extra","text":"more"}],` +
		`"@teams.buttons":[["Runbook","https://runbooks.example.com/root"],{"text":"Search","url":"https://siem.example.com/?q=root"}]}`
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "1"))
	if res := send(t, v, testAlert, pub); res.Status != saplugin.Delivered {
		t.Fatalf("status %s (%s)", res.Status, res.Message)
	}
	want := `{"@type":"MessageCard","@context":"https://schema.org/extensions","summary":"Root!","themeColor":"00FF00",` +
		`"title":"Root!","text":"see runbook","sections":[` +
		`{"activityTitle":"Alert Info","facts":[{"name":"rule_name","value":"root_login"},{"name":"alert_id","value":"alert-42"}]},` +
		`{"activityTitle":"Extra","text":"more"}],"potentialAction":[` +
		`{"@type":"OpenUri","name":"Runbook","targets":[{"os":"default","uri":"https://runbooks.example.com/root"}]},` +
		`{"@type":"OpenUri","name":"Search","targets":[{"os":"default","uri":"https://siem.example.com/?q=root"}]}]}`
	if got := string(v.Only(t).Body); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
}

func TestSendOversizedRecord(t *testing.T) {
	alert := `{"id":"a","rule_name":"r","record":{"blob":"` + strings.Repeat("x", 40000) + `"}}`
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "1"))
	if res := send(t, v, alert, ""); res.Status != saplugin.Delivered {
		t.Fatalf("status %s (%s)", res.Status, res.Message)
	}
	body := v.Only(t).Body
	if len(body) > maxCard || !strings.Contains(string(body), "The record is left out") {
		t.Errorf("card of %d bytes", len(body))
	}
}

func TestSendBadInput(t *testing.T) {
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "1"))
	for _, pub := range []string{`{"@teams.buttons":[["only text"]]}`, `{"@teams.additional_card_sections":"x"}`, `{"@teams.additional_card_sections":[1]}`} {
		if res := send(t, v, testAlert, pub); res.Status != saplugin.Permanent {
			t.Errorf("%s: %s, want permanent", pub, res.Status)
		}
	}
	if len(v.Requests()) != 0 {
		t.Error("unrenderable publications were sent")
	}
}

func TestTruthy(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "false": false, "null": false, "0": false, "0.0": false, "1": true,
		`""`: false, `"no"`: true, "[]": false, "[0]": true, "{}": false, `{"a":1}`: true} {
		if got := truthy(json.RawMessage(v)); got != want {
			t.Errorf("truthy(%s) = %v", v, got)
		}
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
		{"connector ok", httpouttest.Reply(200, "1"), saplugin.Delivered, "HTTP 200", 0},
		{"workflow accepted", httpouttest.Reply(202, ""), saplugin.Delivered, "HTTP 202", 0},
		{"bad payload", httpouttest.Reply(400, "Bad payload received by generic incoming webhook."), saplugin.Permanent,
			"HTTP 400: Bad payload received by generic incoming webhook.", 0},
		{"throttled in a 200", httpouttest.Reply(200, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId abc"),
			saplugin.Retryable, "HTTP error 429", 0},
		{"error in a 200", httpouttest.Reply(200, "Summary or Text is required."), saplugin.Permanent, "HTTP 200: Summary or Text is required.", 0},
		{"too large", httpouttest.Reply(413, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413"), saplugin.Permanent, "HTTP 413", 0},
		{"rate limited", httpouttest.Reply(429, "", "Retry-After", "12"), saplugin.Retryable, "HTTP 429", 12 * time.Second},
		{"unavailable", httpouttest.Reply(503, "Service Unavailable"), saplugin.Retryable, "HTTP 503: Service Unavailable", 0},
		{"gone", httpouttest.Reply(410, "Connector configuration not found"), saplugin.Permanent, "HTTP 410", 0},
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

func TestNoSecretLeak(t *testing.T) {
	logs := secrettest.NewWriter(t, secrets)
	s := newTest(logs)
	var texts []string
	for _, code := range []int{200, 400, 429, 500} {
		v := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, "connector %s failed", r.URL.Path)
		})
		cfg := httpouttest.Configure(t, s, "soc", config(t, v))
		res := s.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
		texts = append(texts, res.Message)
		texts = append(texts, secrettest.Render(cfg)...)
	}
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "1"))
	raw := config(t, v)
	v.Close()
	cfg := httpouttest.Configure(t, s, "soc", raw)
	res := s.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
	texts = append(texts, res.Message)
	secrettest.AssertNoLeak(t, secrets, texts...)
	if !strings.Contains(texts[0], "connector <secret> failed") || res.Status != saplugin.Retryable {
		t.Errorf("messages %q, %s", texts[0], res.Status)
	}
}

func TestBinary(t *testing.T) {
	b := httpouttest.StartBinary(t, "plugins/output/teams")
	if name, ver := b.Describe(t); name != "teams" || ver != version {
		t.Fatalf("Describe = %s %s", name, ver)
	}
	good := httpouttest.NewVendor(t, httpouttest.Reply(200, "1"))
	bad := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, "Bad payload for %s", r.URL.Path)
	})
	for name, v := range map[string]*httpouttest.Vendor{"soc": good, "ops": bad} {
		if p := b.Configure(t, name, config(t, v)); len(p) > 0 {
			t.Fatalf("configure %s: %v", name, p)
		}
	}
	res := b.Send(t, "soc", testAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED || string(good.Only(t).Body) != wantDefault {
		t.Fatalf("soc: %s (%s), body %s", res.GetStatus(), res.GetMessage(), good.Only(t).Body)
	}
	res = b.Send(t, "ops", testAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT || res.GetMessage() != "HTTP 400: Bad payload for <secret>" {
		t.Fatalf("ops: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	b.Kill()
	secrettest.AssertNoLeak(t, secrets, res.GetMessage(), b.Stderr.String())
}
