package httpout

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// TestIncomingWebhook checks what a WebhookSpec decides: the User-Agent,
// the body, the classifier and the prefix of messages.
func TestIncomingWebhook(t *testing.T) {
	const hookPath = "/hooks/T0SECRET/abcdefSecret42"
	render := func(in Input) ([]byte, error) {
		if in.Alert.RuleName == "" {
			return nil, errors.New("no rule name")
		}
		return []byte(`{"rule":"` + in.Alert.RuleName + `"}`), nil
	}
	permanent := func(*Response) saplugin.SendResult {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "refused"}
	}
	tests := []struct {
		name     string
		alert    string
		classify Classifier
		status   saplugin.SendStatus
		msg      string
		sent     bool
	}{
		{"delivered", `{"rule_name":"r1"}`, nil, saplugin.Delivered, "HTTP 200", true},
		{"own classifier", `{"rule_name":"r1"}`, permanent, saplugin.Permanent, "refused", true},
		{"undecodable", `[1]`, nil, saplugin.Permanent, "hook: undecodable alert: alert is not a JSON object", false},
		{"unrenderable", `{}`, nil, saplugin.Permanent, "hook: no rule name", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := httpouttest.NewVendor(t, httpouttest.Reply(200, "ok"))
			w := NewIncomingWebhook(WebhookSpec{
				Info:     saplugin.Info{Name: "hook", Version: "1.2.3"},
				Schema:   schema.Schema{Properties: []schema.Property{{Name: PropWebhookURL, Secret: true}, {Name: PropCAFile}}},
				Render:   render,
				Classify: tt.classify,
			})
			w.Log = secrettest.Logger(t, []string{hookPath})
			cfg := httpouttest.Configure(t, w, "soc", map[string]any{PropWebhookURL: v.URL + hookPath, PropCAFile: v.CAFile(t)})
			res := w.Send(context.Background(), saplugin.SendRequest{Instance: "soc", Config: cfg, Alert: []byte(tt.alert)})
			if res.Status != tt.status || res.Message != tt.msg {
				t.Fatalf("got %s %q, want %s %q", res.Status, res.Message, tt.status, tt.msg)
			}
			reqs := v.Requests()
			if !tt.sent {
				if len(reqs) != 0 {
					t.Fatalf("%d requests sent for a bad alert", len(reqs))
				}
				return
			}
			r := v.Only(t)
			if r.Line() != "POST "+hookPath || r.Header.Get("User-Agent") != "sa-output-hook/1.2.3" ||
				r.Header.Get("Content-Type") != "application/json; charset=utf-8" || string(r.Body) != `{"rule":"r1"}` {
				t.Errorf("request %s, headers %v, body %s", r.Line(), r.Header, r.Body)
			}
		})
	}
}

func TestIncomingWebhookInvalid(t *testing.T) {
	w := NewIncomingWebhook(WebhookSpec{Info: saplugin.Info{Name: "hook"}})
	cfg := schema.Config{PropWebhookURL: "http://example.com/hooks/abcdefSecret42"}
	err := w.Configure(context.Background(), "soc", cfg)
	if err == nil || !strings.HasPrefix(err.Error(), "hook: invalid configuration: ") {
		t.Fatalf("Configure = %v, want the plugin's invalid configuration", err)
	}
	secrettest.AssertNoLeak(t, []string{"abcdefSecret42"}, err.Error())
}
