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

// StreamAlert downloaded every active indicator once a day and followed
// meta.next, an offset into the result, re-invoking itself until the
// offset reached ThreatStream's limit. Offsets shift when indicators
// change during the walk, which skips some, and the limit cut large feeds
// short. Here the indicators are asked for in update_id order, and each
// page asks for those after the last update_id read (update_id__gt):
// nothing shifts, there is no offset limit, and later polls download only
// what changed. meta.next only says whether more pages follow. The cursor
// keeps the update_id of the last indicator read, moved before each
// indicator is queued, so every batch's state says exactly how far the
// host has the feed.
const (
	intelligenceURL = "https://api.threatstream.com/api/v2/intelligence/"
	// pageSize is StreamAlert's page.
	pageSize = 1000
)

// page is one page of the intelligence API.
type page struct {
	Meta struct {
		Next *string `json:"next"`
	} `json:"meta"`
	Objects []json.RawMessage `json:"objects"`
}

// walker is one poll.
type walker struct {
	p       *appkit.Poll
	auth    string
	q       string
	filters []string
	skipped map[string]int
	now     func() time.Time
}

func newWalker(p *appkit.Poll) *walker {
	cfg := p.Config
	return &walker{
		p:       p,
		auth:    "apikey " + cfg.String(propUser) + ":" + cfg.String(propKey),
		q:       query(cfg.Strings(propTypes), cfg.Strings(propExcluded)),
		filters: cfg.Strings(propFilters),
		skipped: map[string]int{},
		now:     p.Now,
	}
}

// query is StreamAlert's search: active indicators of the types, none of
// the excluded subtypes.
func query(types, excluded []string) string {
	or := func(field string, vals []string) string {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = field + `="` + v + `"`
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	q := `(status="active")`
	if len(types) > 0 {
		q += " AND " + or("type", types)
	}
	if len(excluded) > 0 {
		q += " AND NOT " + or("itype", excluded)
	}
	return q
}

// run reads pages of indicators after the cursor's update_id until none
// are left or the budget ends.
func (w *walker) run() (more bool, err error) {
	defer w.report()
	for {
		if !w.p.Budget.Another() {
			return true, nil
		}
		after := w.p.Cursor.Token
		pg, err := w.page(after)
		if err != nil {
			return false, err
		}
		if err := w.emit(after, pg.Objects); err != nil {
			return false, err
		}
		if pg.Meta.Next == nil || *pg.Meta.Next == "" || len(pg.Objects) == 0 {
			return false, nil
		}
	}
}

// page asks for the indicators after update_id after.
func (w *walker) page(after string) (*page, error) {
	if after == "" {
		after = "0"
	}
	q := url.Values{
		"limit":         {strconv.Itoa(pageSize)},
		"q":             {w.q},
		"order_by":      {"update_id"},
		"update_id__gt": {after},
	}
	resp, err := w.p.Client.Do(w.p.Ctx, appkit.Request{Method: http.MethodGet, URL: intelligenceURL + "?" + q.Encode(),
		Header: http.Header{"Authorization": {w.auth}, "Accept": {"application/json"}}})
	if err != nil {
		return nil, fmt.Errorf("list intelligence: %w", err)
	}
	var pg page
	if err := resp.JSON(&pg); err != nil {
		return nil, fmt.Errorf("list intelligence: %w", err)
	}
	return &pg, nil
}

// objectHead is what the plugin needs of an object besides the IOC.
type objectHead struct {
	UpdateID json.Number `json:"update_id"`
}

// emit queues a page's indicators as IOCs. The cursor's token moves to
// each indicator's update_id before it is queued, so a batch never claims
// an indicator it does not carry. Every update_id must follow after, or
// the walk would never end.
func (w *walker) emit(after string, objects []json.RawMessage) error {
	floor, _ := strconv.ParseInt(after, 10, 64)
	for _, raw := range objects {
		var head objectHead
		var in intelligence
		if json.Unmarshal(raw, &head) != nil || json.Unmarshal(raw, &in) != nil {
			return fmt.Errorf("list intelligence: an object that does not decode")
		}
		id, err := strconv.ParseInt(head.UpdateID.String(), 10, 64)
		if err != nil || id <= floor {
			return fmt.Errorf("list intelligence: update_id %.24q does not follow %d; the answer is not in update_id order", head.UpdateID, floor)
		}
		floor = id
		w.p.Cursor.Token = strconv.FormatInt(id, 10)
		if !sourceMatches(in.Source, w.filters) {
			w.skipped["source not in ioc_filters"]++
			continue
		}
		i, err := toIOC(in, w.now())
		if err != nil {
			w.skipped[err.Error()]++
			continue
		}
		if err := w.p.Batcher().Add(i.encode()); err != nil {
			return err
		}
	}
	return nil
}

// report logs the indicators skipped, by reason.
func (w *walker) report() {
	for why, n := range w.skipped {
		w.p.Log.Info("indicators skipped", "reason", why, "count", n)
	}
}

// errorText reads ThreatStream's error bodies ({"error": "..."} or
// {"message": "..."}).
func errorText(body []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	for _, s := range []string{e.Error, e.Message, e.Detail} {
		if s != "" {
			return s
		}
	}
	return ""
}
