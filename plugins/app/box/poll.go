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

// Box's admin_logs stream answers a time-range query (created_after,
// created_before) in pages joined by a stream position. StreamAlert moved
// its cursor to the last event's created_at, at one-second granularity,
// and never looked back, so events Box showed late were lost. Here each
// walk pins a window [start, end] before its first page and keeps it,
// with the stream position, in the state; the cursor's bound moves to end
// only once the window's last page was emitted, and the next window starts
// overlap_seconds lower, recognising events already emitted by event_id.
const (
	eventsURL = apiBase + "/2.0/events"
	// pageSize is the largest page admin_logs serves.
	pageSize = 500
	// maxWindow bounds one walk, so the ids remembered within it stay few.
	maxWindow = 6 * time.Hour
	// timeLayout is how Box wants created_after and created_before.
	timeLayout = "2006-01-02T15:04:05-07:00"
)

// window is the time range of a walk, kept in the cursor's Extra.
type window struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Capped bool      `json:"capped,omitempty"`
}

// eventPage is one page of the events API.
type eventPage struct {
	ChunkSize          int               `json:"chunk_size"`
	NextStreamPosition json.RawMessage   `json:"next_stream_position"`
	Entries            []json.RawMessage `json:"entries"`
}

// eventHead is what the plugin reads of an event.
type eventHead struct {
	EventID   string `json:"event_id"`
	CreatedAt string `json:"created_at"`
}

// walker is one poll's walk through windows.
type walker struct {
	p      *appkit.Poll
	tokens *tokenSource
	now    func() time.Time
}

func (a *App) newWalker(p *appkit.Poll) (*walker, error) {
	ts, err := a.newTokenSource(p.Client, p.Config.String(propKeyfile))
	if err != nil {
		return nil, err
	}
	return &walker{p: p, tokens: ts, now: p.Now}, nil
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

// window returns the walk in progress, or pins a new one on whole seconds,
// the precision Box's filters take. The end is the second after now, so
// events of the current second are read at once; any that Box shows later
// in that second are read by the next window, which starts an overlap
// lower. ok is false when there is nothing to read yet.
func (w *walker) window() (window, bool, error) {
	c := w.p.Cursor
	if len(c.Extra) > 0 {
		var win window
		if err := json.Unmarshal(c.Extra, &win); err != nil || !win.End.After(win.Start) {
			return window{}, false, errors.New("decode state: bad window")
		}
		return win, true, nil
	}
	win := window{Start: c.Start().Truncate(time.Second), End: w.now().UTC().Truncate(time.Second).Add(time.Second)}
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

// walk reads the pages of win from the cursor's stream position; done is
// true once the last page was emitted and the cursor moved to the
// window's end.
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
		if err := w.p.Emit(w.events(win, page.Entries)); err != nil {
			return false, err
		}
		// A short page may still be followed by more: the walk ends on an
		// empty page, or a position that does not move.
		next := position(page.NextStreamPosition)
		if len(page.Entries) == 0 || next == "" || next == c.Token {
			c.Token, c.Extra = "", nil
			c.Advance(win.End)
			return true, nil
		}
		c.Token = next
	}
}

// position renders a stream position, which Box sends as a number or a
// string.
func position(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// page fetches one page, getting a new access token once if Box refuses
// the one it has.
func (w *walker) page(win window, pos string) (*eventPage, error) {
	q := url.Values{
		"stream_type":    {"admin_logs"},
		"limit":          {strconv.Itoa(pageSize)},
		"created_after":  {win.Start.UTC().Format(timeLayout)},
		"created_before": {win.End.UTC().Format(timeLayout)},
	}
	if pos != "" {
		q.Set("stream_position", pos)
	}
	u := eventsURL + "?" + q.Encode()
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
			return nil, fmt.Errorf("list admin events: %w", err)
		}
		var page eventPage
		if err := resp.JSON(&page); err != nil {
			return nil, fmt.Errorf("list admin events: %w", err)
		}
		return &page, nil
	}
}

// events turns a page's entries into events, each emitted as Box returned
// it. An event whose created_at does not parse is dated at the window's
// end, so it is emitted rather than dropped.
func (w *walker) events(win window, entries []json.RawMessage) []appkit.Event {
	out := make([]appkit.Event, 0, len(entries))
	for _, raw := range entries {
		var h eventHead
		_ = json.Unmarshal(raw, &h)
		t, err := time.Parse(time.RFC3339, h.CreatedAt)
		if err != nil {
			w.p.Log.Warn("event without a readable created_at; dated at the window's end", "window_end", win.End.Format(time.RFC3339))
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
