package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// StreamAlert asked LookupEvents for [last, now] and then set last to
// that now, whatever the walk through NextToken pages reached, so a run
// cut short or an event ActionTrail showed late was lost. Here each walk
// pins a window [start, end] on whole seconds (the API's precision) and
// keeps it, with the NextToken, in the state; the cursor's bound moves to
// end only once the window's last page was emitted, and the next window
// starts overlap_seconds lower, recognising events already emitted by
// eventId.
const (
	// apiVersion is the current ActionTrail API.
	apiVersion = "2020-07-06"
	// pageSize is the largest page LookupEvents serves.
	pageSize = 50
	// maxWindow bounds one walk, so the ids remembered within it stay few
	// (the API allows up to 30 days).
	maxWindow = 6 * time.Hour
	// retention is how far back LookupEvents reaches (90 days).
	retention = 89 * 24 * time.Hour
	// skewLimit is how far our clock may be from Alibaba's before a request
	// refused for its timestamp is signed again on Alibaba's clock.
	skewLimit = 5 * time.Minute
)

// window is the time range of a walk, kept in the cursor's Extra.
type window struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Capped bool      `json:"capped,omitempty"`
}

// lookup is one page of LookupEvents.
type lookup struct {
	RequestID string            `json:"RequestId"`
	NextToken string            `json:"NextToken"`
	Events    []json.RawMessage `json:"Events"`
}

// eventHead is what the plugin reads of an event.
type eventHead struct {
	EventID   string `json:"eventId"`
	EventTime string `json:"eventTime"`
}

// walker is one poll's walk through windows.
type walker struct {
	p        *appkit.Poll
	now      func() time.Time
	endpoint string
	keyID    string
	secret   string
	// skew is Alibaba's clock minus ours, learnt from a refusal.
	skew time.Duration
}

func newWalker(p *appkit.Poll) *walker {
	return &walker{
		p: p, now: p.Now,
		endpoint: "https://actiontrail." + p.Config.String(propRegion) + ".aliyuncs.com/",
		keyID:    p.Config.String(propKeyID), secret: p.Config.String(propSecret),
	}
}

// run walks windows until one reaching now is done, or the budget ends.
func (w *walker) run() (more bool, err error) {
	for {
		win, ok, err := w.window()
		if err != nil || !ok {
			return false, err
		}
		done, err := w.walk(win)
		if err != nil || !done {
			return !done && err == nil, err
		}
		if !win.Capped {
			return false, nil
		}
	}
}

// window returns the walk in progress, or pins a new one on whole seconds.
// The end is the second after now, so events of the current second are
// read at once; any ActionTrail shows later in that second are read by the
// next window, which starts an overlap lower.
func (w *walker) window() (window, bool, error) {
	c := w.p.Cursor
	if len(c.Extra) > 0 {
		var win window
		if err := json.Unmarshal(c.Extra, &win); err != nil || !win.End.After(win.Start) {
			return window{}, false, errors.New("decode state: bad window")
		}
		return win, true, nil
	}
	now := w.now().UTC()
	win := window{Start: c.Start().Truncate(time.Second), End: now.Truncate(time.Second).Add(time.Second)}
	if oldest := now.Add(-retention).Truncate(time.Second); win.Start.Before(oldest) {
		w.p.Log.Warn("the instance is behind by more than ActionTrail keeps; older events are lost",
			"from", win.Start.Format(time.RFC3339), "to", oldest.Format(time.RFC3339))
		win.Start = oldest
	}
	if win.End.Sub(win.Start) > maxWindow {
		win.End, win.Capped = win.Start.Add(maxWindow), true
	}
	if !win.End.After(win.Start) {
		return window{}, false, nil
	}
	extra, _ := json.Marshal(win)
	c.Extra, c.Token = extra, ""
	return win, true, nil
}

// walk reads the pages of win from the cursor's NextToken; done is true
// once the last page was emitted and the cursor moved to the window's end.
func (w *walker) walk(win window) (done bool, err error) {
	c := w.p.Cursor
	for {
		if !w.p.Budget.Another() {
			return false, nil
		}
		page, err := w.page(win, c.Token)
		if err != nil {
			return false, err
		}
		if err := w.p.Emit(w.events(win, page.Events)); err != nil {
			return false, err
		}
		if page.NextToken == "" || page.NextToken == c.Token {
			c.Token, c.Extra = "", nil
			c.Advance(win.End)
			return true, nil
		}
		c.Token = page.NextToken
	}
}

