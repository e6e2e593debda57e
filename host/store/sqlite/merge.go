package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// MergeRules lists rules with alerts waiting to be merged; see
// store.MergeQueue.
func (s *Store) MergeRules(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT rule_name FROM alerts
		WHERE merge_enabled = 1 AND merged_into IS NULL ORDER BY rule_name`)
	if err != nil {
		return nil, wrap("list merge rules", err)
	}
	defer rows.Close()
	var rules []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, wrap("list merge rules", err)
		}
		rules = append(rules, r)
	}
	return rules, wrap("list merge rules", rows.Err())
}

// MergeCandidates lists a rule's alerts waiting to be merged, oldest first;
// see store.MergeQueue.
func (s *Store) MergeCandidates(ctx context.Context, req store.CandidatesRequest) ([]*alert.Alert, error) {
	if req.Rule == "" || req.Limit <= 0 {
		return nil, fmt.Errorf("store: list merge candidates: %w", invalidf("need a rule and a positive Limit"))
	}
	ids, err := column(ctx, s.r, `SELECT id FROM alerts WHERE merge_enabled = 1 AND merged_into IS NULL
		AND rule_name = ? ORDER BY created, id LIMIT ?`, req.Rule, req.Limit)
	if err != nil {
		return nil, wrap("list merge candidates", err)
	}
	alerts, err := s.load(ctx, ids)
	return alerts, wrap("list merge candidates", err)
}

// ReplaceGroup stores a merged alert in place of the alerts it was merged
// from, in one transaction; see store.MergeQueue. The originals are marked
// first and the merged alert inserted last, so a failure anywhere — a
// duplicate id, a full disk, the process dying — rolls back the marks too:
// the group is either replaced or untouched, never emptied without its
// replacement.
func (s *Store) ReplaceGroup(ctx context.Context, req store.ReplaceRequest) error {
	if err := checkReplace(req); err != nil {
		return fmt.Errorf("store: replace merge group: %w", err)
	}
	originals := slices.Compact(slices.Sorted(slices.Values(req.Replaces)))
	in, args := inList(originals)
	return s.write(ctx, "replace merge group", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE alerts SET merged_into = ? WHERE id IN `+in+`
			AND merge_enabled = 1 AND merged_into IS NULL`, append([]any{req.Merged.ID}, args...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(originals)) {
			return fmt.Errorf("%w: %d of %d alerts to replace are gone or merged already",
				store.ErrConflict, int64(len(originals))-n, len(originals))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'merged', lease_until = NULL,
			lease_token = NULL WHERE status = 'held' AND alert_id IN `+in, args...); err != nil {
			return err
		}
		return insertNew(ctx, tx, req.Merged)
	})
}

func checkReplace(req store.ReplaceRequest) error {
	switch {
	case req.Merged == nil:
		return invalidf("no merged alert")
	case len(req.Replaces) == 0:
		return invalidf("merged alert %s replaces no alerts", req.Merged.ID)
	case req.Merged.MergeEnabled():
		return invalidf("merged alert %s would wait to be merged again", req.Merged.ID)
	case len(req.Replaces) > chunk:
		return invalidf("a group of %d alerts is over %d", len(req.Replaces), chunk)
	case slices.Contains(req.Replaces, req.Merged.ID):
		return invalidf("merged alert %s replaces itself", req.Merged.ID)
	}
	return validate([]*alert.Alert{req.Merged})
}

// insertNew inserts one alert whose id must be new.
func insertNew(ctx context.Context, tx *sql.Tx, a *alert.Alert) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM alerts WHERE id = ?`, a.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: alert %s exists already", store.ErrConflict, a.ID)
	}
	return insert(ctx, tx, []*alert.Alert{a})
}

// column runs a query returning one text column.
func column(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
