package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// logsPath is the admin activity log endpoint.
const logsPath = "/admins/activity_logs"

// window is the time range a walk reads, kept in the cursor's Extra; the
// cursor's token is the position of the next page within it.
type window struct {
	After  int64 `json:"after"`
	Before int64 `json:"before"`
}

// poller is one poll of the admin activity logs.
//
// Each walk reads the window from the cursor's start to a created_at_before
// pinned when it begins, page by page (pages.next), whatever order Intercom
// lists it in, and moves the cursor's bound to the window's end only once
// the last page is read; a poll stopped part way resumes at the page it
// reached. StreamAlert kept only activities newer than its last timestamp
// and moved that to the newest one seen, losing activities Intercom
// recorded late with an older created_at; here the next window starts the
// overlap below the last one's end and already emitted ids are dropped.
type poller struct {
	p *appkit.Poll
	s settings
	w window
}

// listing is the activity_log.list answer.
type listing struct {
	Pages struct {
		Next json.RawMessage `json:"next"`
	} `json:"pages"`
	Logs []json.RawMessage `json:"activity_logs"`
}

// run reads pages until the window is done or the budget ends.
func (o *poller) run() (bool, error) {
	if err := o.load(); err != nil {
		return false, err
	}
	for {
		events, next, err := o.page()
		if err != nil {
			return false, err
		}
		if err := o.p.Emit(events); err != nil {
			return false, err
		}
		if next == "" {
			o.p.Cursor.Advance(time.Unix(o.w.Before, 0))
			o.p.Cursor.Token, o.p.Cursor.Extra = "", nil
			return false, nil
		}
		o.p.Cursor.Token = next
		if !o.p.Budget.Another() {
			return true, nil
		}
	}
}

// load resumes the window in the cursor or opens one ending now.
func (o *poller) load() error {
	if len(o.p.Cursor.Extra) > 0 {
		if err := json.Unmarshal(o.p.Cursor.Extra, &o.w); err != nil || o.w.Before == 0 {
			return fmt.Errorf("decode state: bad window")
		}
		return nil
	}
	// created_at_after may be exclusive: start a second early.
	o.w = window{After: o.p.Cursor.Start().Unix() - 1, Before: o.p.Now().Unix()}
	o.p.Cursor.Token = ""
	b, err := json.Marshal(o.w)
	o.p.Cursor.Extra = b
	return err
}

// page fetches the page at the cursor's token and returns its events and
// the token of the next page ("" on the last).
func (o *poller) page() ([]appkit.Event, string, error) {
	base := &url.URL{Scheme: "https", Host: o.s.host, Path: logsPath}
	u := *base
	q := url.Values{"created_at_after": {strconv.FormatInt(o.w.After, 10)}, "created_at_before": {strconv.FormatInt(o.w.Before, 10)}}
	if tok := o.p.Cursor.Token; strings.HasPrefix(tok, "?") {
		u.RawQuery = tok[1:] // a version 1 next link's query
	} else {
		if tok != "" {
			q.Set("starting_after", tok)
		}
		u.RawQuery = q.Encode()
	}
	resp, err := o.p.Client.Do(o.p.Ctx, appkit.Request{Method: http.MethodGet, URL: u.String(), Header: http.Header{
		"Authorization":    {"Bearer " + o.s.token},
		"Accept":           {"application/json"},
		"Intercom-Version": {o.s.version},
	}})
	if err != nil {
		return nil, "", err
	}
	var l listing
	if err := resp.JSON(&l); err != nil {
		return nil, "", err
	}
	events := make([]appkit.Event, 0, len(l.Logs))
	for _, raw := range l.Logs {
		e, err := event(raw)
		if err != nil {
			return nil, "", err
		}
		events = append(events, e)
	}
	next, err := nextToken(base, l.Pages.Next)
	return events, next, err
}

// nextToken reads pages.next: null on the last page, an object with
// starting_after (API 2.x), or a URL (API 1.x), kept as "?query".
func nextToken(base *url.URL, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var link string
	if json.Unmarshal(raw, &link) == nil {
		if link == "" {
			return "", nil
		}
		u, err := appkit.SameHost(base, link)
		if err != nil {
			return "", fmt.Errorf("GET %s: %w", logsPath, err)
		}
		return "?" + u.RawQuery, nil
	}
	var next struct {
		StartingAfter *string `json:"starting_after"`
	}
	if err := json.Unmarshal(raw, &next); err != nil {
		return "", fmt.Errorf("GET %s: pages.next is neither a link nor a cursor", logsPath)
	}
	if next.StartingAfter == nil || *next.StartingAfter == "" {
		return "", nil
	}
	return *next.StartingAfter, nil
}

// event reads an activity's id and created_at.
func event(raw json.RawMessage) (appkit.Event, error) {
	var a struct {
		ID        json.RawMessage `json:"id"`
		CreatedAt json.Number     `json:"created_at"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return appkit.Event{}, fmt.Errorf("GET %s: an activity is not an object", logsPath)
	}
	id := strings.Trim(string(a.ID), `"`) // a string in 2.x, a number in some answers
	if id == "" || id == "null" {
		return appkit.Event{}, fmt.Errorf("GET %s: an activity without id", logsPath)
	}
	sec, err := a.CreatedAt.Int64()
	if err != nil {
		return appkit.Event{}, fmt.Errorf("GET %s: activity %s has an unreadable created_at", logsPath, id)
	}
	return appkit.Event{ID: id, Time: time.Unix(sec, 0), Raw: raw}, nil
}

// errorText renders an Intercom error.list body.
func errorText(body []byte) string {
	var e struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	var parts []string
	for _, x := range e.Errors {
		parts = append(parts, x.Code+": "+x.Message)
	}
	return strings.Join(parts, "; ")
}
