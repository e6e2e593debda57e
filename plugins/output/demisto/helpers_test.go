package main

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
)

// Values used across the tests.
const (
	testToken      = "D3misto-API-Key-7f3c9a1e2b4d6f80a1c3"
	testDescriptor = "soc"
	testAlert      = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
		`"log_source":"osquery:differential","record":{"user":"root","host":"db1"}}`
)

// secrets are the values no message, log or error may show.
var secrets = []string{testToken}

// fixedNow is the clock of in-process tests.
var fixedNow = time.Unix(1700000000, 0)

// accepted answers as Demisto does for a created incident.
func accepted(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, `{"id":"1234","name":"root_login","type":"Unclassified","status":1}`)
}

// newTest returns a plugin with a fixed clock whose log is checked for
// secrets when the test ends.
func newTest(t *testing.T) *Demisto {
	p := New()
	p.Log = secrettest.Logger(t, secrets)
	p.Now = func() time.Time { return fixedNow }
	return p
}

// baseConfig is a valid configuration for s.
func baseConfig(t *testing.T, s *httpouttest.Vendor) map[string]any {
	return map[string]any{
		propDescriptor:     testDescriptor,
		propToken:          testToken,
		propURL:            s.URL + "/demisto/",
		httpout.PropCAFile: s.CAFile(t),
	}
}
