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
	b := httpouttest.StartChecked(t, "plugins/output/pagerduty-incident", version)
	s := newFake(t)
	res := b.Deliver(t, testDescriptor, baseConfig(t, s), testAlert, `{"@pagerduty-incident.incident_title":"root on db1"}`)
	if res.GetMessage() != "incident PINC042 opened" || len(s.requests()) != 5 {
		t.Fatalf("message %q; fake saw %v", res.GetMessage(), lines(s.requests()))
	}
	b.KillNoLeak(t, secrets, res.GetMessage())
}
