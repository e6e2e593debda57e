package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// endpoints are the Admin API log endpoints of each app type.
var endpoints = map[string]string{
	"duo_auth":  "/admin/v1/logs/authentication",
	"duo_admin": "/admin/v1/logs/administrator",
}

// pageLimit is how many events Duo returns at most: the 1000 earliest at
// or after mintime.
const pageLimit = 1000

// poller is one poll of a Duo log.
//
// Duo returns the events at or after mintime (Unix seconds), oldest first,
// at most 1000. StreamAlert asked for last+1 and lost every event of the
// last second that a full page cut off, and every event Duo recorded late.
// Here a poll starts at the cursor's start (the newest second emitted
// minus the overlap) and each further page at the newest second of the
// previous one, so a second is always read whole; events are told apart
// by the hash of their content, as Duo's v1 logs carry no id.
type poller struct {
	p    *appkit.Poll
	s    settings
	path string
	sign signer
}

// run reads pages until Duo has nothing more or the budget ends.
func (o *poller) run() (bool, error) {
	mintime := o.p.Cursor.Start().Unix()
	for {
		events, err := o.page(mintime)
		if err != nil {
			return false, err
		}
		if err := o.p.Emit(events); err != nil {
			return false, err
		}
		if len(events) == 0 {
			return false, nil
		}
		newest := events[len(events)-1].Time
		for _, e := range events {
			if e.Time.After(newest) {
				newest = e.Time
			}
		}
		o.p.Cursor.Advance(newest)
		if len(events) < pageLimit {
			return false, nil
		}
		next := newest.Unix()
		if next <= mintime {
			// 1000 events in one second: the API cannot page inside it.
			o.p.Log.Warn("more than 1000 Duo events in one second; the rest of that second cannot be read",
				"second", mintime)
			next = mintime + 1
		}
		mintime = next
		if !o.p.Budget.Another() {
			return true, nil
		}
	}
}

// page fetches the events at or after mintime.
func (o *poller) page(mintime int64) ([]appkit.Event, error) {
	u := url.URL{Scheme: "https", Host: o.s.hostname, Path: o.path}
	u.RawQuery = canonicalParams(url.Values{"mintime": {strconv.FormatInt(mintime, 10)}})
	resp, err := o.p.Client.Do(o.p.Ctx, appkit.Request{Method: http.MethodGet, URL: u.String(),
		Header: http.Header{"Accept": {"application/json"}}, Prepare: o.prepare})
	if err != nil {
		return nil, err
	}
	var body struct {
		Stat     string            `json:"stat"`
		Response []json.RawMessage `json:"response"`
	}
	if err := resp.JSON(&body); err != nil {
		return nil, err
	}
	if body.Stat != "OK" {
		return nil, fmt.Errorf("GET %s: stat %q", o.path, body.Stat)
	}
	ids := appkit.ContentIDs(toBytes(body.Response))
	events := make([]appkit.Event, len(body.Response))
	for i, raw := range body.Response {
		var e struct {
			Timestamp *int64 `json:"timestamp"`
		}
		if err := json.Unmarshal(raw, &e); err != nil || e.Timestamp == nil {
			return nil, fmt.Errorf("GET %s: a log without a timestamp", o.path)
		}
		events[i] = appkit.Event{ID: ids[i], Time: time.Unix(*e.Timestamp, 0), Raw: raw}
	}
	return events, nil
}

// prepare signs an attempt and holds the next request for the configured
// interval; the pause is kept in the state, so a poll that follows at
// once waits too.
func (o *poller) prepare(r *http.Request) error {
	if o.s.interval > 0 {
		o.p.Client.SetPause(time.Now().Add(o.s.interval))
	}
	return o.sign.prepare(r)
}

func toBytes(raws []json.RawMessage) [][]byte {
	out := make([][]byte, len(raws))
	for i, r := range raws {
		out[i] = r
	}
	return out
}

// rateLimit treats 429 as a refusal retried after Retry-After, or else the
// configured interval (Duo sends no reset header).
func rateLimit(s settings) appkit.RateLimitFunc {
	return func(r *appkit.Response, now time.Time) (time.Duration, bool) {
		if r.Status != http.StatusTooManyRequests {
			return 0, false
		}
		if d := appkit.RetryAfter(r.Header.Get("Retry-After"), now); d > 0 {
			return d, true
		}
		return s.interval, true
	}
}

// errorText renders a Duo error body: {"stat":"FAIL","code":40103,"message":...}.
func errorText(body []byte) string {
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Detail  string `json:"message_detail"`
	}
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		return ""
	}
	msg := fmt.Sprintf("%d: %s", e.Code, e.Message)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}
