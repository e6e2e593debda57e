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
const hookPath = "/services/T0SECRET1/B0SECRET2/xoxSecretToken123456"

var secrets = []string{hookPath, "xoxSecretToken123456", "T0SECRET1/B0SECRET2"}

const testAlert = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
	`"record":{"user":"root","count":3,"ok":true,"tags":["a","b"],"geo":{"city":"Paris <x>"},"empty":{}}}`

// wantDefault is StreamAlert's rendering of testAlert.
const wantDefault = `{"text":"*StreamAlert Rule Triggered: root_login*","mrkdwn":true,"attachments":[` +
	`{"fallback":"*StreamAlert Rule Triggered: root_login*","color":"#b22222",` +
	`"pretext":"*Rule Description:*\nRoot logged in\n","title":"Record:",` +
	`"text":"*count:* 3\n*empty:* {}\n*geo:*\n\t*city:* Paris &lt;x&gt;\n*ok:* True\n*tags:*\n\t*[1]* a\n\t*[2]* b\n*user:* root",` +
	`"mrkdwn_in":["text","pretext"]}]}`

var fixedNow = time.Unix(1700000000, 0)

func newTest(logs io.Writer) *httpout.IncomingWebhook {
	s := New()
	s.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.Now = func() time.Time { return fixedNow }
	return s
}

func config(t *testing.T, v *httpouttest.Vendor) map[string]any {
	return map[string]any{propDescriptor: "soc", propURL: v.URL + hookPath, propCAFile: v.CAFile(t)}
}

// send configures a fresh plugin against v and sends one alert.
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
	d, _ := configSchema.Property(propDescriptor)
	if !url.Secret || !url.Credential || !url.Required || !d.Descriptor || d.ForbiddenChars != " :" {
		t.Errorf("url %+v, descriptor %+v: want a masked credential URL and StreamAlert's descriptor", url, d)
	}
}

func TestValidateConfig(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T0/B0/abc123secret"
	tests := []struct {
		name  string
		raw   map[string]any
		field string
	}{
		{"valid", map[string]any{"descriptor": "soc", "url": hook}, ""},
		{"plain http", map[string]any{"descriptor": "soc", "url": "http://hooks.slack.com/services/x"}, "url"},
		{"space in url", map[string]any{"descriptor": "soc", "url": hook + " x"}, "url"},
		{"no host", map[string]any{"descriptor": "soc", "url": "https:///x"}, "url"},
		{"missing url", map[string]any{"descriptor": "soc"}, "url"},
		{"colon in descriptor", map[string]any{"descriptor": "a:b", "url": hook}, "descriptor"},
		{"missing CA file", map[string]any{"descriptor": "soc", "url": hook, "ca_file": "/nonexistent/ca.pem"}, "ca_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := httpouttest.Problems(New(), tt.raw)
			if tt.field == "" && len(problems) > 0 || tt.field != "" && (len(problems) != 1 || problems[0].Field != tt.field) {
				t.Fatalf("problems %v, want one on %q", problems, tt.field)
			}
			for _, p := range problems {
				secrettest.AssertNoLeak(t, []string{"abc123secret"}, p.Message)
			}
		})
	}
}

func TestSendDefaultMessage(t *testing.T) {
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "ok"))
	// No publication: the alert is the publication, as StreamAlert's
	// default publisher makes it.
	if res := send(t, v, testAlert, ""); res.Status != saplugin.Delivered {
		t.Fatalf("status %s (%s)", res.Status, res.Message)
	}
	r := v.Only(t)
	if r.Method != http.MethodPost || r.Path != hookPath || r.Query != "" {
		t.Errorf("request %s %s?%s, want POST %s", r.Method, r.Path, r.Query, hookPath)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if got := r.Header.Get("User-Agent"); got != "sa-output-slack/0.1.0" {
		t.Errorf("User-Agent %q", got)
	}
	if string(r.Body) != wantDefault {
		t.Errorf("body\n%s\nwant\n%s", r.Body, wantDefault)
	}
}

