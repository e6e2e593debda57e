package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// Get returns one alert; see store.Browser.
func (s *Store) Get(ctx context.Context, id string) (*alert.Alert, error) {
	alerts, err := s.load(ctx, []string{id})
	if err != nil {
		return nil, wrap("get alert "+id, err)
	}
	if len(alerts) == 0 {
		return nil, fmt.Errorf("store: get alert %s: %w", id, store.ErrNotFound)
	}
	return alerts[0], nil
}

// List returns a page of matching alerts, newest first; see store.Browser.
func (s *Store) List(ctx context.Context, req store.ListRequest) (store.ListResponse, error) {
	limit := req.Limit
	if limit <= 0 {
		limit = 100
	}
	where, args, err := filter(req.Filter)
	if err != nil {
		return store.ListResponse{}, fmt.Errorf("store: list alerts: %w", err)
	}
	if req.Cursor != "" {
		created, id, err := parseCursor(req.Cursor)
		if err != nil {
			return store.ListResponse{}, fmt.Errorf("store: list alerts: %w", err)
		}
		where += ` AND (a.created, a.id) < (?, ?)`
		args = append(args, created, id)
	}
	// One more row than asked tells whether there is a next page.
	ids, err := column(ctx, s.r, `SELECT a.id FROM alerts a WHERE `+where+
		` ORDER BY a.created DESC, a.id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return store.ListResponse{}, wrap("list alerts", err)
	}
	more := len(ids) > limit
	ids = ids[:min(len(ids), limit)]
	alerts, err := s.load(ctx, ids)
	if err != nil {
		return store.ListResponse{}, wrap("list alerts", err)
	}
	resp := store.ListResponse{Alerts: alerts}
	if more && len(alerts) > 0 {
		last := alerts[len(alerts)-1]
		resp.Next = strconv.FormatInt(last.Created.UnixMicro(), 10) + "/" + last.ID
	}
	return resp, nil
}

// parseCursor reads "created/id", the position of the last alert listed.
func parseCursor(c string) (int64, string, error) {
	ts, id, ok := strings.Cut(c, "/")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || id == "" {
		return 0, "", invalidf("cursor %q is not one List returned", c)
	}
	return n, id, nil
}

// Pair states an alert's state is derived from, as SQL over the alias a.
const (
	hasFailed  = `EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND d.status = 'failed')`
	hasPending = `EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND d.status IN ('pending', 'held'))`
)

// filter turns a Filter into a WHERE clause over alerts a, matching
// alert.State's order: failed, then pending, then merged, then delivered.
func filter(f store.Filter) (string, []any, error) {
	if len(f.IDs) > chunk {
		return "", nil, invalidf("%d ids is over %d", len(f.IDs), chunk)
	}
	conds := []string{"1"}
	var args []any
	if len(f.IDs) > 0 {
		in, ids := inList(f.IDs)
		conds, args = append(conds, "a.id IN "+in), append(args, ids...)
	}
	if f.Rule != "" {
		conds, args = append(conds, "a.rule_name = ?"), append(args, f.Rule)
	}
	if !f.Since.IsZero() {
		conds, args = append(conds, "a.created >= ?"), append(args, f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		conds, args = append(conds, "a.created < ?"), append(args, f.Until.UnixMicro())
	}
	if f.Text != "" {
		cond, textArgs := matchText(f.Text)
		conds, args = append(conds, cond), append(args, textArgs...)
	}
	switch f.Status {
	case "":
	case store.StatusFailed:
		conds = append(conds, hasFailed)
	case store.StatusPending:
		conds = append(conds, "NOT "+hasFailed, hasPending)
	case store.StatusMerged:
		conds = append(conds, "NOT "+hasFailed, "NOT "+hasPending, "a.merged_into IS NOT NULL")
	case store.StatusDelivered:
		conds = append(conds, "NOT "+hasFailed, "NOT "+hasPending, "a.merged_into IS NULL")
	case store.StatusStaged:
		conds = append(conds, "a.staged = 1")
	default:
		return "", nil, invalidf("unknown status %q (want pending, delivered, failed, merged or staged)", f.Status)
	}
	return strings.Join(conds, " AND "), args, nil
}

// matchText matches text in the stored JSON either as typed, which finds
// structure ("eventName":"ConsoleLogin"), or as it reads inside a JSON
// string, which finds values holding quotes, backslashes, newlines or <>&
// (the body escapes those). LIKE is ASCII case-insensitive and matches any
// substring, such as part of a user name or an ARN, where FTS5 (which the
// driver has) matches whole tokens only. It scans the alerts the other
// filters leave, which suits an operator's search; an FTS5 index can be
// added by a migration if large stores need it.
func matchText(text string) (string, []any) {
	const like = `a.body LIKE ? ESCAPE '\'`
	typed := likePattern(text)
	b, _ := json.Marshal(text) // a string always encodes
	inString := likePattern(string(b[1 : len(b)-1]))
	if inString == typed {
		return like, []any{typed}
	}
	return "(" + like + " OR " + like + ")", []any{typed, inString}
}

// likePattern makes s match literally anywhere: % and _ are wildcards.
func likePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// Retry resets the failed pairs of matching alerts; see store.Browser.
func (s *Store) Retry(ctx context.Context, req store.RetryRequest) (int, error) {
	where, args, err := filter(req.Filter)
	if err != nil {
		return 0, fmt.Errorf("store: retry: %w", err)
	}
	q := `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt = ?,
		lease_until = NULL, lease_token = NULL
		WHERE status = 'failed' AND alert_id IN (SELECT a.id FROM alerts a WHERE ` + where + `)`
	args = append([]any{micros(req.Now)}, args...)
	if req.Output != "" {
		q += ` AND output = ?`
		args = append(args, req.Output)
	}
	var n int64
	err = s.write(ctx, "retry", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Prune deletes done alerts created before req.Before; see store.Store. It
// deletes in batches of a few hundred so that ingest, which shares the one
// writer, never waits long behind it.
func (s *Store) Prune(ctx context.Context, req store.PruneRequest) (int, error) {
	if req.Before.IsZero() {
		return 0, fmt.Errorf("store: prune: %w", invalidf("need a Before time"))
	}
	keep := `('pending', 'held', 'failed')`
	if req.Failed {
		keep = `('pending', 'held')`
	}
	total := 0
	for {
		var n int64
		err := s.write(ctx, "prune", func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM alerts WHERE id IN (SELECT a.id FROM alerts a
				WHERE a.created < ? AND NOT EXISTS (SELECT 1 FROM deliveries d
					WHERE d.alert_id = a.id AND d.status IN `+keep+`) LIMIT ?)`,
				req.Before.UnixMicro(), chunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		total += int(n)
		if err != nil || n < chunk {
			return total, err
		}
	}
}
