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
	httpouttest.Conformance(t, "plugins/output/phantom")
	b := httpouttest.StartBinary(t, "plugins/output/phantom")
	if name, ver := b.Describe(t); name != "phantom" || ver != version {
		t.Fatalf("Describe = %s %s", name, ver)
	}
	s := httpouttest.NewVendor(t, phantomAPI)
	if p := b.Configure(t, testDescriptor, baseConfig(t, s)); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	res := b.Send(t, testDescriptor, testAlert, `{"rule_name":"root_login"}`)
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatalf("%s (%s), want delivered", res.GetStatus(), res.GetMessage())
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[2].Path != "/phantom/rest/artifact" {
		t.Fatalf("server saw %v", reqs)
	}
	b.Kill()
	secrettest.AssertNoLeak(t, secrets, res.GetMessage(), b.Stderr.String())
}
