package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Hosts and credentials of the test org; long and distinctive values, for
// leak checks.
const (
	loginHost        = "login.salesforce.com"
	instanceHost     = "sa-test.my.salesforce.com"
	testClientID     = "3MVG9saTestClientId.Q5b8n1m4v7c0x3z6l9k2j5h8g1f4d7s0a3p6o9i2u5y8t1r4e7w0q3a6s9d2f5g8h"
	testClientSecret = "8342907716201558811"
	testUsername     = "siem-reader@example.com"
	testPassword     = "SaTestPassw0rd-9c4e1f"
	testToken        = "SaTestSecTok9Xq2Wc7Rv5Bn"
	apiVer           = "60.0"
)

// secrets are the values that must never leak (the session tokens the fake
// issues are added per test).
var secrets = []string{testClientSecret, testPassword, testToken, testPassword + testToken}

// soqlPattern is the exact query the plugin must send.
var soqlPattern = regexp.MustCompile(`^SELECT Id, EventType, LogFile, LogDate, LogFileLength FROM EventLogFile ` +
	`WHERE LogDate >= (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) AND EventType = '(\w+)' AND Interval = '(Daily|Hourly)' ORDER BY LogDate, Id$`)

// sfFile is one event log file of the fake org.
type sfFile struct {
	id        string
	eventType string
	interval  string
	date      time.Time
	events    []apptest.Event
	// visible is false until the file is published.
	visible bool
}

// fakeSalesforce stands in for Salesforce's OAuth token endpoint and REST
// API as documented: the username-password grant (password followed by
// the security token), API version discovery, SOQL queries on EventLogFile
// paged by nextRecordsUrl, and LogFile downloads as CSV. Files are made of
// the source's events by the poll they arrived before; some are published
// a poll late and their LogDate jitters, so a file can appear after a newer
// one.
type fakeSalesforce struct {
	t   *testing.T
	src *apptest.Source
	*apptest.Server
	rng *rand.Rand

	mu       sync.Mutex
	files    []*sfFile
	assigned int
	tokens   map[string]bool
	logins   int
	queries  []string
	refuse   []func(w http.ResponseWriter) bool
	// pages keeps the records of queries with more than one page, by
	// query locator.
	pages map[string][]map[string]any
	// pageSize bounds the records of a query page.
	pageSize int
}

func newFakeSalesforce(t *testing.T, src *apptest.Source) *fakeSalesforce {
	f := &fakeSalesforce{t: t, src: src, rng: rand.New(rand.NewPCG(7, 9)), tokens: map[string]bool{}, pages: map[string][]map[string]any{}, pageSize: 3}
	f.Server = apptest.NewServer(t, f, loginHost, instanceHost)
	return f
}

// publish makes a file of the events arrived since the last call, and
// publishes the files held back; a new file is itself held back a poll now
// and then.
func (f *fakeSalesforce) publish(eventType string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fl := range f.files {
		fl.visible = true
	}
	all := f.src.Visible()
	if len(all) == f.assigned {
		return
	}
	evs := all[f.assigned:]
	f.assigned = len(all)
	date := time.Now().Add(-time.Duration(f.rng.Int64N(int64(3 * time.Second)))).UTC().Truncate(time.Millisecond)
	f.files = append(f.files, &sfFile{id: fmt.Sprintf("0ATSA%013d", len(f.files)+1), eventType: eventType, interval: "Daily",
		date: date, events: evs, visible: f.rng.IntN(4) != 0})
}

