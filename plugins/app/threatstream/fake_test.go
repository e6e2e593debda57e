package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

// Test credentials; the key is long and distinctive, for leak checks.
const (
	apiHost  = "api.threatstream.com"
	testUser = "analyst@example.com"
	testKey  = "SaTestThreatstreamKey0f1e2d3c4b5a69788796"
)

// updateBase offsets a source event's sequence number into its update_id.
const updateBase = 500_000_000

// fakeStream stands in for ThreatStream's intelligence API as documented:
// the "Authorization: apikey user:key" header, the q search over status,
// type and itype, order_by and update_id__gt filters, pages of limit
// objects with meta.next. Its indicators are the source's events, one
// update_id each in arrival order.
type fakeStream struct {
	t   *testing.T
	src *apptest.Source
	*apptest.Server

	mu     sync.Mutex
	calls  int
	refuse []func(w http.ResponseWriter) bool
	// pageCap bounds a page below the limit asked.
	pageCap int
	// still stops events arriving during requests.
	still bool
	// extra are indicators served besides the source's, by update_id.
	extra []map[string]any
}

func newFakeStream(t *testing.T, src *apptest.Source) *fakeStream {
	f := &fakeStream{t: t, src: src, pageCap: 25}
	f.Server = apptest.NewServer(t, f, apiHost)
	return f
}

// qPattern is the search the plugin sends: StreamAlert's.
var qPattern = regexp.MustCompile(`^\(status="active"\) AND \(((?:type="\w+"(?: OR )?)+)\)(?: AND NOT \(((?:itype="\w+"(?: OR )?)+)\))?$`)

func (f *fakeStream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	if !f.still {
		f.src.Tick()
	}
	var refuse func(http.ResponseWriter) bool
	if len(f.refuse) > 0 {
		refuse, f.refuse = f.refuse[0], f.refuse[1:]
	}
	f.mu.Unlock()
	q := r.URL.Query()
	if r.Host != apiHost || r.Method != http.MethodGet || r.URL.Path != "/api/v2/intelligence/" {
		f.t.Errorf("request %s %s%s", r.Method, r.Host, r.URL.Path)
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	if q.Has("username") || q.Has("api_key") {
		f.t.Errorf("credentials in the URL: %s", r.URL.RawQuery)
	}
	if r.Header.Get("Authorization") != "apikey "+testUser+":"+testKey {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Unauthorized: invalid credentials"})
		return
	}
	if refuse != nil && refuse(w) {
		return
	}
	m := qPattern.FindStringSubmatch(q.Get("q"))
	limit, err1 := strconv.Atoi(q.Get("limit"))
	after, err2 := strconv.ParseInt(q.Get("update_id__gt"), 10, 64)
	if m == nil || err1 != nil || err2 != nil || limit < 1 || limit > 1000 || q.Get("order_by") != "update_id" || len(q) != 4 {
		f.t.Errorf("query %v", q)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad query"})
		return
	}
	types := values(m[1])
	excluded := values(m[2])
	var objs []map[string]any
	for _, o := range f.indicators() {
		if o["update_id"].(int64) > after && types[o["type"].(string)] && !excluded[o["itype"].(string)] {
			objs = append(objs, o)
		}
	}
	n := min(limit, f.pageCap, len(objs))
	meta := map[string]any{"limit": limit, "offset": 0, "took": 7, "total_count": len(objs), "next": nil}
	if n < len(objs) {
		next := url.Values{"limit": {q.Get("limit")}, "q": {q.Get("q")}, "order_by": {"update_id"},
			"update_id__gt": {q.Get("update_id__gt")}, "offset": {strconv.Itoa(n)}}
		meta["next"] = "/api/v2/intelligence/?" + next.Encode()
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": meta, "objects": objs[:n]})
}

// values reads the quoted values of a q clause.
func values(clause string) map[string]bool {
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`"(\w+)"`).FindAllStringSubmatch(clause, -1) {
		out[m[1]] = true
	}
	return out
}

// indicators renders the source's events and the extra indicators in
// update_id order.
func (f *fakeStream) indicators() []map[string]any {
	var out []map[string]any
	for _, e := range f.src.Visible() {
		out = append(out, render(e))
	}
	f.mu.Lock()
	out = append(out, f.extra...)
	f.mu.Unlock()
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j]["update_id"].(int64) < out[j-1]["update_id"].(int64); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// kinds are the ThreatStream types the source's events take in turn: the
// hashes are all type md5, told apart by length.
var kinds = []struct{ typ, itype string }{
	{"ip", "mal_ip"}, {"domain", "c2_domain"}, {"md5", "mal_md5"}, {"md5", "mal_md5"}, {"md5", "mal_md5"}, {"url", "phish_url"},
}

// render shapes an event as an intelligence object.
func render(e apptest.Event) map[string]any {
	k := kinds[e.Seq%len(kinds)]
	var value string
	switch e.Seq % len(kinds) {
	case 0:
		value = fmt.Sprintf("198.51.%d.%d", e.Seq/256, e.Seq%256)
	case 1:
		value = e.ID + ".c2.example"
	case 2:
		value = fmt.Sprintf("%032X", e.Seq)
	case 3:
		value = fmt.Sprintf("%040x", e.Seq)
	case 4:
		value = fmt.Sprintf("%064x", e.Seq)
	case 5:
		value = "https://phish.example/" + e.ID
	}
	o := map[string]any{
		"id": int64(e.Seq), "update_id": int64(updateBase + e.Seq), "value": value, "type": k.typ, "itype": k.itype,
		"status": "active", "source": "CrowdStrike Falcon Intelligence", "confidence": 87, "severity": "high",
		"created_ts": e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), "modified_ts": e.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
		"tags": []any{map[string]any{"name": "apt"}},
	}
	if e.Seq%7 != 0 {
		o["expiration_ts"] = e.Time.Add(30 * 24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return o
}

// idOf maps an emitted IOC back to its source event.
func idOf(log []byte) (string, error) {
	var i ioc
	if err := json.Unmarshal(log, &i); err != nil {
		return "", err
	}
	var seq int64
	switch i.Type {
	case "ip":
		var a, b, c, d int64
		fmt.Sscanf(i.Value, "%d.%d.%d.%d", &a, &b, &c, &d)
		seq = c*256 + d
	case "domain", "url":
		at := strings.Index(i.Value, "ev-")
		if at < 0 || len(i.Value) < at+9 {
			return "", fmt.Errorf("value %q", i.Value)
		}
		return i.Value[at : at+9], nil
	case "md5", "sha1", "sha256":
		n, err := strconv.ParseInt(strings.TrimLeft(i.Value, "0"), 16, 64)
		if err != nil {
			return "", err
		}
		seq = n
	default:
		return "", fmt.Errorf("type %q", i.Type)
	}
	return fmt.Sprintf("ev-%06d", seq), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeStream) refuseNext(fn func(w http.ResponseWriter) bool) {
	f.mu.Lock()
	f.refuse = append(f.refuse, fn)
	f.mu.Unlock()
}

// config is the raw configuration of an instance reading from f.
func (f *fakeStream) config(extra map[string]any) map[string]any {
	raw := map[string]any{"type": appType, propUser: testUser, propKey: testKey,
		propTypes: []any{"ip", "domain", "md5", "url"}}
	for k, v := range f.Transport() {
		raw[k] = v
	}
	for k, v := range extra {
		raw[k] = v
	}
	return raw
}
