package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// logsPath is the System Log API's one endpoint.
const logsPath = "/api/v1/logs"

// sinceFormat is how since is written: ISO 8601 with milliseconds, UTC.
const sinceFormat = "2006-01-02T15:04:05.000Z"

// poller is one poll of the System Log.
//
// The log is read with polling requests (since, no until): Okta orders
// them by when each event was stored and always answers with a rel="next"
// Link whose after cursor continues exactly there, so an event stored late
// with an older published time is still returned once. The state keeps the
// query of that link as its token and resumes from it. The cursor's bound,
// overlap and ids are the fallback: when Okta refuses a stored cursor (too
// old, or the org was moved) the poll starts again at since = bound minus
// the overlap, and the ids drop what was already emitted.
type poller struct {
	p    *appkit.Poll
	s    settings
	base *url.URL
}

// logEvent is the part of a LogEvent the cursor needs.
type logEvent struct {
	UUID      string `json:"uuid"`
	Published string `json:"published"`
}

// run reads pages until Okta has nothing more or the budget ends.
func (o *poller) run() (bool, error) {
	// Events behind a cursor are new even when published long ago.
	o.p.KeepOld = true
	retried := false
	for {
		events, next, err := o.page()
		if err != nil && o.p.Cursor.Token != "" && !retried && appkit.StatusOf(err) == http.StatusBadRequest {
			o.p.Log.Warn("Okta refused the stored position; reading again from the overlap window",
				"since", o.p.Cursor.Start().Format(sinceFormat), "error", err.Error())
			o.p.Cursor.Token, retried = "", true
			continue
		}
		if err != nil {
			return false, err
		}
		if err := o.p.Emit(events); err != nil {
			return false, err
		}
		o.p.Cursor.Advance(latest(events))
		if next != "" {
			o.p.Cursor.Token = next
		}
		if len(events) < o.s.pageSize || next == "" {
			return false, nil
		}
		if !o.p.Budget.Another() {
			return true, nil
		}
	}
}

// page fetches one page and returns its events and the query of the next
// link.
func (o *poller) page() ([]appkit.Event, string, error) {
	u, err := o.pageURL()
	if err != nil {
		return nil, "", err
	}
	resp, err := o.p.Client.Do(o.p.Ctx, appkit.Request{Method: http.MethodGet, URL: u.String(), Header: http.Header{
		"Authorization": {"SSWS " + o.s.token},
		"Accept":        {"application/json"},
	}})
	if err != nil {
		return nil, "", err
	}
	var raws []json.RawMessage
	if err := resp.JSON(&raws); err != nil {
		return nil, "", err
	}
	events := make([]appkit.Event, 0, len(raws))
	for _, raw := range raws {
		e, err := o.event(raw)
		if err != nil {
			return nil, "", err
		}
		events = append(events, e)
	}
	next := ""
	if link := appkit.Link(resp.Header, "next", resp.URL); link != "" {
		nu, err := appkit.SameHost(o.base, link)
		if err != nil {
			return nil, "", fmt.Errorf("GET %s: %w", logsPath, err)
		}
		next = nu.RawQuery
	}
	return events, next, nil
}

// pageURL is the stored next query, with the configured page size, or a
// new polling query from the cursor's start.
func (o *poller) pageURL() (*url.URL, error) {
	q := url.Values{"since": {o.p.Cursor.Start().UTC().Format(sinceFormat)}}
	if tok := o.p.Cursor.Token; tok != "" {
		var err error
		if q, err = url.ParseQuery(tok); err != nil {
			return nil, errors.New("stored position is not a query string")
		}
	}
	q.Set("limit", strconv.Itoa(o.s.pageSize))
	u := *o.base
	u.RawQuery = q.Encode()
	return &u, nil
}

// event reads a LogEvent's id and time.
func (o *poller) event(raw json.RawMessage) (appkit.Event, error) {
	var le logEvent
	if err := json.Unmarshal(raw, &le); err != nil || le.UUID == "" {
		return appkit.Event{}, fmt.Errorf("GET %s: a log event without uuid", logsPath)
	}
	at, err := time.Parse(time.RFC3339Nano, le.Published)
	if err != nil {
		// The id still de-duplicates it; the time only places it.
		o.p.Log.Warn("log event with an unreadable published time", "uuid", le.UUID)
		at = o.p.Cursor.Bound
	}
	return appkit.Event{ID: le.UUID, Time: at, Raw: raw}, nil
}

// latest is the newest time among events, or zero.
func latest(events []appkit.Event) time.Time {
	var t time.Time
	for _, e := range events {
		if e.Time.After(t) {
			t = e.Time
		}
	}
	return t
}

// errorText renders an Okta error body: {"errorCode","errorSummary",...}.
func errorText(body []byte) string {
	var e struct {
		Code    string `json:"errorCode"`
		Summary string `json:"errorSummary"`
	}
	if json.Unmarshal(body, &e) != nil || e.Summary == "" {
		return ""
	}
	return e.Code + ": " + e.Summary
}
