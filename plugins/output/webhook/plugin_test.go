package main

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/streamalert-go/sa/internal/testbin"
	"github.com/streamalert-go/sa/plugins/output/webhook/signature"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// TestBinary runs the built plugin as the host would: start, describe,
// configure over gRPC, send, and read its standard error for leaks.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stderr := &syncBuffer{}
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{
		Cmd:    exec.Command(testbin.Build(t, "plugins/output/webhook")),
		Stderr: stderr,
	})
	if err != nil {
		t.Fatalf("start plugin: %v", err)
	}
	defer c.Kill()

	desc, err := c.Conn.Describe(ctx, c.Version)
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetInfo().GetName() != "webhook" || desc.GetInfo().GetVersion() != version {
		t.Fatalf("Describe = %v", desc.GetInfo())
	}

	good := newReceiver(t, true, ok)
	reject := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "hook %s is disabled", r.URL.Path)
	})
	configureRemote(t, ctx, c, "soc", baseConfig(t, good), "")
	configureRemote(t, ctx, c, "ops", baseConfig(t, reject), "")
	configureRemote(t, ctx, c, "lab", map[string]any{"descriptor": "lab", "url": "http://hooks.example.com" + tokenPath}, "url")

	res := sendRemote(t, ctx, c, "soc")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatalf("soc: %s (%s), want delivered", res.GetStatus(), res.GetMessage())
	}
	r := good.requests()[0]
	if err := signature.Verify([]byte(testSecret), r.Header.Get(signature.Header), r.Body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("signature from the binary does not verify: %v", err)
	}
	if string(r.Body) != testPublication || r.Header.Get("X-SA-Delivery") != "alert-42" {
		t.Errorf("body %s, delivery %q", r.Body, r.Header.Get("X-SA-Delivery"))
	}

	res = sendRemote(t, ctx, c, "ops")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT || !strings.Contains(res.GetMessage(), "HTTP 403: hook <secret> is disabled") {
		t.Fatalf("ops: %s (%s), want permanent with the masked body", res.GetStatus(), res.GetMessage())
	}
	c.Kill()
	t.Logf("plugin stderr:\n%s", stderr.String())
	secrets := []string{tokenPath, "T0KEN-8f3a9c2e71b4", "q-secret-77b1", testSecret}
	assertNoLeak(t, "message", res.GetMessage(), secrets...)
	assertNoLeak(t, "plugin stderr", stderr.String(), secrets...)
	if !strings.Contains(stderr.String(), "instance configured") {
		t.Errorf("plugin stderr lacks the configure log: %s", stderr.String())
	}
}

// configureRemote configures an instance over gRPC and checks that the
// problems, if any, are about wantField.
func configureRemote(t *testing.T, ctx context.Context, c *saplugin.Client, instance string, raw map[string]any, wantField string) {
	t.Helper()
	cfg, err := structpb.NewStruct(raw)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Conn.Base.Configure(ctx, &pluginv1.ConfigureRequest{Instance: instance, Config: cfg})
	if err != nil {
		t.Fatalf("configure %s: %v", instance, err)
	}
	problems := resp.GetProblems()
	if wantField == "" && len(problems) > 0 || wantField != "" && (len(problems) != 1 || problems[0].GetField() != wantField) {
		t.Fatalf("configure %s: problems %v, want field %q", instance, problems, wantField)
	}
}

func sendRemote(t *testing.T, ctx context.Context, c *saplugin.Client, instance string) *pluginv1.SendResponse {
	t.Helper()
	res, err := c.Conn.Output.Send(ctx, &pluginv1.SendRequest{
		Instance: instance, AlertJson: []byte(testAlert), PublicationJson: []byte(testPublication)})
	if err != nil {
		t.Fatalf("send %s: %v", instance, err)
	}
	return res
}
