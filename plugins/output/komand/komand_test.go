package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Values used across the tests. triggerPath holds the trigger's id, which
// is as secret as the key.
const (
	testKey     = "0f3c9a1e-2b4d-4f80-a1c3-e5d97b2c4a61"
	triggerPath = "/connect/v1/workflows/7d1e5b0c-93aa-4f6e-b2a8-0c4e1f9d3b27/events/execute"
	testAlert   = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
		`"record":{"user":"root","host":"db1"},"context":{}}`
)

var secrets = []string{testKey, "7d1e5b0c-93aa-4f6e-b2a8-0c4e1f9d3b27"}

var fixedNow = time.Unix(1700000000, 0)

// accepted answers as an InsightConnect API trigger does when it queued
// the workflow run.
var accepted = httpouttest.Reply(http.StatusOK, `{"job_id":"9b0c2d4e-5f61-4a7b-8c9d-0e1f2a3b4c5d"}`, "Content-Type", "application/json")

func newTest(t *testing.T) *Komand {
	k := New()
	k.Log = secrettest.Logger(t, secrets)
	k.Now = func() time.Time { return fixedNow }
	return k
}

func config(t *testing.T, v *httpouttest.Vendor) map[string]any {
	return map[string]any{propDescriptor: "soc", propAuthToken: testKey, propURL: v.URL + triggerPath, httpout.PropCAFile: v.CAFile(t)}
}

// send configures a fresh plugin against v and sends one alert.
func send(t *testing.T, v *httpouttest.Vendor, pub string) saplugin.SendResult {
	t.Helper()
	k := newTest(t)
	cfg := httpouttest.Configure(t, k, "soc", config(t, v))
	return k.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert), Publication: []byte(pub)})
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	if configSchema.Properties[0].Name != propDescriptor || !configSchema.Properties[0].Descriptor {
		t.Error("the descriptor is not the first property")
	}
	for _, name := range []string{propAuthToken, propURL} {
		p, _ := configSchema.Property(name)
		if !p.Secret || !p.Credential || !p.Required {
			t.Errorf("%s: %+v, want a required, masked credential", name, p)
		}
	}
}

// TestConformance checks the schema and runs the conformance harness in
// process.
func TestConformance(t *testing.T) {
	httpouttest.CheckInProcess(t, New())
}

func TestSendRequest(t *testing.T) {
	v := httpouttest.NewVendor(t, accepted)
	pub := `{"rule_name":"root_login","record":{"user":"root"},"@komand.x":[1,"<b>"]}`
	res := send(t, v, pub)
	if res.Status != saplugin.Delivered || res.Message != "HTTP 200" {
		t.Fatalf("got %s (%s), want delivered", res.Status, res.Message)
	}
	r := v.Only(t)
	if r.Method != http.MethodPost || r.Path != triggerPath || r.Query != "" {
		t.Errorf("request %s, want POST %s", r.Line(), triggerPath)
	}
	for k, want := range map[string]string{"Content-Type": "application/json", "Accept": "application/json",
		"X-Api-Key": testKey, "Authorization": testKey, "User-Agent": "sa-output-komand/0.1.0"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	want := `{"data":{"@komand.x":[1,"<b>"],"record":{"user":"root"},"rule_name":"root_login"}}`
	if string(r.Body) != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
}

// TestSendDefaultPublication checks that without a publication the alert
// itself is the data, as StreamAlert's default publisher makes it.
func TestSendDefaultPublication(t *testing.T) {
	v := httpouttest.NewVendor(t, accepted)
	if res := send(t, v, ""); res.Status != saplugin.Delivered {
		t.Fatalf("got %s (%s)", res.Status, res.Message)
	}
	want := `{"data":{"context":{},"id":"alert-42","record":{"user":"root","host":"db1"},"rule_description":"Root logged in","rule_name":"root_login"}}`
	if got := string(v.Only(t).Body); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
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
		{"queued", accepted, saplugin.Delivered, "HTTP 200", 0},
		{"no content", httpouttest.Reply(204, ""), saplugin.Delivered, "HTTP 204", 0},
		{"bad key", httpouttest.Reply(401, `{"message":"Unauthorized"}`), saplugin.Permanent, `HTTP 401: {"message":"Unauthorized"}`, 0},
		{"unknown trigger", httpouttest.Reply(404, `{"message":"Not Found"}`), saplugin.Permanent, "HTTP 404", 0},
		{"rate limited", httpouttest.Reply(429, `{"message":"Too Many Requests"}`, "Retry-After", "20"), saplugin.Retryable, "HTTP 429", 20 * time.Second},
		{"rate limited, long wait", httpouttest.Reply(429, "", "Retry-After", "99999"), saplugin.Retryable, "HTTP 429", 900 * time.Second},
		{"server error", httpouttest.Reply(503, "unavailable"), saplugin.Retryable, "HTTP 503: unavailable", 0},
		{"redirect", httpouttest.Reply(302, "", "Location", "https://elsewhere.example.com/"), saplugin.Permanent, "redirects are not followed", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := httpouttest.NewVendor(t, tt.reply)
			res := send(t, v, "")
			if res.Status != tt.status || !strings.Contains(res.Message, tt.msg) || res.RetryAfter != tt.wait {
				t.Errorf("got %s %q wait %s, want %s %q wait %s", res.Status, res.Message, res.RetryAfter, tt.status, tt.msg, tt.wait)
			}
			if n := len(v.Requests()); n != 1 {
				t.Errorf("%d requests, want 1: no retry inside the plugin", n)
			}
		})
	}
}

