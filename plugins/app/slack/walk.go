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

// apiBase is Slack's Web API.
const apiBase = "https://slack.com/api/"

// maxPage is the highest page the log methods serve.
const maxPage = 100

// kind is what differs between the two logs.
type kind struct {
	// method is the Web API method, list the response's entry array.
	method, list string
	// timeField is the entry's time (the last activity it records);
	// orderField the one Slack sorts newest first by.
	timeField, orderField string
	// before says the method takes a before bound (on orderField).
	before bool
	// rescan widens the walk below the cursor's start by the rescan
	// setting, for entries updated in place.
	rescan bool
}

var kinds = map[string]kind{
	"slack_access":      {method: "team.accessLogs", list: "logins", timeField: "date_last", orderField: "date_first", before: true, rescan: true},
	"slack_integration": {method: "team.integrationLogs", list: "logs", timeField: "date", orderField: "date"},
}

// walk is a pass down a log in progress, kept in the cursor's Extra: the
// end it was pinned to and the next page to read.
type walk struct {
	Until  int64 `json:"until"`
	Before int64 `json:"before,omitempty"`
	Page   int   `json:"page"`
}

// walker is one poll of a Slack log.
//
// Slack serves these logs newest first, a page at a time, with no way to
// ask for entries after a time. StreamAlert set its bound to the current
// time after every page, so the later pages of a run, holding older
// entries, were filtered against that new bound and dropped, and entries
// Slack stored late were never read. Here each poll walks the log from an
// end pinned when the walk starts down to the cursor's start (minus the
// rescan for access entries), emitting the entries whose time is within
// the cursor's window and whose content was not emitted before; the
// cursor's bound moves to the pinned end only once the walk is complete,
// and a poll stopped part way resumes at the page it reached. An access
// entry updated in place has new content, so it is emitted again, as the
// new activity it records.
type walker struct {
	p    *appkit.Poll
	s    settings
	kind kind
	w    walk
}

// paging is Slack's classic pagination block.
type paging struct {
	Count int `json:"count"`
	Total int `json:"total"`
	Page  int `json:"page"`
	Pages int `json:"pages"`
}

// run walks pages until the walk is complete or the budget ends.
func (k *walker) run() (bool, error) {
	if err := k.load(); err != nil {
		return false, err
	}
	for {
		events, pg, err := k.page()
		if err != nil {
			return false, err
		}
		if err := k.p.Emit(events); err != nil {
			return false, err
		}
		if k.next(events, pg) {
			k.p.Cursor.Advance(time.Unix(k.w.Until, 0))
			k.p.Cursor.Extra = nil
			return false, nil
		}
		if err := k.save(); err != nil {
			return false, err
		}
		if !k.p.Budget.Another() {
			return true, nil
		}
	}
}

// load resumes the walk in the cursor or starts one pinned at now.
func (k *walker) load() error {
	if len(k.p.Cursor.Extra) > 0 {
		if err := json.Unmarshal(k.p.Cursor.Extra, &k.w); err != nil || k.w.Page < 1 || k.w.Until == 0 {
			return fmt.Errorf("decode state: bad walk")
		}
		return nil
	}
	k.w = walk{Until: k.p.Now().Unix(), Page: 1}
	if k.kind.before {
		k.w.Before = k.w.Until
	}
	return nil
}

func (k *walker) save() error {
	b, err := json.Marshal(k.w)
	k.p.Cursor.Extra = b
	return err
}

// next moves the walk past a page and reports whether it is complete: the
// last page, or a page sorted newest first whose oldest entry is below
// the floor. Past page 100, access logs go on from the oldest entry's
// date_first, which the before bound includes again.
func (k *walker) next(events []appkit.Event, pg paging) bool {
	if len(events) == 0 || pg.Page >= pg.Pages {
		return true
	}
	first, last := orderOf(events[0].Raw, k.kind.orderField), orderOf(events[len(events)-1].Raw, k.kind.orderField)
	if first > last && last < k.floor().Unix() {
		return true
	}
	if k.w.Page >= maxPage {
		if !k.kind.before {
			k.p.Log.Warn("Slack serves no page past 100; older entries of this log are not reachable", "method", k.kind.method)
			return true
		}
		k.w.Before, k.w.Page = last, 1
		return false
	}
	k.w.Page++
	return false
}

// floor is the oldest entry order time the walk must reach.
func (k *walker) floor() time.Time {
	f := k.p.Cursor.Start()
	if k.kind.rescan {
		f = f.Add(-k.s.rescan)
	}
	return f
}

// page fetches the walk's current page.
func (k *walker) page() ([]appkit.Event, paging, error) {
	q := url.Values{"count": {strconv.Itoa(k.s.pageSize)}, "page": {strconv.Itoa(k.w.Page)}}
	if k.kind.before {
		q.Set("before", strconv.FormatInt(k.w.Before, 10))
	}
	resp, err := k.p.Client.Do(k.p.Ctx, appkit.Request{Method: http.MethodGet, URL: apiBase + k.kind.method + "?" + q.Encode(),
		Header: http.Header{"Authorization": {"Bearer " + k.s.token}, "Accept": {"application/json"}}})
	if err != nil {
		return nil, paging{}, err
	}
	var body map[string]json.RawMessage
	if err := resp.JSON(&body); err != nil {
		return nil, paging{}, err
	}
	var ok bool
	var slackErr string
	var pg paging
	var entries []json.RawMessage
	json.Unmarshal(body["ok"], &ok)
	json.Unmarshal(body["error"], &slackErr)
	if !ok {
		return nil, paging{}, fmt.Errorf("%s: Slack answered error %q", k.kind.method, k.p.Client.Redact(slackErr))
	}
	if err := json.Unmarshal(body["paging"], &pg); err != nil {
		return nil, paging{}, fmt.Errorf("%s: answer without paging", k.kind.method)
	}
	if raw, found := body[k.kind.list]; found && string(raw) != "null" {
		if err := json.Unmarshal(raw, &entries); err != nil {
			return nil, paging{}, fmt.Errorf("%s: %s is not a list", k.kind.method, k.kind.list)
		}
	}
	return k.events(entries), pg, nil
}

// events gives entries their content ids and times.
func (k *walker) events(entries []json.RawMessage) []appkit.Event {
	raws := make([][]byte, len(entries))
	for i, e := range entries {
		raws[i] = e
	}
	ids := appkit.ContentIDs(raws)
	out := make([]appkit.Event, len(entries))
	for i, e := range entries {
		out[i] = appkit.Event{ID: ids[i], Time: time.Unix(orderOf(e, k.kind.timeField), 0), Raw: e}
	}
	return out
}

// orderOf reads an entry's Unix time field, a number or a string of
// digits (integration logs write "date" as a string); 0 when absent.
func orderOf(raw json.RawMessage, field string) int64 {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return 0
	}
	v := m[field]
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		i, _ := strconv.ParseInt(n.String(), 10, 64)
		return i
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		i, _ := strconv.ParseInt(s, 10, 64)
		return i
	}
	return 0
}
