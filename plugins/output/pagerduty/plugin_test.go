package main

import (
	"testing"

	"github.com/streamalert-go/sa/internal/httpouttest"
)

// TestConformance checks the schema and runs the conformance harness in
// process.
func TestConformance(t *testing.T) {
	httpouttest.CheckInProcess(t, New())
}

// TestBinary runs the built plugin as the host would: the conformance
// harness, then describe, configure over gRPC, send, and its standard
// error read for leaks.
func TestBinary(t *testing.T) {
	b := httpouttest.StartChecked(t, "plugins/output/pagerduty", version)
	s := httpouttest.NewVendor(t, accepted)
	res := b.Deliver(t, testDescriptor, baseConfig(t, s), testAlert, `{"@pagerduty.description":"root on db1"}`)
	if reqs := s.Requests(); len(reqs) != 1 || reqs[0].Path != "/generic/2010-04-15/create_event.json" {
		t.Fatalf("server saw %v", reqs)
	}
	b.KillNoLeak(t, secrets, res.GetMessage())
}
