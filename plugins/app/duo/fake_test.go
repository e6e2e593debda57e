package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

const (
	testHost = "api-1a2b3c4d.duosecurity.com"
	testIKey = "DIWJ8X6AEYOR5OMC6TQ1"
	testSKey = "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep"
)

// fakeDuo stands in for Duo's Admin API v1 log endpoints: it recomputes
// the HMAC-SHA1 signature of every request from what arrived, checks the
// Date header against its clock, and answers with the 1000 earliest events
// at or after mintime, now and then with a 429 or a 500.
type fakeDuo struct {
	t     *testing.T
	src   *apptest.Source
	path  string
	admin bool

	mu        sync.Mutex
	n         int
	mintimes  []int64
	times     []time.Time
	rateN     int // every rateN-th request answers 429
	failN     int // every failN-th request answers 500
	identical int // events repeated verbatim (same second, same content)
}

func newFakeDuo(t *testing.T, src *apptest.Source, typ string) *fakeDuo {
	return &fakeDuo{t: t, src: src, path: endpoints[typ], admin: typ == "duo_admin"}
}

func duoError(w http.ResponseWriter, code, duoCode int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"code": %d, "message": %q, "stat": "FAIL"}`, duoCode, msg)
}

func (f *fakeDuo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.src.Tick()
	f.mu.Lock()
	f.n++
	n := f.n
	f.times = append(f.times, time.Now())
	f.mu.Unlock()
	if r.Method != http.MethodGet || r.URL.Path != f.path || r.Host != testHost {
		f.t.Errorf("request %s %s to %s", r.Method, r.URL.Path, r.Host)
		duoError(w, 404, 40401, "Resource not found")
		return
	}
	if msg := f.checkAuth(r); msg != "" {
		f.t.Errorf("authentication refused: %s", msg)
		duoError(w, 401, 40103, "Invalid signature in request credentials")
		return
	}
	if f.rateN > 0 && n%f.rateN == 0 {
		duoError(w, 429, 42901, "Too Many Requests")
		return
	}
	if f.failN > 0 && n%f.failN == 0 {
		duoError(w, 500, 50000, "Internal server error")
		return
	}
	q := r.URL.Query()
	mintime, err := strconv.ParseInt(q.Get("mintime"), 10, 64)
	if err != nil || len(q) != 1 {
		duoError(w, 400, 40002, "Invalid request parameters")
		return
	}
	f.mu.Lock()
	f.mintimes = append(f.mintimes, mintime)
	identical := f.identical
	f.mu.Unlock()
	out := []json.RawMessage{}
	for _, e := range apptest.ByTime(f.src.Visible()) {
		if e.Time.Unix() >= mintime && len(out) < pageLimit {
			out = append(out, f.render(e))
			for i := 0; i < identical && len(out) < pageLimit; i++ {
				out = append(out, f.render(e))
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"stat": "OK", "response": out})
}

// checkAuth verifies the Date header and the signature as Duo does,
// rebuilding the canonical request from what arrived.
func (f *fakeDuo) checkAuth(r *http.Request) string {
	date := r.Header.Get("Date")
	at, err := time.Parse("Mon, 02 Jan 2006 15:04:05 -0700", date)
	if err != nil || !strings.HasSuffix(date, " -0000") {
		return "Date header " + date + " is not RFC 2822 UTC"
	}
	if d := time.Since(at); d > 5*time.Minute || d < -5*time.Minute {
		return "Date header too far from now"
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != testIKey {
		return "basic credentials missing or integration key wrong"
	}
	var pairs []string
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			pairs = append(pairs, rfc3986(k)+"="+rfc3986(v))
		}
	}
	sort.Strings(pairs)
	canon := date + "\n" + r.Method + "\n" + strings.ToLower(r.Host) + "\n" + r.URL.Path + "\n" + strings.Join(pairs, "&")
	mac := hmac.New(sha1.New, []byte(testSKey))
	mac.Write([]byte(canon))
	if !hmac.Equal([]byte(pass), []byte(hex.EncodeToString(mac.Sum(nil)))) {
		return "signature mismatch"
	}
	return ""
}

func rfc3986(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// render writes e in the documented v1 shapes: the administrator log of
// StreamAlert's schema, or the authentication log with its device and
// location objects. The source id rides in object or username.
func (f *fakeDuo) render(e apptest.Event) json.RawMessage {
	var v map[string]any
	if f.admin {
		v = map[string]any{"action": "user_update", "description": `{"notes": "", "realname": "Joe Smith"}`,
			"object": e.ID, "timestamp": e.Time.Unix(), "username": "admin"}
	} else {
		v = map[string]any{
			"access_device": map[string]any{"browser": "Chrome", "browser_version": "60.0.0000.80", "flash_version": "uninstalled",
				"java_version": "uninstalled", "os": "Mac OS X", "os_version": "10.12.6", "trusted_endpoint_status": "not trusted"},
			"alias": "", "device": "555-123-4567", "factor": "Duo Push", "integration": "Test Integration", "ip": "12.123.123.12",
			"isotimestamp":   e.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
			"location":       map[string]any{"city": "Place", "country": "US", "state": "State"},
			"new_enrollment": false, "reason": "User approved", "result": "SUCCESS", "timestamp": e.Time.Unix(),
			"username": e.ID + "@example.com"}
	}
	b, _ := json.Marshal(v)
	return b
}

// idOf maps an emitted log back to its source event.
func idOf(log []byte) (string, error) {
	var v struct{ Object, Username string }
	if err := json.Unmarshal(log, &v); err != nil {
		return "", err
	}
	if strings.HasPrefix(v.Object, "ev-") {
		return v.Object, nil
	}
	if id, ok := strings.CutSuffix(v.Username, "@example.com"); ok {
		return id, nil
	}
	return "", fmt.Errorf("no source id in %s", log)
}

func (f *fakeDuo) seen() ([]int64, []time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.mintimes...), append([]time.Time(nil), f.times...)
}
