package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

const (
	testOrg   = "acme.okta.com"
	testToken = "00SeCrEt-ToKeN_0123456789abcdefXYZ"
)

// fakeOkta stands in for an Okta org's System Log API: it checks every
// request as Okta documents it and answers polling queries in storage
// order with rel="next" links, the X-Rate-Limit-* headers, and now and
// then a 429 or a 500.
type fakeOkta struct {
	t   *testing.T
	src *apptest.Source

	mu       sync.Mutex
	n        int
	queries  []url.Values
	reqs     []*http.Request
	rateN    int           // every rateN-th request answers 429...
	rateWait time.Duration // ...with a reset this far ahead
	failN    int           // every failN-th request answers 500
	badAfter bool          // every after cursor is refused
}

func newFakeOkta(t *testing.T, src *apptest.Source) *fakeOkta {
	return &fakeOkta{t: t, src: src}
}

// oktaError writes an Okta error body.
func oktaError(w http.ResponseWriter, code int, ecode, summary string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"errorCode":%q,"errorSummary":%q,"errorLink":%q,"errorId":"oae1","errorCauses":[]}`, ecode, summary, ecode)
}

func (f *fakeOkta) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.src.Tick()
	f.mu.Lock()
	f.n++
	n := f.n
	f.queries = append(f.queries, r.URL.Query())
	f.reqs = append(f.reqs, r)
	rate := f.rateN > 0 && n%f.rateN == 0
	fail := f.failN > 0 && n%f.failN == 0
	f.mu.Unlock()

	if r.Method != http.MethodGet || r.URL.Path != "/api/v1/logs" || r.Host != testOrg {
		f.t.Errorf("request %s %s to %s", r.Method, r.URL.Path, r.Host)
		oktaError(w, 404, "E0000007", "Not found: Resource not found")
		return
	}
	if r.Header.Get("Authorization") != "SSWS "+testToken {
		oktaError(w, 401, "E0000011", "Invalid token provided")
		return
	}
	if r.Header.Get("Accept") != "application/json" {
		f.t.Errorf("Accept %q", r.Header.Get("Accept"))
	}
	reset := time.Now().Add(time.Second).Unix()
	w.Header().Set("X-Rate-Limit-Limit", "120")
	w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
	if rate {
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(f.rateWait).Unix(), 10))
		oktaError(w, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
		return
	}
	w.Header().Set("X-Rate-Limit-Remaining", "100")
	if fail {
		oktaError(w, 500, "E0000009", "Internal Server Error")
		return
	}
	page, next, problem := f.page(r.URL.Query())
	if problem != "" {
		oktaError(w, 400, "E0000001", "Api validation failed: "+problem)
		return
	}
	self := url.URL{Scheme: "https", Host: testOrg, Path: "/api/v1/logs", RawQuery: r.URL.RawQuery}
	w.Header().Add("Link", "<"+self.String()+`>; rel="self"`)
	w.Header().Add("Link", "<"+next.String()+`>; rel="next"`)
	w.Header().Set("Content-Type", "application/json")
	out := make([]json.RawMessage, len(page))
	for i, e := range page {
		out[i] = renderEvent(e)
	}
	json.NewEncoder(w).Encode(out)
}

// page answers a polling query: events stored at or after since, after the
// after cursor, in storage order.
func (f *fakeOkta) page(q url.Values) ([]apptest.Event, url.URL, string) {
	for k := range q {
		if k != "since" && k != "limit" && k != "after" {
			return nil, url.URL{}, "unexpected parameter " + k
		}
	}
	since, err := time.Parse(time.RFC3339, q.Get("since"))
	if err != nil {
		return nil, url.URL{}, "since"
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > 1000 {
		return nil, url.URL{}, "limit"
	}
	after := 0
	if a := q.Get("after"); a != "" {
		_, seq, ok := strings.Cut(a, "_")
		after, err = strconv.Atoi(seq)
		f.mu.Lock()
		bad := f.badAfter
		f.mu.Unlock()
		if !ok || err != nil || bad {
			return nil, url.URL{}, "after: invalid cursor"
		}
	}
	var page []apptest.Event
	for _, e := range f.src.Visible() {
		if e.Seq > after && !e.Stored.Before(since) && len(page) < limit {
			page = append(page, e)
		}
	}
	last := after
	if len(page) > 0 {
		last = page[len(page)-1].Seq
	}
	nq := url.Values{"since": {q.Get("since")}, "limit": {q.Get("limit")}, "after": {fmt.Sprintf("%d_%d", time.Now().UnixMilli(), last)}}
	return page, url.URL{Scheme: "https", Host: testOrg, Path: "/api/v1/logs", RawQuery: nq.Encode()}, ""
}

// uuidOf is a source event's uuid.
func uuidOf(e apptest.Event) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", e.Seq) }

// renderEvent renders e as the LogEvent example of Okta's System Log docs.
func renderEvent(e apptest.Event) json.RawMessage {
	ev := map[string]any{
		"version":  "0",
		"severity": "INFO",
		"client": map[string]any{"zone": "OFF_NETWORK", "device": "Unknown", "ipAddress": "12.97.85.90",
			"userAgent": map[string]any{"os": "Unknown", "browser": "UNKNOWN", "rawUserAgent": "UNKNOWN-DOWNLOAD"}},
		"actor":                 map[string]any{"id": "00u1qw1mqitPHM8AJ0g7", "type": "User", "alternateId": "admin@example.com", "displayName": "John Doe"},
		"outcome":               map[string]any{"result": "SUCCESS"},
		"uuid":                  uuidOf(e),
		"published":             e.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
		"eventType":             "user.session.start",
		"displayMessage":        "User login to Okta",
		"transaction":           map[string]any{"type": "WEB", "id": "V04Oy4ubUOc5UuG6s9DyNQAABtc"},
		"debugContext":          map[string]any{"debugData": map[string]any{"requestUri": "/login/do-login"}},
		"legacyEventType":       "core.user_auth.login_success",
		"authenticationContext": map[string]any{"authenticationStep": 0, "externalSessionId": "1013FfF-DKQSvCI4RVXChzX-w"},
		"securityContext":       map[string]any{},
		"target":                []any{},
		"request":               map[string]any{"ipChain": []any{}},
	}
	b, _ := json.Marshal(ev)
	return b
}

// idOf maps an emitted log back to its source event.
func idOf(log []byte) (string, error) {
	var e struct{ UUID string }
	if err := json.Unmarshal(log, &e); err != nil {
		return "", err
	}
	var seq int
	if _, err := fmt.Sscanf(e.UUID, "00000000-0000-4000-8000-%012d", &seq); err != nil {
		return "", err
	}
	return fmt.Sprintf("ev-%06d", seq), nil
}

func (f *fakeOkta) requests() ([]url.Values, []*http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.queries...), append([]*http.Request(nil), f.reqs...)
}
