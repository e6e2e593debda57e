package main

import (
	"strings"
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
	b := httpouttest.StartChecked(t, "plugins/output/demisto", version)
	s := httpouttest.NewVendor(t, accepted)
	res := b.Deliver(t, testDescriptor, baseConfig(t, s), testAlert, `{"@demisto.incident_name":"root on db1"}`)
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/demisto/incident" || !strings.Contains(string(reqs[0].Body), `"name":"root on db1"`) {
		t.Fatalf("server saw %v", reqs)
	}
	b.KillNoLeak(t, secrets, res.GetMessage())
}
