package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// API paths.
const (
	tokenPath     = "/auth/oauth2/v2/token"
	eventsPath    = "/api/1/events"
	rateLimitPath = "/auth/rate_limit"
)

// pageLimit is the most events the events API returns per page.
const pageLimit = 50

// maxRateWaits bounds the waits on "rate_limit_exceeded" in one poll.
const maxRateWaits = 3

// errRateLimited is OneLogin's rate-limit refusal: a 400 whose status
// message is rate_limit_exceeded.
var errRateLimited = errors.New("rate_limit_exceeded")

// poller is one poll of the events API.
//
// Events are read with since = the cursor's start, sorted by id (the
// order OneLogin stores them), following pagination.next_link; the query
// of the link still to follow is kept as the cursor's token, so a poll cut
// short resumes there. StreamAlert moved its bound to the last event of a
// page, sorted by OneLogin's default order, and never read an event
// stored late with an older created_at again; here every poll reads the
// overlap window again and drops the event ids already emitted.
type poller struct {
	p     *appkit.Poll
	s     settings
	token string
	waits int
}

// status is the envelope of OneLogin's v1 answers and errors.
type status struct {
	Error   bool   `json:"error"`
	Code    int    `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// run reads pages until OneLogin has nothing more or the budget ends.
func (o *poller) run() (bool, error) {
	if err := o.authorize(); err != nil {
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
		o.p.Cursor.Advance(newest(events))
		o.p.Cursor.Token = next
		if next == "" {
			return false, nil
		}
		if !o.p.Budget.Another() {
			return true, nil
		}
	}
}

// authorize exchanges the client credentials for an access token.
func (o *poller) authorize() error {
	u := url.URL{Scheme: "https", Host: o.s.host, Path: tokenPath}
	resp, err := o.p.Client.Do(o.p.Ctx, appkit.Request{Method: http.MethodPost, URL: u.String(),
		Header: http.Header{
			"Authorization": {"client_id:" + o.s.id + ", client_secret:" + o.s.secret},
			"Content-Type":  {"application/json"},
			"Accept":        {"application/json"},
		},
		Body: []byte(`{"grant_type":"client_credentials"}`)})
	if err != nil {
		return fmt.Errorf("get access token: %w", err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := resp.JSON(&tok); err != nil {
		return fmt.Errorf("get access token: %w", err)
	}
	if tok.AccessToken == "" {
		return errors.New("get access token: the answer holds no access_token")
	}
	o.token = tok.AccessToken
	o.p.Client.AddSecret(tok.AccessToken)
	return nil
}

// page fetches one page, waiting out OneLogin's rate limit within the
// budget.
func (o *poller) page() ([]appkit.Event, string, error) {
	for {
		events, next, err := o.fetch()
		if !errors.Is(err, errRateLimited) || o.waits >= maxRateWaits {
			return events, next, err
		}
		o.waits++
		if err := o.waitRateLimit(); err != nil {
			return nil, "", err
		}
	}
}

// get sends an authorized GET, renewing the access token once when
// OneLogin no longer accepts it.
func (o *poller) get(u *url.URL) (*appkit.Response, error) {
	req := func() appkit.Request {
		return appkit.Request{Method: http.MethodGet, URL: u.String(),
			Header: http.Header{"Authorization": {"bearer:" + o.token}, "Accept": {"application/json"}}}
	}
	resp, err := o.p.Client.Do(o.p.Ctx, req())
	if appkit.StatusOf(err) != http.StatusUnauthorized {
		return resp, err
	}
	if err := o.authorize(); err != nil {
		return nil, err
	}
	return o.p.Client.Do(o.p.Ctx, req())
}

// fetch makes one events request.
func (o *poller) fetch() ([]appkit.Event, string, error) {
	base := &url.URL{Scheme: "https", Host: o.s.host, Path: eventsPath}
	u := *base
	if o.p.Cursor.Token != "" {
		u.RawQuery = o.p.Cursor.Token
	} else {
		since := o.p.Cursor.Start().Add(-time.Second) // since is exclusive
		u.RawQuery = url.Values{"since": {since.UTC().Format("2006-01-02T15:04:05.000Z")}, "sort": {"+id"},
			"limit": {strconv.Itoa(pageLimit)}}.Encode()
	}
	resp, err := o.get(&u)
	if err != nil {
		if he := (*appkit.HTTPError)(nil); errors.As(err, &he) && he.Status == http.StatusBadRequest && rateLimited(he.Body()) {
			return nil, "", fmt.Errorf("%w: %w", errRateLimited, err)
		}
		return nil, "", err
	}
	var body struct {
		Pagination struct {
			NextLink *string `json:"next_link"`
		} `json:"pagination"`
		Data []json.RawMessage `json:"data"`
	}
	if err := resp.JSON(&body); err != nil {
		return nil, "", err
	}
	events := make([]appkit.Event, 0, len(body.Data))
	for _, raw := range body.Data {
		e, err := event(raw)
		if err != nil {
			return nil, "", err
		}
		events = append(events, e)
	}
	next := ""
	if body.Pagination.NextLink != nil && *body.Pagination.NextLink != "" {
		nu, err := appkit.SameHost(base, *body.Pagination.NextLink)
		if err != nil {
			return nil, "", fmt.Errorf("GET %s: %w", eventsPath, err)
		}
		next = nu.RawQuery
	}
	return events, next, nil
}

// waitRateLimit asks OneLogin how long until the limit resets, and waits
// that long if it fits the budget.
func (o *poller) waitRateLimit() error {
	resp, err := o.get(&url.URL{Scheme: "https", Host: o.s.host, Path: rateLimitPath})
	if err != nil {
		return fmt.Errorf("get rate limit: %w", err)
	}
	var body struct {
		Data struct {
			Reset int64 `json:"X-RateLimit-Reset"`
		} `json:"data"`
	}
	if err := resp.JSON(&body); err != nil {
		return fmt.Errorf("get rate limit: %w", err)
	}
	wait := time.Duration(max(body.Data.Reset, 1)) * time.Second
	o.p.Log.Info("OneLogin rate limit exceeded; waiting for its reset", "wait", wait.String())
	o.p.Client.SetPause(time.Now().Add(wait))
	return o.p.Client.Wait(o.p.Ctx, wait, "OneLogin rate limit")
}

// rateLimited reports whether an error body is the rate-limit refusal.
func rateLimited(body []byte) bool {
	var e struct {
		Status status `json:"status"`
	}
	return json.Unmarshal(body, &e) == nil && e.Status.Message == "rate_limit_exceeded" ||
		bytes.Contains(body, []byte(`"rate_limit_exceeded"`))
}

// event reads an event's id and created_at.
func event(raw json.RawMessage) (appkit.Event, error) {
	var e struct {
		ID        json.Number `json:"id"`
		CreatedAt string      `json:"created_at"`
	}
	if err := json.Unmarshal(raw, &e); err != nil || e.ID == "" {
		return appkit.Event{}, fmt.Errorf("GET %s: an event without id", eventsPath)
	}
	at, err := time.Parse(time.RFC3339Nano, e.CreatedAt)
	if err != nil {
		return appkit.Event{}, fmt.Errorf("GET %s: event %s has an unreadable created_at", eventsPath, e.ID)
	}
	return appkit.Event{ID: e.ID.String(), Time: at, Raw: raw}, nil
}

// newest is the newest time among events, or zero.
func newest(events []appkit.Event) time.Time {
	var t time.Time
	for _, e := range events {
		if e.Time.After(t) {
			t = e.Time
		}
	}
	return t
}

// errorText renders OneLogin errors: {"status":{...,"message":...}}, or
// the OAuth error of the token endpoint.
func errorText(body []byte) string {
	var e struct {
		Status      status `json:"status"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	switch {
	case e.Status.Message != "":
		return e.Status.Message
	case e.Description != "":
		return e.Error + ": " + e.Description
	}
	return e.Message
}
