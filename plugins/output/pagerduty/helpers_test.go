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
	testKey        = "S3rviceKey7f3c9a1e2b4d6f80a1c3e5d"
	testDescriptor = "soc"
	testPath       = "/generic/2010-04-15/create_event.json"
	testAlert      = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
		`"log_source":"osquery:differential","record":{"user":"root","host":"db1"}}`
)

// secrets are the values no message, log or error may show.
var secrets = []string{testKey}

// fixedNow is the clock of in-process tests.
var fixedNow = time.Unix(1700000000, 0)

// accepted answers as PagerDuty does for an accepted event.
func accepted(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"status":"success","message":"Event processed","incident_key":"soc:alert-42"}`)
}

// newTest returns a plugin with a fixed clock whose log is checked for
// secrets when the test ends.
func newTest(t *testing.T) *PagerDuty {
	p := New()
	p.Log = secrettest.Logger(t, secrets)
	p.Now = func() time.Time { return fixedNow }
	return p
}

// baseConfig is a valid configuration for s.
func baseConfig(t *testing.T, s *httpouttest.Vendor) map[string]any {
	return map[string]any{
		propDescriptor:     testDescriptor,
		propServiceKey:     testKey,
		propURL:            s.URL + testPath,
		httpout.PropCAFile: s.CAFile(t),
	}
}

// endpoint runs the checks this output shares with the other HTTPS
// outputs.
var endpoint = httpouttest.Endpoint{
	New:      func(t *testing.T) httpouttest.Plugin { return newTest(t) },
	Config:   baseConfig,
	URLProp:  propURL,
	Path:     testPath,
	Instance: testDescriptor,
	Alert:    testAlert,
	Secrets:  secrets,
}