func TestSendPublicationFields(t *testing.T) {
	long := strings.Repeat("x", 5000)
	var custom []string
	for i := range 25 {
		custom = append(custom, fmt.Sprintf(`{"title":"t%d","color":"#000000","extra":%d}`, i, i))
	}
	custom[0] = `{"text":"` + long + `","fields":[{"title":"a","value":"b","short":true}]}`
	pub := `{"@slack.text":"Rule triggered","@slack.attachments":[` + strings.Join(custom, ",") + `]}`
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "ok"))
	if res := send(t, v, testAlert, pub); res.Status != saplugin.Delivered {
		t.Fatalf("status %s (%s)", res.Status, res.Message)
	}
	var got struct {
		Text        string           `json:"text"`
		Mrkdwn      bool             `json:"mrkdwn"`
		Attachments []map[string]any `json:"attachments"`
	}
	body := v.Only(t).Body
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Text != "Rule triggered" || !got.Mrkdwn || len(got.Attachments) != maxAttachments {
		t.Fatalf("text %q mrkdwn %v, %d attachments; want the publication's text and 20", got.Text, got.Mrkdwn, len(got.Attachments))
	}
	first := got.Attachments[0]
	wantText := strings.Repeat("x", 1997) + " ... " + strings.Repeat("x", 1997)
	if first["text"] != wantText || first["color"] != "#36a64f" || first["ts"] != "" || len(first["fields"].([]any)) != 1 {
		t.Errorf("first attachment not merged onto the skeleton and elided: %v", first)
	}
	if a := got.Attachments[1]; a["title"] != "t1" || a["color"] != "#000000" || a["extra"] != 1.0 || a["text"] != "" {
		t.Errorf("second attachment %v", a)
	}
	// Skeleton keys come first, in StreamAlert's order, then the publisher's.
	if !strings.Contains(string(body), `{"fallback":"","color":"#000000","pretext":"","author_name":"","author_link":"","author_icon":"","title":"t1",`) ||
		!strings.Contains(string(body), `"mrkdwn_in":["text","pretext"],"extra":1}`) {
		t.Errorf("attachment key order: %s", body[:min(len(body), 600)])
	}
}

func TestSendSplitsLongRecord(t *testing.T) {
	// 30 lines of 400 characters: parts cut at newlines, each ≤ 4000.
	record := map[string]string{}
	for i := range 30 {
		record[fmt.Sprintf("k%02d", i)] = strings.Repeat("v", 393)
	}
	rb, _ := json.Marshal(record)
	alert := `{"id":"a","rule_name":"r","rule_description":"d","record":` + string(rb) + `}`
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "ok"))
	if res := send(t, v, alert, ""); res.Status != saplugin.Delivered {
		t.Fatalf("status %s (%s)", res.Status, res.Message)
	}
	var got struct{ Attachments []map[string]any }
	if err := json.Unmarshal(v.Only(t).Body, &got); err != nil {
		t.Fatal(err)
	}
	atts := make([]map[string]string, len(got.Attachments))
	for i, a := range got.Attachments {
		atts[i] = map[string]string{"title": a["title"].(string), "text": a["text"].(string), "pretext": a["pretext"].(string)}
	}
	// Each line is "*kNN:* " + 393 = 400 characters; 9 lines and their 8
	// newlines fit in 4000, so 30 lines make 4 parts.
	if len(atts) != 4 {
		t.Fatalf("%d attachments, want 4", len(atts))
	}
	for i, a := range atts {
		if want := fmt.Sprintf("Record (Part %d of 4):", i+1); a["title"] != want {
			t.Errorf("part %d title %q, want %q", i, a["title"], want)
		}
		if n := len([]rune(a["text"])); n > maxMessageSize || strings.HasPrefix(a["text"], "\n") {
			t.Errorf("part %d has %d characters", i, n)
		}
		if (i == 0) != (a["pretext"] != "") {
			t.Errorf("part %d pretext %q: only the first carries the description", i, a["pretext"])
		}
	}
	if !strings.HasPrefix(atts[1]["text"], "*k09:*") {
		t.Errorf("second part starts %q, want the tenth line", atts[1]["text"][:10])
	}
}

func TestSplitText(t *testing.T) {
	hard := strings.Repeat("é", 9000)
	parts := splitText(hard)
	if len(parts) != 3 || strings.Join(parts, "") != hard || len([]rune(parts[0])) != maxMessageSize {
		t.Errorf("hard cut lost text: %d parts", len(parts))
	}
	spaced := strings.Repeat("a", 3000) + " " + strings.Repeat("b", 3000)
	if parts := splitText(spaced); len(parts) != 2 || parts[0] != strings.Repeat("a", 3000) || parts[1] != strings.Repeat("b", 3000) {
		t.Errorf("space cut: %d parts", len(parts))
	}
	many := strings.Repeat(strings.Repeat("z", 3999)+"\n", 30)
	alert := `{"rule_name":"r","record":{"k":` + mustJSON(many) + `}}`
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "ok"))
	send(t, v, alert, "")
	var got struct{ Attachments []map[string]any }
	_ = json.Unmarshal(v.Only(t).Body, &got)
	if len(got.Attachments) != maxAttachments || !strings.HasSuffix(got.Attachments[0]["title"].(string), "of 31):") {
		t.Errorf("%d attachments, first %q: want 20 of 31 parts", len(got.Attachments), got.Attachments[0]["title"])
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestMrkdwn(t *testing.T) {
	rec := `{"b":[{"x":null},[],[1.5,"two"]],"a":{"n":{"m":false}},"s":"it's \"q\""}`
	want := "*a:*\n\t*n:*\n\t\t*m:* False\n*b:*\n\t*[1]*\n\t\t*x:* None\n\t*[2]* []\n\t*[3]*\n\t\t*[1]* 1.5\n\t\t*[2]* two\n*s:* it's \"q\""
	if got := strings.Join(mrkdwn(json.RawMessage(rec), 0), "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
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
		{"ok", httpouttest.Reply(200, "ok"), saplugin.Delivered, "HTTP 200", 0},
		{"invalid payload", httpouttest.Reply(400, "invalid_payload"), saplugin.Permanent, "HTTP 400: invalid_payload", 0},
		{"revoked hook", httpouttest.Reply(404, "no_service"), saplugin.Permanent, "HTTP 404: no_service", 0},
		{"archived", httpouttest.Reply(410, "channel_is_archived"), saplugin.Permanent, "HTTP 410: channel_is_archived", 0},
		{"forbidden", httpouttest.Reply(403, "action_prohibited"), saplugin.Permanent, "HTTP 403: action_prohibited", 0},
		{"rate limited", httpouttest.Reply(429, "rate_limited", "Retry-After", "30"), saplugin.Retryable, "HTTP 429: rate_limited", 30 * time.Second},
		{"server error", httpouttest.Reply(500, "rollup_error"), saplugin.Retryable, "HTTP 500: rollup_error", 0},
		{"redirect", httpouttest.Reply(302, "", "Location", "https://example.com/"), saplugin.Permanent, "redirects are not followed", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := httpouttest.NewVendor(t, tt.reply)
			res := send(t, v, testAlert, "")
			if res.Status != tt.status || !strings.Contains(res.Message, tt.msg) || res.RetryAfter != tt.wait {
				t.Errorf("got %s %q wait %s, want %s %q wait %s", res.Status, res.Message, res.RetryAfter, tt.status, tt.msg, tt.wait)
			}
		})
	}
}

