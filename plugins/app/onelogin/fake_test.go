package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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
	testHost   = "api.us.onelogin.com"
	testID     = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
	testSecret = "f9e8d7c6b5a40312f9e8d7c6b5a40312f9e8d7c6b5a40312f9e8d7c6b5a40312"
	idBase     = 100000
)

// fakeOneLogin stands in for OneLogin's token, rate limit and v1 events
// APIs: it checks the client credentials and bearer tokens exactly as
// documented, expires tokens, answers events oldest id first with
// pagination links, and now and then refuses with rate_limit_exceeded.
type fakeOneLogin struct {
	t   *testing.T
	src *apptest.Source

	mu        sync.Mutex
	tokens    map[string]int // token -> uses left
	issued    []string
	tokenUses int // uses per token (0: unlimited)
	n         int
	rateN     int // every rateN-th events request is refused
	failN     int // every failN-th events request answers 500
	queries   []url.Values
}

func newFakeOneLogin(t *testing.T, src *apptest.Source) *fakeOneLogin {
	return &fakeOneLogin{t: t, src: src, tokens: map[string]int{}}
}

func olError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"status":{"error":true,"code":%d,"type":%q,"message":%q}}`, code, typ, msg)
}

func (f *fakeOneLogin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Host != testHost {
		f.t.Errorf("request to %s", r.Host)
	}
	switch r.URL.Path {
	case tokenPath:
		f.token(w, r)
	case rateLimitPath:
		if !f.authorized(w, r) {
			return
		}
		fmt.Fprint(w, `{"status":{"error":false,"code":200,"type":"success","message":"Success"},`+
			`"data":{"X-RateLimit-Limit":5000,"X-RateLimit-Remaining":0,"X-RateLimit-Reset":1}}`)
	case eventsPath:
		f.events(w, r)
	default:
		f.t.Errorf("request %s %s", r.Method, r.URL.Path)
		olError(w, 404, "not found", "Not Found")
	}
}

// token implements Generate Tokens v2.
func (f *fakeOneLogin) token(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		GrantType string `json:"grant_type"`
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" ||
		json.Unmarshal(body, &req) != nil || req.GrantType != "client_credentials" {
		f.t.Errorf("token request %s %q %s", r.Method, r.Header.Get("Content-Type"), body)
		olError(w, 400, "bad request", "grant_type is incorrect/absent")
		return
	}
	if r.Header.Get("Authorization") != "client_id:"+testID+", client_secret:"+testSecret {
		olError(w, 401, "Unauthorized", "Authentication Failure")
		return
	}
	b := make([]byte, 28)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	f.mu.Lock()
	f.tokens[tok] = f.tokenUses
	f.issued = append(f.issued, tok)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"created_at":%q,"expires_in":36000,"refresh_token":"%s","token_type":"bearer","account_id":555555}`,
		tok, time.Now().UTC().Format(time.RFC3339), strings.Repeat("r", 56))
}

// authorized checks the bearer token, spending one of its uses.
func (f *fakeOneLogin) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "bearer:")
	f.mu.Lock()
	left, known := f.tokens[tok]
	if known && f.tokenUses > 0 {
		if left == 0 {
			known = false
		} else {
			f.tokens[tok] = left - 1
		}
	}
	f.mu.Unlock()
	if r.Method != http.MethodGet || !ok || !known {
		olError(w, 401, "Unauthorized", "Authentication Failure")
		return false
	}
	return true
}

func (f *fakeOneLogin) events(w http.ResponseWriter, r *http.Request) {
	f.src.Tick()
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	f.n++
	n := f.n
	q := r.URL.Query()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if f.rateN > 0 && n%f.rateN == 0 {
		olError(w, 400, "bad request", "rate_limit_exceeded")
		return
	}
	if f.failN > 0 && n%f.failN == 0 {
		olError(w, 500, "internal server error", "Internal Server Error")
		return
	}
	since, err := time.Parse(time.RFC3339, q.Get("since"))
	limit, lerr := strconv.Atoi(q.Get("limit"))
	if err != nil || lerr != nil || limit < 1 || limit > 50 || q.Get("sort") != "+id" {
		olError(w, 400, "bad request", "Invalid query parameters")
		return
	}
	after := 0
	if c := q.Get("after_cursor"); c != "" {
		if after, err = strconv.Atoi(strings.TrimPrefix(c, "c")); err != nil {
			olError(w, 400, "bad request", "Invalid cursor")
			return
		}
	}
	var page []apptest.Event
	more := false
	for _, e := range f.src.Visible() {
		if e.Seq <= after || !e.Time.After(since) {
			continue
		}
		if len(page) == limit {
			more = true
			break
		}
		page = append(page, e)
	}
	var next any
	if more {
		nq := url.Values{"since": {q.Get("since")}, "sort": {"+id"}, "limit": {q.Get("limit")},
			"after_cursor": {"c" + strconv.Itoa(page[len(page)-1].Seq)}}
		next = "https://" + testHost + eventsPath + "?" + nq.Encode()
	}
	data := make([]json.RawMessage, len(page))
	for i, e := range page {
		data[i] = render(e)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4000")
	w.Header().Set("X-RateLimit-Reset", "1200")
	json.NewEncoder(w).Encode(map[string]any{
		"status":     map[string]any{"error": false, "code": 200, "type": "success", "message": "Success"},
		"pagination": map[string]any{"before_cursor": nil, "after_cursor": nil, "previous_link": nil, "next_link": next},
		"data":       data,
	})
}

// render writes e as a OneLogin event with every attribute of the Event
// resource.
func render(e apptest.Event) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"id": idBase + e.Seq, "created_at": e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), "account_id": 555555,
		"user_id": "123", "event_type_id": 13, "notes": nil, "ipaddr": "11.22.33.44", "actor_user_id": "456",
		"assuming_acting_user_id": nil, "role_id": nil, "app_id": nil, "group_id": nil, "otp_device_id": nil,
		"policy_id": nil, "actor_system": "", "custom_message": nil, "role_name": nil, "app_name": nil, "group_name": nil,
		"actor_user_name": "Admin User", "user_name": "Jane Doe", "policy_name": nil, "otp_device_name": nil,
		"operation_name": nil, "directory_sync_run_id": nil, "directory_id": nil, "resolution": nil, "client_id": nil,
		"resource_type_id": nil, "error_description": nil, "proxy_ip": nil,
	})
	return b
}

func idOf(log []byte) (string, error) {
	var e struct{ ID int }
	if err := json.Unmarshal(log, &e); err != nil || e.ID <= idBase {
		return "", fmt.Errorf("no id in %s", log)
	}
	return fmt.Sprintf("ev-%06d", e.ID-idBase), nil
}

func (f *fakeOneLogin) seen() ([]url.Values, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.queries...), append([]string(nil), f.issued...)
}
