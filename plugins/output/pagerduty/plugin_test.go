package main

import (
	"testing"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
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

// TestBinary runs the built plugin as the host would: the conformance
// harness, then describe, configure over gRPC, send, and its standard
// error read for leaks.
func TestBinary(t *testing.T) {
	httpouttest.Conformance(t, "plugins/output/pagerduty")
	b := httpouttest.StartBinary(t, "plugins/output/pagerduty")
	if name, ver := b.Describe(t); name != "pagerduty" || ver != version {
		t.Fatalf("Describe = %s %s", name, ver)
	}
	s := httpouttest.NewVendor(t, accepted)
	if p := b.Configure(t, testDescriptor, baseConfig(t, s)); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	res := b.Send(t, testDescriptor, testAlert, `{"@pagerduty.description":"root on db1"}`)
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatalf("%s (%s), want delivered", res.GetStatus(), res.GetMessage())
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/generic/2010-04-15/create_event.json" {
		t.Fatalf("server saw %v", reqs)
	}
	b.Kill()
	secrettest.AssertNoLeak(t, secrets, res.GetMessage(), b.Stderr.String())
}
