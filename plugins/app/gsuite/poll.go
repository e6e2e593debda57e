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

// The Reports API lists activities newest first, and a page token only
// holds while the query's time range stays the same. StreamAlert moved
// its cursor to the first (newest) activity of the first page and then
// walked on, so a run cut short lost everything older. Here each walk
// pins a window [start, end] before its first page and keeps it, with the
// next page token, in the state: a poll resumed after a crash or at the
// end of its budget continues the same walk, and the cursor's bound moves
// to end only once every page of the window was emitted. Windows start
// overlap_seconds below the bound, so activities Google publishes late
// are read by the next window; activities already emitted are recognised
// by id and not sent twice.
const (
	// reportsURL lists one application's activities of all users.
	reportsURL = "https://admin.googleapis.com/admin/reports/v1/activity/users/all/applications/"
	// pageSize is the API's largest page.
	pageSize = 1000
	// maxWindow bounds one walk, so the ids remembered within it stay few
	// and a long catch-up proceeds in steps.
	maxWindow = 6 * time.Hour
	// retention is how far back the API keeps activities (about 180 days);
	// a window never starts earlier, which the API would refuse.
	retention = 179 * 24 * time.Hour
	// timeLayout is RFC 3339 to the millisecond, as the API writes times.
	timeLayout = "2006-01-02T15:04:05.000Z07:00"
)

// window is the time range of a walk, kept in the cursor's Extra.
type window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Capped is set when End was cut to maxWindow before now: another
	// window follows at once.
	Capped bool `json:"capped,omitempty"`
}

// activities is one page of the API's answer.
type activities struct {
	Items         []json.RawMessage `json:"items"`
	NextPageToken string            `json:"nextPageToken"`
}

// activityID is what the plugin reads of an activity: its id.
type activityID struct {
	ID struct {
		Time            string          `json:"time"`
		UniqueQualifier json.RawMessage `json:"uniqueQualifier"`
	} `json:"id"`
}

// walker is one poll's walk through windows.
type walker struct {
	p      *appkit.Poll
	tokens *tokenSource
	app    string
	now    func() time.Time
	// reset is set once an invalid page token restarted the window, so a
	// vendor that keeps refusing does not loop.
	reset bool
}

func (a *App) newWalker(p *appkit.Poll) (*walker, error) {
	ts, err := a.newTokenSource(p.Client, p.Config.String(propKeyfile), p.Config.String(propDelegation))
	if err != nil {
		return nil, err
	}
	return &walker{p: p, tokens: ts, app: application(p.Settings.Type), now: p.Now}, nil
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

// window returns the walk in progress, or pins a new one; ok is false when
// there is nothing to read yet.
func (w *walker) window() (window, bool, error) {
	c := w.p.Cursor
	if len(c.Extra) > 0 {
		var win window
		if err := json.Unmarshal(c.Extra, &win); err != nil || !win.End.After(win.Start) {
			return window{}, false, errors.New("decode state: bad window")
		}
		return win, true, nil
	}
	now := w.now().UTC().Truncate(time.Millisecond)
	win := window{Start: c.Start(), End: now}
	if oldest := now.Add(-retention); win.Start.Before(oldest) {
		w.p.Log.Warn("the instance is behind by more than Google keeps; activities before the retention limit are lost",
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

// walk reads the pages of win from the cursor's page token; done is true
// once the last page was emitted and the cursor moved to the window's end.
func (w *walker) walk(win window) (done bool, err error) {
	c := w.p.Cursor
	for {
		if !w.p.Budget.Another() {
			return false, nil
		}
		page, err := w.page(win, c.Token)
		if c.Token != "" && !w.reset && appkit.StatusOf(err) == http.StatusBadRequest {
			// Page tokens expire; the window is read again from its first
			// page, and what was emitted is recognised by id.
			w.p.Log.Info("page token refused; reading the window again from its first page", "error", err.Error())
			w.reset, c.Token = true, ""
			continue
		}
		if err != nil {
			return false, err
		}
		if err := w.p.Emit(w.events(win, page.Items)); err != nil {
			return false, err
		}
		if page.NextPageToken == "" {
			c.Token, c.Extra = "", nil
			c.Advance(win.End)
			return true, nil
		}
		c.Token = page.NextPageToken
	}
}

// page fetches one page, refreshing the access token once if Google
// refuses it.
func (w *walker) page(win window, token string) (*activities, error) {
	q := url.Values{
		"startTime":  {win.Start.UTC().Format(timeLayout)},
		"endTime":    {win.End.UTC().Format(timeLayout)},
		"maxResults": {strconv.Itoa(pageSize)},
	}
	if token != "" {
		q.Set("pageToken", token)
	}
	u := reportsURL + url.PathEscape(w.app) + "?" + q.Encode()
	for attempt := 0; ; attempt++ {
		access, err := w.tokens.get(w.p.Ctx)
		if err != nil {
			return nil, err
		}
		resp, err := w.p.Client.Do(w.p.Ctx, appkit.Request{Method: http.MethodGet, URL: u,
			Header: http.Header{"Authorization": {"Bearer " + access}, "Accept": {"application/json"}}})
		if appkit.StatusOf(err) == http.StatusUnauthorized && attempt == 0 {
			w.tokens.forget()
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list %s activities: %w", w.app, err)
		}
		var page activities
		if err := resp.JSON(&page); err != nil {
			return nil, fmt.Errorf("list %s activities: %w", w.app, err)
		}
		return &page, nil
	}
}

// events turns a page's activities into events, each emitted as Google
// returned it. An activity whose time does not parse is dated at the
// window's end, so it is emitted rather than dropped.
func (w *walker) events(win window, items []json.RawMessage) []appkit.Event {
	out := make([]appkit.Event, 0, len(items))
	for _, raw := range items {
		var a activityID
		_ = json.Unmarshal(raw, &a)
		t, err := time.Parse(time.RFC3339Nano, a.ID.Time)
		if err != nil {
			w.p.Log.Warn("activity without a readable id.time; dated at the window's end", "window_end", win.End.Format(time.RFC3339))
			t = win.End
		}
		id := a.ID.Time + "/" + string(a.ID.UniqueQualifier)
		if a.ID.Time == "" {
			id = appkit.ContentIDs([][]byte{raw})[0]
		}
		out = append(out, appkit.Event{ID: id, Time: t, Raw: raw})
	}
	return out
}
