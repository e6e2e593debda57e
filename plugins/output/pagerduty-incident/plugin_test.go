package main

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/testbin"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

func TestSchemaIsValid(t *testing.T) {
	if err := New().Schema().Check(); err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindOutput, New())
}

// TestBinary runs the built plugin as the host would: start, describe,
// configure over gRPC, send, and read its standard error for leaks.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stderr := secrettest.NewWriter(t, secrets)
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{
		Cmd:    exec.Command(testbin.Build(t, "plugins/output/pagerduty-incident")),
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
	if desc.GetInfo().GetName() != "pagerduty-incident" || desc.GetInfo().GetVersion() != version {
		t.Fatalf("Describe = %v", desc.GetInfo())
	}
	s := newFake(t)
	st, err := structpb.NewStruct(baseConfig(t, s))
	if err != nil {
		t.Fatal(err)
	}
	cr, err := c.Conn.Base.Configure(ctx, &pluginv1.ConfigureRequest{Instance: testDescriptor, Config: st})
	if err != nil || len(cr.GetProblems()) > 0 {
		t.Fatalf("configure: %v %v", err, cr.GetProblems())
	}
	res, err := c.Conn.Output.Send(ctx, &pluginv1.SendRequest{Instance: testDescriptor, AlertJson: []byte(testAlert),
		PublicationJson: []byte(`{"@pagerduty-incident.incident_title":"root on db1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatalf("%s (%s), want delivered", res.GetStatus(), res.GetMessage())
	}
	if res.GetMessage() != "incident PINC042 opened" || len(s.requests()) != 5 {
		t.Fatalf("message %q; fake saw %v", res.GetMessage(), lines(s.requests()))
	}
	secrettest.AssertNoLeak(t, secrets, res.GetMessage())
	c.Kill()
}
