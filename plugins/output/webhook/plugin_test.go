package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/webhook/signature"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

// TestBinary runs the built plugin as the host would: the conformance
// harness, then describe, configure over gRPC, send, and its standard
// error read for leaks.
func TestBinary(t *testing.T) {
	httpouttest.Conformance(t, "plugins/output/webhook")
	b := httpouttest.StartBinary(t, "plugins/output/webhook")
	if name, ver := b.Describe(t); name != "webhook" || ver != version {
		t.Fatalf("Describe = %s %s", name, ver)
	}

	good := newReceiver(t, true, ok)
	reject := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "hook %s is disabled", r.URL.Path)
	})
	configureRemote(t, b, "soc", baseConfig(t, good), "")
	configureRemote(t, b, "ops", baseConfig(t, reject), "")
	configureRemote(t, b, "lab", map[string]any{"descriptor": "lab", "url": "http://hooks.example.com" + tokenPath}, "url")

	res := b.Send(t, "soc", testAlert, testPublication)
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatalf("soc: %s (%s), want delivered", res.GetStatus(), res.GetMessage())
	}
	r := good.Requests()[0]
	if err := signature.Verify([]byte(testSecret), r.Header.Get(signature.Header), r.Body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("signature from the binary does not verify: %v", err)
	}
	if string(r.Body) != testPublication || r.Header.Get("X-SA-Delivery") != "alert-42" {
		t.Errorf("body %s, delivery %q", r.Body, r.Header.Get("X-SA-Delivery"))
	}

	res = b.Send(t, "ops", testAlert, testPublication)
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT || !strings.Contains(res.GetMessage(), "HTTP 403: hook <secret> is disabled") {
		t.Fatalf("ops: %s (%s), want permanent with the masked body", res.GetStatus(), res.GetMessage())
	}
	b.Kill()
	secrets := []string{tokenPath, "T0KEN-8f3a9c2e71b4", "q-secret-77b1", testSecret}
	secrettest.AssertNoLeak(t, secrets, res.GetMessage(), b.Stderr.String())
	if !strings.Contains(b.Stderr.String(), "instance configured") {
		t.Errorf("plugin stderr lacks the configure log: %s", b.Stderr.String())
	}
}

// configureRemote configures an instance over gRPC and checks that the
// problems, if any, are about wantField.
func configureRemote(t *testing.T, b *httpouttest.Binary, instance string, raw map[string]any, wantField string) {
	t.Helper()
	problems := b.Configure(t, instance, raw)
	if wantField == "" && len(problems) > 0 || wantField != "" && (len(problems) != 1 || problems[0].GetField() != wantField) {
		t.Fatalf("configure %s: problems %v, want field %q", instance, problems, wantField)
	}
}