func (f *fakeSalesforce) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Host == loginHost && r.URL.Path == tokenPath:
		f.login(w, r)
		return
	case r.Host != instanceHost:
		f.t.Errorf("request to %s%s", r.Host, r.URL.Path)
		http.Error(w, "unknown host", http.StatusMisdirectedRequest)
		return
	}
	f.src.Tick()
	f.mu.Lock()
	valid := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	var refuse func(http.ResponseWriter) bool
	if len(f.refuse) > 0 && r.URL.Path != "/services/data/" {
		refuse, f.refuse = f.refuse[0], f.refuse[1:]
	}
	f.mu.Unlock()
	if !valid {
		restError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	if refuse != nil && refuse(w) {
		return
	}
	base := "/services/data/v" + apiVer
	switch {
	case r.URL.Path == "/services/data/":
		writeJSON(w, http.StatusOK, []map[string]string{
			{"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"},
			{"label": "Spring '24", "url": "/services/data/v60.0", "version": apiVer},
			{"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"},
		})
	case r.URL.Path == base+"/query":
		f.query(w, r.URL.Query().Get("q"))
	case strings.HasPrefix(r.URL.Path, base+"/query/"):
		f.queryMore(w, strings.TrimPrefix(r.URL.Path, base+"/query/"))
	case strings.HasPrefix(r.URL.Path, base+"/sobjects/EventLogFile/") && strings.HasSuffix(r.URL.Path, "/LogFile"):
		f.logFile(w, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, base+"/sobjects/EventLogFile/"), "/LogFile"))
	default:
		f.t.Errorf("request for %s", r.URL.Path)
		restError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

// login is the username-password grant.
func (f *fakeSalesforce) login(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.logins++
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		f.t.Errorf("token request %s (%s)", r.Method, r.Header.Get("Content-Type"))
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	form := r.PostForm
	switch {
	case form.Get("grant_type") != "password" || len(form) != 5:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant type not supported"})
	case form.Get("client_id") != testClientID || form.Get("client_secret") != testClientSecret:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client", "error_description": "invalid client credentials"})
	case form.Get("username") != testUsername || form.Get("password") != testPassword+testToken:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "authentication failure"})
	default:
		tok := fmt.Sprintf("00DSA0000000001!AQ4AQ.sa-test.%d.%d", time.Now().UnixNano(), f.rng.Int64())
		f.mu.Lock()
		f.tokens[tok] = true
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{
			"access_token": tok, "instance_url": "https://" + instanceHost, "token_type": "Bearer",
			"id": "https://login.salesforce.com/id/00DSA0000000001/005SA0000000001", "issued_at": strconv.FormatInt(time.Now().UnixMilli(), 10),
			"signature": "c2EtdGVzdC1zaWduYXR1cmU=",
		})
	}
}

// query answers the plugin's SOQL query with the visible files it selects.
func (f *fakeSalesforce) query(w http.ResponseWriter, q string) {
	m := soqlPattern.FindStringSubmatch(q)
	if m == nil {
		f.t.Errorf("query %q", q)
		restError(w, http.StatusBadRequest, "MALFORMED_QUERY", "unexpected query")
		return
	}
	since, _ := time.Parse(time.RFC3339, m[1])
	f.mu.Lock()
	f.queries = append(f.queries, q)
	var recs []map[string]any
	for _, fl := range f.sorted() {
		if fl.visible && !fl.date.Before(since) && fl.eventType == m[2] && fl.interval == m[3] {
			recs = append(recs, map[string]any{
				"attributes": map[string]string{"type": "EventLogFile", "url": "/services/data/v" + apiVer + "/sobjects/EventLogFile/" + fl.id},
				"Id":         fl.id, "EventType": fl.eventType, "LogDate": fl.date.Format(logDateLayout), "LogFileLength": 1024.0,
				"LogFile": "/services/data/v" + apiVer + "/sobjects/EventLogFile/" + fl.id + "/LogFile",
			})
		}
	}
	f.mu.Unlock()
	f.page(w, recs, 0)
}

