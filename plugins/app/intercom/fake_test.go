package main

import (
	"encoding/base64"
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

const testToken = "dG9rOmE1YjZjN2Q4XzEyMzRfNDU2N19hYmNkX2VmMDEyMzQ1Njc4OQ=="

// fakeIntercom stands in for GET /admins/activity_logs: it checks the
// bearer token, Accept and Intercom-Version headers, requires
// created_at_after, lists activities newest first per_page at a time with
// pages.next cursors (or 1.x next links), and now and then answers 429
// with the X-RateLimit-* headers or a 500.
type fakeIntercom struct {
	t       *testing.T
	src     *apptest.Source
	perPage int

	mu      sync.Mutex
	n       int
	queries []url.Values
	headers []http.Header
	rateN   int
	failN   int
	legacy  bool // 1.x pages.next: a URL
}

func newFakeIntercom(t *testing.T, src *apptest.Source) *fakeIntercom {
	return &fakeIntercom{t: t, src: src, perPage: 20}
}

func icError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"type":"error.list","request_id":"req-1","errors":[{"code":%q,"message":%q}]}`, code, msg)
}

func (f *fakeIntercom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.src.Tick()
	f.mu.Lock()
	f.n++
	n := f.n
	q := r.URL.Query()
	f.queries = append(f.queries, q)
	f.headers = append(f.headers, r.Header.Clone())
	f.mu.Unlock()
	if r.Method != http.MethodGet || r.URL.Path != logsPath || r.Host != "api.intercom.io" {
		f.t.Errorf("request %s %s to %s", r.Method, r.URL.Path, r.Host)
		icError(w, 404, "not_found", "Resource Not Found")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		icError(w, 401, "unauthorized", "Access Token Invalid")
		return
	}
	if r.Header.Get("Accept") != "application/json" || r.Header.Get("Intercom-Version") != "2.14" {
		f.t.Errorf("Accept %q, Intercom-Version %q", r.Header.Get("Accept"), r.Header.Get("Intercom-Version"))
	}
	reset := strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)
	w.Header().Set("X-RateLimit-Limit", "10000")
	w.Header().Set("X-RateLimit-Reset", reset)
	if f.rateN > 0 && n%f.rateN == 0 {
		w.Header().Set("X-RateLimit-Remaining", "0")
		icError(w, 429, "rate_limit_exceeded", "Exceeded rate limit of 10000 in 60 seconds")
		return
	}
	w.Header().Set("X-RateLimit-Remaining", "9000")
	if f.failN > 0 && n%f.failN == 0 {
		icError(w, 500, "server_error", "Server Error")
		return
	}
	after, aerr := strconv.ParseInt(q.Get("created_at_after"), 10, 64)
	before := int64(1 << 62)
	var berr error
	if q.Has("created_at_before") {
		before, berr = strconv.ParseInt(q.Get("created_at_before"), 10, 64)
	}
	if aerr != nil || berr != nil {
		icError(w, 400, "parameter_not_found", "Please provide the following parameters: created_at_after")
		return
	}
	var page []json.RawMessage
	started := q.Get("starting_after") == ""
	var cursor int
	if !started {
		b, err := base64.StdEncoding.DecodeString(q.Get("starting_after"))
		if cursor, err = strconv.Atoi(strings.TrimPrefix(string(b), "seq:")); err != nil {
			icError(w, 400, "invalid_cursor", "starting_after is invalid")
			return
		}
	}
	more, last := false, 0
	for _, e := range apptest.NewestFirst(f.src.Visible()) {
		at := e.Time.Unix()
		if at <= after || at >= before {
			continue // both bounds exclusive: the strictest reading of the docs
		}
		if !started {
			started = e.Seq == cursor
			continue
		}
		if len(page) == f.perPage {
			more = true
			break
		}
		page, last = append(page, render(e)), e.Seq
	}
	pages := map[string]any{"type": "pages", "page": 1, "per_page": f.perPage, "total_pages": 1, "next": nil}
	if more {
		tok := base64.StdEncoding.EncodeToString([]byte("seq:" + strconv.Itoa(last)))
		if f.legacy {
			nq := url.Values{"created_at_after": {q.Get("created_at_after")}, "created_at_before": {q.Get("created_at_before")}, "starting_after": {tok}}
			pages["next"] = "https://api.intercom.io" + logsPath + "?" + nq.Encode()
		} else {
			pages["next"] = map[string]any{"per_page": f.perPage, "starting_after": tok}
		}
	}
	if page == nil {
		page = []json.RawMessage{}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"type": "activity_log.list", "pages": pages, "activity_logs": page})
}

// render writes e as the Activity Log object of Intercom's API reference.
func render(e apptest.Event) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"id":           strconv.Itoa(e.Seq),
		"performed_by": map[string]any{"type": "admin", "id": "1295", "email": "john@example.com", "ip": "198.51.100.255"},
		"metadata": map[string]any{"sign_in_method": "email_password", "external_id": "f3b87a2e09d514c6c2e79b9a",
			"away_mode": true, "away_status_reason": "On a break", "reassign_conversations": false,
			"source": "admin update from web - Admin id: 93", "auto_changed": false, "update_by": 93, "update_by_name": "Joe Bloggs"},
		"created_at":           e.Time.Unix(),
		"activity_type":        "admin_away_mode_change",
		"activity_description": "Joe Bloggs changed their away mode.",
	})
	return b
}

func idOf(log []byte) (string, error) {
	var a struct{ ID string }
	if err := json.Unmarshal(log, &a); err != nil {
		return "", err
	}
	seq, err := strconv.Atoi(a.ID)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("ev-%06d", seq), nil
}

func (f *fakeIntercom) seen() ([]url.Values, []http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.queries...), append([]http.Header(nil), f.headers...)
}
