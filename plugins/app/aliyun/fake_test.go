package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

// Test credentials; long and distinctive, for leak checks.
const (
	testKeyID  = "LTAI5tSaTestKeyId8f3k2m"
	testSecret = "SaTestSecret0x9Q2w8E7r6T5y4U3i2O1p"
	testRegion = "cn-hangzhou"
	testHost   = "actiontrail." + testRegion + ".aliyuncs.com"
)

// fakeTrail stands in for ActionTrail's LookupEvents as Alibaba Cloud
// documents it: it recomputes the HMAC-SHA1 signature of every request
// from the query it received (with its own byte-wise encoder), checks the
// common parameters, the timestamp and that no nonce repeats, and serves
// the events of the time range asked for newest first, in NextToken pages
// bound to that range.
type fakeTrail struct {
	t   *testing.T
	src *apptest.Source
	*apptest.Server

	mu     sync.Mutex
	nonces map[string]bool
	calls  int
	ranges [][2]string
	refuse []func(w http.ResponseWriter) bool
	// clock is the fake's clock offset from ours, for skew tests.
	clock time.Duration
	// still stops events arriving during requests.
	still bool
}

func newFakeTrail(t *testing.T, src *apptest.Source) *fakeTrail {
	f := &fakeTrail{t: t, src: src, nonces: map[string]bool{}}
	f.Server = apptest.NewServer(t, f, "actiontrail."+testRegion+".aliyuncs.com")
	return f
}

func (f *fakeTrail) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	now := time.Now().Add(f.clock)
	if !f.still {
		f.src.Tick()
	}
	var refuse func(http.ResponseWriter) bool
	if len(f.refuse) > 0 {
		refuse, f.refuse = f.refuse[0], f.refuse[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	if r.Host != testHost || r.Method != http.MethodGet || r.URL.Path != "/" {
		f.t.Errorf("request %s %s%s", r.Method, r.Host, r.URL.Path)
		apiFail(w, http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found.")
		return
	}
	q := r.URL.Query()
	if code, msg := f.checkSignature(r.URL.RawQuery, q, now); code != "" {
		status := http.StatusBadRequest
		if code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId.NotFound" {
			status = http.StatusForbidden
		}
		apiFail(w, status, code, msg)
		return
	}
	if refuse != nil && refuse(w) {
		return
	}
	f.lookup(w, q)
}

// checkSignature verifies a request as the RPC gateway does.
func (f *fakeTrail) checkSignature(raw string, q url.Values, now time.Time) (code, msg string) {
	for k, want := range map[string]string{"Format": "JSON", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"Action": "LookupEvents", "Version": "2020-07-06"} {
		if q.Get(k) != want {
			return "MissingParameter", fmt.Sprintf("%s is %q", k, q.Get(k))
		}
	}
	if q.Get("AccessKeyId") != testKeyID {
		return "InvalidAccessKeyId.NotFound", "Specified access key is not found."
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", q.Get("Timestamp"))
	if err != nil || ts.Sub(now) > 15*time.Minute || now.Sub(ts) > 15*time.Minute {
		return "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
	}
	f.mu.Lock()
	used := f.nonces[q.Get("SignatureNonce")]
	f.nonces[q.Get("SignatureNonce")] = true
	f.mu.Unlock()
	if used || q.Get("SignatureNonce") == "" {
		return "SignatureNonceUsed", "Specified signature nonce was used already."
	}
	// The canonical string is rebuilt from the raw query's pairs, without
	// the plugin's helpers.
	var pairs []string
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		dk, _ := url.QueryUnescape(k)
		dv, _ := url.QueryUnescape(v)
		if dk == "Signature" {
			continue
		}
		pairs = append(pairs, rfc3986(dk)+"="+rfc3986(dv))
	}
	sort.Strings(pairs)
	toSign := "GET&%2F&" + rfc3986(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(testSecret+"&"))
	mac.Write([]byte(toSign))
	if q.Get("Signature") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		return "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
	}
	return "", ""
}