// queryMore serves a nextRecordsUrl: a query locator and an offset.
func (f *fakeSalesforce) queryMore(w http.ResponseWriter, cursor string) {
	snap, off, ok := strings.Cut(cursor, "-")
	n, err := strconv.Atoi(off)
	f.mu.Lock()
	recs, found := f.pages[snap]
	f.mu.Unlock()
	if !ok || err != nil || !found {
		restError(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	f.page(w, recs, n)
}

func (f *fakeSalesforce) page(w http.ResponseWriter, recs []map[string]any, offset int) {
	end := min(offset+f.pageSize, len(recs))
	body := map[string]any{"totalSize": len(recs), "done": end >= len(recs), "records": recs[min(offset, len(recs)):end]}
	if end < len(recs) {
		loc := fmt.Sprintf("01gSA%d", f.rng.Int64N(1e12))
		f.mu.Lock()
		f.pages[loc] = recs
		f.mu.Unlock()
		body["nextRecordsUrl"] = fmt.Sprintf("/services/data/v%s/query/%s-%d", apiVer, loc, end)
	}
	writeJSON(w, http.StatusOK, body)
}

// sorted returns the files by LogDate, then Id, as ORDER BY asks.
func (f *fakeSalesforce) sorted() []*sfFile {
	out := append([]*sfFile(nil), f.files...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && (out[j].date.Before(out[j-1].date) || out[j].date.Equal(out[j-1].date) && out[j].id < out[j-1].id); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// csvHeader is the header of the test's Login log files (a subset of the
// real columns).
var csvHeader = []string{"EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "URI", "LOGIN_STATUS",
	"BROWSER_TYPE", "USER_NAME", "CLIENT_IP", "TIMESTAMP_DERIVED"}

// logFile serves a file's CSV, every field quoted as Salesforce writes it.
func (f *fakeSalesforce) logFile(w http.ResponseWriter, id string) {
	f.mu.Lock()
	var file *sfFile
	for _, fl := range f.files {
		if fl.id == id && fl.visible {
			file = fl
		}
	}
	f.mu.Unlock()
	if file == nil {
		restError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	quoted := func(rec []string) string {
		q := make([]string, len(rec))
		for i, v := range rec {
			q[i] = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
		return strings.Join(q, ",") + "\n"
	}
	w.Write([]byte(quoted(csvHeader)))
	for _, e := range file.events {
		w.Write([]byte(quoted(row(file, e))))
	}
}

// row is an event's CSV row.
func row(file *sfFile, e apptest.Event) []string {
	return []string{file.eventType, e.Time.UTC().Format("20060102150405.000"), e.ID, "00DSA0000000001", "005SA0000000001",
		"/index.jsp", "LOGIN_NO_ERROR", `Mozilla/5.0 (X11; Linux x86_64) "quoted", with comma`, testUsername, "203.0.113.9",
		e.Time.UTC().Format("2006-01-02T15:04:05.000Z")}
}

// idOf maps an emitted row back to its source event.
func idOf(log []byte) (string, error) {
	var r map[string]string
	if err := json.Unmarshal(log, &r); err != nil {
		return "", err
	}
	if r["REQUEST_ID"] == "" || len(r) != len(csvHeader) {
		return "", fmt.Errorf("row %s", log)
	}
	return r["REQUEST_ID"], nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// restError writes the error body of Salesforce's REST API.
func restError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, []map[string]string{{"message": msg, "errorCode": code}})
}

func (f *fakeSalesforce) refuseNext(fn func(w http.ResponseWriter) bool) {
	f.mu.Lock()
	f.refuse = append(f.refuse, fn)
	f.mu.Unlock()
}

// expireAll ends every session.
func (f *fakeSalesforce) expireAll() {
	f.mu.Lock()
	f.tokens = map[string]bool{}
	f.mu.Unlock()
}

// allSecrets adds the session tokens issued so far to secrets.
func (f *fakeSalesforce) allSecrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]string(nil), secrets...)
	for tok := range f.tokens {
		out = append(out, tok)
	}
	return out
}

// config is the raw configuration of an instance reading from f.
func (f *fakeSalesforce) config(appType string) map[string]any {
	raw := map[string]any{"type": appType, propClientID: testClientID, propClientSecret: testClientSecret,
		propUsername: testUsername, propPassword: testPassword, propSecurityToken: testToken,
		"overlap_seconds": 30, "lookback_minutes": 5}
	for k, v := range f.Transport() {
		raw[k] = v
	}
	return raw
}

// publishing publishes the fake's files before each poll, as time passing
// does at Salesforce.
type publishing struct {
	apptest.Gatherer
	f         *fakeSalesforce
	eventType string
}

func (p publishing) Gather(ctx context.Context, state []byte, budget time.Duration, emit func(saplugin.Batch) error) error {
	p.f.publish(p.eventType)
	return p.Gatherer.Gather(ctx, state, budget, emit)
}