func TestSendBadInput(t *testing.T) {
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "ok"))
	for _, pub := range []string{`{"@slack.attachments":{"text":"x"}}`, `{"@slack.attachments":["x"]}`, `[1]`} {
		if res := send(t, v, testAlert, pub); res.Status != saplugin.Permanent {
			t.Errorf("publication %s: %s (%s), want permanent", pub, res.Status, res.Message)
		}
	}
	if n := len(v.Requests()); n != 0 {
		t.Errorf("%d requests sent for unrenderable publications", n)
	}
}

// TestNoSecretLeak drives every outcome against a server that quotes the
// request URL back and checks results and logs for the webhook secret.
func TestNoSecretLeak(t *testing.T) {
	logs := secrettest.NewWriter(t, secrets)
	s := newTest(logs)
	var texts []string
	for _, code := range []int{200, 400, 404, 429, 500} {
		v := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, "no_service for %s", r.URL.Path)
		})
		cfg := httpouttest.Configure(t, s, "soc", config(t, v))
		res := s.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
		texts = append(texts, res.Message)
	}
	v := httpouttest.NewVendor(t, httpouttest.Reply(200, "ok"))
	raw := config(t, v)
	v.Close()
	cfg := httpouttest.Configure(t, s, "soc", raw)
	res := s.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
	if res.Status != saplugin.Retryable {
		t.Errorf("closed server: %s, want retryable", res.Status)
	}
	texts = append(texts, res.Message)
	texts = append(texts, secrettest.Render(cfg)...)
	secrettest.AssertNoLeak(t, secrets, texts...)
	if !strings.Contains(texts[1], "no_service for <secret>") {
		t.Errorf("400 message %q: want the echoed path masked", texts[1])
	}
}

// TestBinary runs the built plugin as the host does, with two instances.
func TestBinary(t *testing.T) {
	b := httpouttest.StartBinary(t, "plugins/output/slack")
	if name, ver := b.Describe(t); name != "slack" || ver != version {
		t.Fatalf("Describe = %s %s", name, ver)
	}
	good := httpouttest.NewVendor(t, httpouttest.Reply(200, "ok"))
	gone := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		fmt.Fprintf(w, "no_service %s", r.URL.Path)
	})
	for name, v := range map[string]*httpouttest.Vendor{"soc": good, "ops": gone} {
		if p := b.Configure(t, name, config(t, v)); len(p) > 0 {
			t.Fatalf("configure %s: %v", name, p)
		}
	}
	if p := b.Configure(t, "lab", map[string]any{"descriptor": "lab", "url": "http://hooks.slack.com" + hookPath}); len(p) != 1 || p[0].GetField() != "url" {
		t.Fatalf("http URL: problems %v, want one on url", p)
	}
	res := b.Send(t, "soc", testAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED || string(good.Only(t).Body) != wantDefault {
		t.Fatalf("soc: %s (%s), body %s", res.GetStatus(), res.GetMessage(), good.Only(t).Body)
	}
	res = b.Send(t, "ops", testAlert, `{"@slack.text":"x"}`)
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT || res.GetMessage() != "HTTP 404: no_service <secret>" {
		t.Fatalf("ops: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	b.Kill()
	secrettest.AssertNoLeak(t, secrets, res.GetMessage(), b.Stderr.String())
	if !strings.Contains(b.Stderr.String(), "instance configured") {
		t.Errorf("stderr lacks the configure log: %s", b.Stderr.String())
	}
}
