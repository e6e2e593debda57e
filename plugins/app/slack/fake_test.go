package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

const testToken = "xoxp-1234567890-0987654321-1122334455-a1b2c3d4e5f6a7b8c9d0"

// fakeSlack stands in for team.accessLogs and team.integrationLogs: it
// checks the bearer token and the classic paging arguments as Slack
// documents them, serves entries newest first, answers errors with
// "ok": false, and now and then a 429 with Retry-After.
type fakeSlack struct {
	t      *testing.T
	src    *apptest.Source
	access bool

	mu      sync.Mutex
	n       int
	queries []url.Values
	rateN   int    // every rateN-th request answers 429...
	retry   string // ...with this Retry-After ("1")
	failN   int    // every failN-th request answers 500
	// updates are access entries updated in place: source id -> the
	// new date_last and count.
	updates map[string][2]int64
	// ascending serves oldest first, as the integration docs' example.
	ascending bool
}

func newFakeSlack(t *testing.T, src *apptest.Source, typ string) *fakeSlack {
	return &fakeSlack{t: t, src: src, access: typ == "slack_access", updates: map[string][2]int64{}}
}

func slackError(w http.ResponseWriter, code int, e string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"ok":false,"error":%q}`, e)
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.src.Tick()
	f.mu.Lock()
	f.n++
	n, rateN, failN, retry := f.n, f.rateN, f.failN, f.retry
	q := r.URL.Query()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	want := "/api/team.integrationLogs"
	if f.access {
		want = "/api/team.accessLogs"
	}
	if r.Method != http.MethodGet || r.URL.Path != want || r.Host != "slack.com" {
		f.t.Errorf("request %s %s to %s", r.Method, r.URL.Path, r.Host)
		slackError(w, 404, "unknown_method")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		slackError(w, 200, "invalid_auth")
		return
	}
	if rateN > 0 && n%rateN == 0 {
		if retry == "" {
			retry = "1"
		}
		w.Header().Set("Retry-After", retry)
		slackError(w, 429, "ratelimited")
		return
	}
	if failN > 0 && n%failN == 0 {
		slackError(w, 500, "internal_error")
		return
	}
	count, cerr := strconv.Atoi(q.Get("count"))
	page, perr := strconv.Atoi(q.Get("page"))
	if cerr != nil || perr != nil || count < 1 || page < 1 {
		slackError(w, 200, "invalid_arguments")
		return
	}
	if count > 1000 || page > 100 {
		slackError(w, 200, "over_pagination_limit")
		return
	}
	entries := f.entries(q)
	pages := max(1, (len(entries)+count-1)/count)
	from, to := min((page-1)*count, len(entries)), min(page*count, len(entries))
	list := "logs"
	if f.access {
		list = "logins"
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, list: entries[from:to],
		"paging": map[string]int{"count": count, "total": len(entries), "page": page, "pages": pages}})
}

// entries lists the log newest first (by date_first for access logs),
// access entries with date_first at or before the before argument.
func (f *fakeSlack) entries(q url.Values) []map[string]any {
	events := apptest.NewestFirst(f.src.Visible())
	if f.ascending {
		events = apptest.ByTime(f.src.Visible())
	}
	before := int64(1 << 62)
	if f.access && q.Get("before") != "" {
		var err error
		if before, err = strconv.ParseInt(q.Get("before"), 10, 64); err != nil {
			f.t.Errorf("before %q", q.Get("before"))
		}
	} else if !f.access && q.Has("before") {
		f.t.Errorf("before sent to team.integrationLogs")
	}
	var out []map[string]any
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range events {
		if f.access && e.Time.Unix() > before {
			continue
		}
		out = append(out, f.render(e))
	}
	if f.access {
		sort.SliceStable(out, func(i, j int) bool { return out[i]["date_first"].(int64) > out[j]["date_first"].(int64) })
	}
	return out
}

// render writes e as an access entry (one user, IP and user agent) or an
// integration log entry of the documented shapes, the source id in the
// user name.
func (f *fakeSlack) render(e apptest.Event) map[string]any {
	if f.access {
		last, count := e.Time.Unix(), int64(1)
		if u, ok := f.updates[e.ID]; ok {
			last, count = u[0], u[1]
		}
		return map[string]any{"user_id": "U" + e.ID[3:], "username": e.ID, "date_first": e.Time.Unix(), "date_last": last,
			"count": count, "ip": "127.0.0.1", "user_agent": "SlackWeb Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_2) Chrome/41.0",
			"isp": "BigCo ISP", "country": "US", "region": "CA"}
	}
	if e.Seq%2 == 0 {
		return map[string]any{"service_id": "1234567890", "service_type": "Google Calendar", "user_id": "U1234ABCD",
			"user_name": e.ID, "channel": "C1234567890", "date": strconv.FormatInt(e.Time.Unix(), 10),
			"change_type": "enabled", "scope": "incoming-webhook"}
	}
	return map[string]any{"app_id": "2345678901", "app_type": "Johnny App", "user_id": "U2345BCDE", "user_name": e.ID,
		"date": strconv.FormatInt(e.Time.Unix(), 10), "change_type": "added", "scope": "chat:write:user,channels:read"}
}

// update records new activity for an access entry.
func (f *fakeSlack) update(id string, last time.Time, count int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates[id] = [2]int64{last.Unix(), count}
}

func idOf(log []byte) (string, error) {
	var e struct {
		Username string `json:"username"`
		UserName string `json:"user_name"`
	}
	if err := json.Unmarshal(log, &e); err != nil {
		return "", err
	}
	if e.Username != "" {
		return e.Username, nil
	}
	if e.UserName != "" {
		return e.UserName, nil
	}
	return "", fmt.Errorf("no id in %s", log)
}

func (f *fakeSlack) seen() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.queries...)
}
