package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
)

// Values used across the tests.
const (
	testToken      = "T0ken-y_NbAkKc66ryYTWUXYEu-9f2e"
	testKey        = "IntegKey7f3c9a1e2b4d6f80a1c3e5d9"
	testDescriptor = "soc"
	testFrom       = "secops@example.com"
	testAlert      = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
		`"log_source":"osquery:differential","record":{"user":"root"},"context":{}}`
	incidentID = "PINC042"
)

// secrets are the values no message, log or error may show.
var secrets = []string{testToken, testKey}

var fixedNow = time.Unix(1700000000, 0)

// captured is one request as the fake saw it.
type captured struct {
	Method string
	Path   string // with the query
	Header http.Header
	Body   string
}

// line is the request's "METHOD path?query".
func (c captured) line() string { return c.Method + " " + c.Path }

// fake is a PagerDuty answering the events and REST endpoints the plugin
// uses, REST under /rest. Handlers in override replace the default answer
// of a "METHOD /path" key.
type fake struct {
	*httpouttest.Vendor
	mu       sync.Mutex
	users    map[string]string // email -> id
	override map[string]http.HandlerFunc
	// hiddenSearches is how many incident searches find nothing first.
	hiddenSearches int
}

func newFake(t *testing.T) *fake {
	t.Helper()
	f := &fake{
		users: map[string]string{testFrom: "PFROM01", "secops@example.com.au": "PWRONG1",
			"alice@example.com": "PALICE1", "bob@example.com": "PBOB001"},
		override: map[string]http.HandlerFunc{},
	}
	f.Vendor = httpouttest.NewVendor(t, f.serve)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	h := f.override[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if h != nil {
		h(w, r)
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "POST /v2/enqueue":
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"soc:alert-42"}`)
	case "GET /rest/users":
		q := r.URL.Query().Get("query")
		var users []string
		for email, id := range f.users {
			// PagerDuty's query is a fuzzy match on names and emails.
			if strings.Contains(email, q) {
				users = append(users, fmt.Sprintf(`{"id":%q,"email":%q,"type":"user"}`, id, email))
			}
		}
		fmt.Fprintf(w, `{"users":[%s],"limit":25,"offset":0,"more":false}`, strings.Join(users, ","))
	case "GET /rest/incidents":
		f.mu.Lock()
		hidden := f.hiddenSearches > 0
		f.hiddenSearches--
		f.mu.Unlock()
		if hidden {
			io.WriteString(w, `{"incidents":[]}`)
			return
		}
		fmt.Fprintf(w, `{"incidents":[{"id":"POLD001","status":"resolved"},{"id":%q,"status":"triggered","incident_key":%q}]}`,
			incidentID, r.URL.Query().Get("incident_key"))
	case "GET /rest/priorities":
		io.WriteString(w, `{"priorities":[{"id":"PPRIO01","name":"P1"},{"id":"PPRIO02","name":"P2"}]}`)
	case "PUT /rest/incidents/" + incidentID:
		fmt.Fprintf(w, `{"incident":{"id":%q,"type":"incident"}}`, incidentID)
	case "POST /rest/incidents/" + incidentID + "/notes":
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"note":{"id":"PNOTE01"}}`)
	case "POST /rest/incidents/" + incidentID + "/responder_requests":
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"responder_request":{"message":"x"}}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":{"message":"Not Found","code":2100}}`)
	}
}

// requests returns what the fake saw so far.
func (f *fake) requests() []captured {
	var out []captured
	for _, r := range f.Requests() {
		out = append(out, captured{r.Method, r.URI(), r.Header, string(r.Body)})
	}
	return out
}

func (f *fake) set(route string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.override[route] = h
}

// answer returns a handler writing code and body.
func answer(code int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func newTest(t *testing.T) *Incident {
	p := New()
	p.Log = secrettest.Logger(t, secrets)
	p.Now = func() time.Time { return fixedNow }
	p.searchDelay = time.Millisecond
	return p
}

func baseConfig(t *testing.T, f *fake) map[string]any {
	return map[string]any{
		propDescriptor:         testDescriptor,
		propToken:              testToken,
		propServiceID:          "PSERV01",
		propEscalationPolicyID: "PESC001",
		propEmailFrom:          testFrom,
		propIntegrationKey:     testKey,
		propAPI:                f.URL + "/rest/",
		propEventsURL:          f.URL + "/v2/enqueue",
		httpout.PropCAFile:     f.CAFile(t),
	}
}

// compactJSON normalizes s for comparison.
func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %s", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