// page calls LookupEvents once. A refusal for the request's timestamp,
// when Alibaba's clock (its Date header) is far from ours, is signed again
// on Alibaba's clock.
func (w *walker) page(win window, token string) (*lookup, error) {
	params := map[string]string{
		"Action":     "LookupEvents",
		"Version":    apiVersion,
		"StartTime":  win.Start.UTC().Format(timestampLayout),
		"EndTime":    win.End.UTC().Format(timestampLayout),
		"MaxResults": strconv.Itoa(pageSize),
	}
	if token != "" {
		params["NextToken"] = token
	}
	resp, err := w.call(params)
	var he *appkit.HTTPError
	if errors.As(err, &he) && strings.HasPrefix(errorCode(he.Body()), "InvalidTimeStamp") {
		if theirs, perr := http.ParseTime(he.Header.Get("Date")); perr == nil {
			if skew := theirs.Sub(w.now()); skew > skewLimit || skew < -skewLimit {
				w.p.Log.Warn("ActionTrail refused the request's timestamp and its clock differs from ours; signing on its clock",
					"skew", skew.Round(time.Second).String())
				w.skew = skew
				resp, err = w.call(params)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("LookupEvents: %w", err)
	}
	var page lookup
	if err := resp.JSON(&page); err != nil {
		return nil, fmt.Errorf("LookupEvents: %w", err)
	}
	return &page, nil
}

// call sends a signed GET. Each attempt is signed afresh: the API refuses a
// SignatureNonce it has seen, so a retry must not repeat one.
func (w *walker) call(params map[string]string) (*appkit.Response, error) {
	return w.p.Client.Do(w.p.Ctx, appkit.Request{
		Method: http.MethodGet, URL: w.endpoint, Header: http.Header{"Accept": {"application/json"}},
		Prepare: func(r *http.Request) error {
			q, err := signedQuery(http.MethodGet, params, w.keyID, w.secret, w.now().Add(w.skew))
			if err != nil {
				return err
			}
			r.URL.RawQuery = q
			return nil
		},
	})
}

// events turns a page's events into events to emit, each as ActionTrail
// returned it. An event whose eventTime does not parse is dated at the
// window's end, so it is emitted rather than dropped.
func (w *walker) events(win window, raws []json.RawMessage) []appkit.Event {
	out := make([]appkit.Event, 0, len(raws))
	for _, raw := range raws {
		var h eventHead
		_ = json.Unmarshal(raw, &h)
		t, err := time.Parse(time.RFC3339, h.EventTime)
		if err != nil {
			w.p.Log.Warn("event without a readable eventTime; dated at the window's end", "window_end", win.End.Format(time.RFC3339))
			t = win.End
		}
		id := h.EventID
		if id == "" {
			id = appkit.ContentIDs([][]byte{raw})[0]
		}
		out = append(out, appkit.Event{ID: id, Time: t, Raw: raw})
	}
	return out
}

// apiError is the error body of Alibaba Cloud's RPC APIs.
type apiError struct {
	RequestID string `json:"RequestId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
}

// errorCode returns the Code of an error body.
func errorCode(body []byte) string {
	var e apiError
	_ = json.Unmarshal(body, &e)
	return e.Code
}

// errorText renders an error body as "Code: Message (RequestId ...)".
func errorText(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Code == "" {
		return ""
	}
	text := e.Code + ": " + e.Message
	if e.RequestID != "" {
		text += " (RequestId " + e.RequestID + ")"
	}
	return text
}

// rateLimit treats Alibaba's flow-control refusals (codes Throttling...,
// on HTTP 400, 429 or 503) as rate limits, waited out with backoff.
func rateLimit(r *appkit.Response, now time.Time) (time.Duration, bool) {
	if r.Status < 400 {
		return 0, false
	}
	if r.Status == http.StatusTooManyRequests || strings.HasPrefix(errorCode(r.Body), "Throttling") {
		return appkit.RetryAfter(r.Header.Get("Retry-After"), now), true
	}
	return 0, false
}