func TestSendTransportFailure(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, raw map[string]any)
		want   string
	}{
		{"connection refused", func(t *testing.T, raw map[string]any) {
			raw[propURL] = "https://" + httpouttest.ClosedAddr(t) + triggerPath
		}, "connection refused"},
		{"timeout", func(t *testing.T, raw map[string]any) {
			hang := httpouttest.NewHang(t)
			raw[propURL], raw[httpout.PropCAFile], raw[httpout.PropTimeout] = hang.URL+triggerPath, hang.CAFile(t), 1
		}, "timed out"},
		{"untrusted certificate", func(t *testing.T, raw map[string]any) { delete(raw, httpout.PropCAFile) }, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := httpouttest.NewVendor(t, accepted)
			raw := config(t, v)
			tt.change(t, raw)
			k := newTest(t)
			cfg := httpouttest.Configure(t, k, "soc", raw)
			for range 2 { // TLS is verified on every request, not only the first
				res := k.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
				if res.Status != saplugin.Retryable || !strings.Contains(res.Message, tt.want) {
					t.Fatalf("got %s (%s), want retryable mentioning %q", res.Status, res.Message, tt.want)
				}
				secrettest.AssertNoLeak(t, secrets, res.Message)
			}
			if n := len(v.Requests()); n != 0 {
				t.Errorf("the configured vendor saw %d requests", n)
			}
		})
	}
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]any
		field  string
	}{
		{"valid", nil, ""},
		{"plain http", map[string]any{propURL: "http://komand.example.com" + triggerPath}, propURL},
		{"http to localhost", map[string]any{propURL: "http://localhost:8080" + triggerPath}, ""},
		{"http to loopback", map[string]any{propURL: "http://127.0.0.1:8080" + triggerPath}, ""},
		{"query", map[string]any{propURL: "https://komand.example.com" + triggerPath + "?key=x"}, propURL},
		{"not a URL", map[string]any{propURL: "https://%zz" + triggerPath}, propURL},
		{"space in token", map[string]any{propAuthToken: "a b"}, propAuthToken},
		{"no token", map[string]any{propAuthToken: nil}, propAuthToken},
		{"colon in descriptor", map[string]any{propDescriptor: "a:b"}, propDescriptor},
		{"timeout", map[string]any{httpout.PropTimeout: 0}, httpout.PropTimeout},
		{"missing CA file", map[string]any{httpout.PropCAFile: "/nonexistent/ca.pem"}, httpout.PropCAFile},
	}
	v := httpouttest.NewVendor(t, accepted)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := config(t, v)
			for k, val := range tt.change {
				raw[k] = val
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

// TestSendLoopbackHTTP sends over plain http to a loopback trigger, which
// the URL policy allows.
func TestSendLoopbackHTTP(t *testing.T) {
	v := httpouttest.NewVendor(t, accepted)
	plain := httpouttest.NewPlain(t, accepted)
	raw := config(t, v)
	raw[propURL] = plain.URL + triggerPath
	k := newTest(t)
	cfg := httpouttest.Configure(t, k, "soc", raw)
	res := k.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
	if res.Status != saplugin.Delivered || plain.Only(t).Header.Get("X-Api-Key") != testKey {
		t.Fatalf("got %s (%s)", res.Status, res.Message)
	}
}

// TestNoSecretLeak has the trigger quote the key and its URL back, and
// checks every result, log line and rendering of the config.
func TestNoSecretLeak(t *testing.T) {
	k := newTest(t)
	var texts []string
	for _, code := range []int{200, 400, 401, 429, 500} {
		v := httpouttest.NewVendor(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"message":"key %s for %s refused"}`, r.Header.Get("X-API-Key"), r.URL.Path)
		})
		cfg := httpouttest.Configure(t, k, "soc", config(t, v))
		res := k.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(testAlert)})
		texts = append(texts, res.Message)
		if code == 401 && !strings.Contains(res.Message, "key <secret> for <secret> refused") {
			t.Errorf("401 message %q: want the key and path masked", res.Message)
		}
		texts = append(texts, secrettest.Render(cfg)...)
	}
	secrettest.AssertNoLeak(t, secrets, texts...)
}

// TestBinary runs the built plugin as the host would: the conformance
// harness, then two instances configured over gRPC, sends, and its
// standard error read for leaks.
func TestBinary(t *testing.T) {
	b := httpouttest.StartChecked(t, "plugins/output/komand", version)
	good := httpouttest.NewVendor(t, accepted)
	refused := httpouttest.NewVendor(t, httpouttest.Reply(401, `{"message":"Unauthorized"}`))
	for name, v := range map[string]*httpouttest.Vendor{"soc": good, "ops": refused} {
		if p := b.Configure(t, name, config(t, v)); len(p) > 0 {
			t.Fatalf("configure %s: %v", name, p)
		}
	}
	if p := b.Configure(t, "lab", map[string]any{propDescriptor: "lab", propAuthToken: testKey, propURL: "http://komand.example.com/x"}); len(p) != 1 || p[0].GetField() != propURL {
		t.Fatalf("http URL: problems %v, want one on url", p)
	}
	res := b.Send(t, "soc", testAlert, `{"rule_name":"root_login"}`)
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED || string(good.Only(t).Body) != `{"data":{"rule_name":"root_login"}}` {
		t.Fatalf("soc: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	res2 := b.Send(t, "ops", testAlert, "")
	if res2.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT {
		t.Fatalf("ops: %s (%s), want permanent", res2.GetStatus(), res2.GetMessage())
	}
	b.KillNoLeak(t, secrets, res.GetMessage(), res2.GetMessage())
}
