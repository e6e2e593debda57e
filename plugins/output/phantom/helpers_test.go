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
	testToken      = "cGhhbnRvbS1hdXRoLXRva2VuLTdmM2M5YTFl"
	testDescriptor = "soc"
	testAlert      = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
		`"log_source":"osquery:differential","record":{"user":"root","host":"db1"}}`
)

// secrets are the values no message, log or error may show.
var secrets = []string{testToken}

// fixedNow is the clock of in-process tests.
var fixedNow = time.Unix(1700000000, 0)

// phantomAPI answers as Phantom does: no container named after the rule
// until one is created, then artifacts are added.
func phantomAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.Method + " " + r.URL.Path {
	case "GET /phantom/rest/container":
		io.WriteString(w, `{"count":0,"num_pages":0,"data":[]}`)
	case "POST /phantom/rest/container":
		io.WriteString(w, `{"success":true,"id":17}`)
	case "POST /phantom/rest/artifact":
		io.WriteString(w, `{"success":true,"id":901}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"failed":true,"message":"Requested item not found"}`)
	}
}

// newTest returns a plugin with a fixed clock whose log is checked for
// secrets when the test ends.
func newTest(t *testing.T) *Phantom {
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
		propURL:            s.URL + "/phantom/",
		httpout.PropCAFile: s.CAFile(t),
	}
}