// rfc3986 percent-encodes every byte but A-Z a-z 0-9 - _ . ~.
func rfc3986(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// lookup serves LookupEvents.
func (f *fakeTrail) lookup(w http.ResponseWriter, q url.Values) {
	start, err1 := time.Parse("2006-01-02T15:04:05Z", q.Get("StartTime"))
	end, err2 := time.Parse("2006-01-02T15:04:05Z", q.Get("EndTime"))
	size, err3 := strconv.Atoi(q.Get("MaxResults"))
	if err1 != nil || err2 != nil || err3 != nil || !start.Before(end) || size < 1 || size > 50 || end.Sub(start) > 30*24*time.Hour {
		f.t.Errorf("LookupEvents query %v", q)
		apiFail(w, http.StatusBadRequest, "InvalidParameter", "The parameter is invalid.")
		return
	}
	f.mu.Lock()
	f.ranges = append(f.ranges, [2]string{q.Get("StartTime"), q.Get("EndTime")})
	f.mu.Unlock()
	offset := 0
	if tok := q.Get("NextToken"); tok != "" {
		n, rng, ok := strings.Cut(tok, ":")
		var err error
		if offset, err = strconv.Atoi(n); err != nil || !ok || rng != q.Get("StartTime")+"/"+q.Get("EndTime") {
			apiFail(w, http.StatusBadRequest, "InvalidNextToken", "The NextToken is invalid.")
			return
		}
	}
	var events []json.RawMessage
	for _, e := range apptest.NewestFirst(f.src.Visible()) {
		if !e.Time.Before(start) && e.Time.Before(end) {
			events = append(events, render(e))
		}
	}
	page := map[string]any{"RequestId": "8E1A2C3D-0000-4E5F-9A8B-SATEST", "StartTime": q.Get("StartTime"), "EndTime": q.Get("EndTime"),
		"Events": events[min(offset, len(events)):min(offset+size, len(events))]}
	if offset+size < len(events) {
		page["NextToken"] = strconv.Itoa(offset+size) + ":" + q.Get("StartTime") + "/" + q.Get("EndTime")
	}
	writeJSON(w, http.StatusOK, page)
}

// render shapes an event as LookupEvents returns one.
func render(e apptest.Event) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"eventId":            e.ID + "-7C9E-4A51-8E6B-5D2F0A1B3C4D",
		"eventVersion":       "1",
		"acsRegion":          testRegion,
		"requestParameters":  map[string]any{"InstanceId": "i-bp67acfmxazb4p****", "RegionId": testRegion},
		"eventType":          "ApiCall",
		"eventTime":          e.Time.UTC().Format("2006-01-02T15:04:05Z"),
		"apiVersion":         "2014-05-26",
		"eventName":          "StopInstance",
		"userIdentity":       map[string]any{"type": "ram-user", "principalId": "2071****", "accountId": "1230****", "userName": "alice"},
		"userAgent":          "AlibabaCloud (Linux; amd64) Go/1.26 Core/1.62",
		"eventSource":        "ecs.aliyuncs.com",
		"requestId":          "55A9A6A4-0000-4E55-" + e.ID,
		"serviceName":        "Ecs",
		"sourceIpAddress":    "203.0.113.54",
		"recipientAccountId": "1230****",
	})
	return b
}

// idOf maps an emitted event back to its source event.
func idOf(log []byte) (string, error) {
	var e struct {
		ID string `json:"eventId"`
	}
	if err := json.Unmarshal(log, &e); err != nil {
		return "", err
	}
	id, _, ok := strings.Cut(e.ID, "-7C9E")
	if !ok {
		return "", fmt.Errorf("eventId %q", e.ID)
	}
	return id, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// apiFail writes the error body of Alibaba Cloud's RPC APIs.
func apiFail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"RequestId": "4C3B2A19-SATEST", "HostId": testHost, "Code": code, "Message": msg,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + code})
}

func (f *fakeTrail) refuseNext(fn func(w http.ResponseWriter) bool) {
	f.mu.Lock()
	f.refuse = append(f.refuse, fn)
	f.mu.Unlock()
}

// config is the raw configuration of an instance reading from f.
func (f *fakeTrail) config() map[string]any {
	raw := map[string]any{"type": appType, propKeyID: testKeyID, propSecret: testSecret, propRegion: testRegion,
		"overlap_seconds": 5, "lookback_minutes": 5}
	for k, v := range f.Transport() {
		raw[k] = v
	}
	return raw
}
