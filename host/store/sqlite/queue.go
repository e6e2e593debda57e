package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// Due leases pairs whose next attempt time has passed; see store.Queue.
//
// Leasing is one UPDATE ... RETURNING inside the single writer's
// transaction, so two dispatch loops, in this process or another, can never
// take the same pair: the second one's transaction starts after the first
// one's commit and sees the pair's next attempt moved to the lease's end.
func (s *Store) Due(ctx context.Context, req store.DueRequest) ([]store.Pair, error) {
	if req.Limit <= 0 || req.Now.IsZero() {
		return nil, fmt.Errorf("store: lease due pairs: %w", invalidf("need Now and a positive Limit"))
	}
	lease := cmp.Or(req.Lease, store.DefaultLease)
	now, until, token := req.Now.UnixMicro(), req.Now.Add(lease).UnixMicro(), newToken()
	var pairs []store.Pair
	err := s.write(ctx, "lease due pairs", func(tx *sql.Tx) error {
		leased, err := s.take(ctx, tx, now, until, token, req.Limit)
		if err != nil || len(leased) == 0 {
			return err
		}
		pairs, err = s.pairs(ctx, tx, leased, token, until)
		return err
	})
	return pairs, err
}

type leased struct {
	alertID, output string
	attempt         int
}

// front selects the pairs Due would lease, in its order: oldest due first;
// among pairs due at once (new ones, next_attempt 0), oldest alert first,
// since ids sort by time. The deliveries_due index is in this order, so the
// cost is the rows taken, not the backlog.
const front = `SELECT rowid FROM deliveries WHERE status = 'pending' AND next_attempt <= ?1
	ORDER BY next_attempt, alert_id, output LIMIT ?2`

// take fails the pairs at the front that are out of budget, then leases
// the rest of the front: moves their next attempt to the end of the lease
// and counts the attempt.
//
// Pairs are out of budget here when their last lease ran out without a
// result (the process died or hung mid-send) or the budget was lowered;
// pairs that fail normally are failed by Record. Checking only the front
// keeps Due's cost bounded, and no pair is leased without passing the check.
func (s *Store) take(ctx context.Context, tx *sql.Tx, now, until, token int64, limit int) ([]leased, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'failed', lease_until = NULL, lease_token = NULL,
		error = printf('attempt budget of %d exhausted', ?3)
			|| CASE WHEN lease_until IS NOT NULL THEN '; the last attempt never reported back' ELSE '' END
			|| CASE WHEN error != '' THEN '; last error: ' || error ELSE '' END
		WHERE rowid IN (`+front+`) AND attempts >= ?3`, now, limit, s.maxAttempts); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `UPDATE deliveries
		SET attempts = attempts + 1, last_attempt = ?1, next_attempt = ?3, lease_until = ?3, lease_token = ?4
		WHERE rowid IN (`+front+`)
		RETURNING alert_id, output, attempts`, now, limit, until, token)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []leased
	for rows.Next() {
		var l leased
		if err := rows.Scan(&l.alertID, &l.output, &l.attempt); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *Store) pairs(ctx context.Context, tx *sql.Tx, ls []leased, token, until int64) ([]store.Pair, error) {
	slices.SortFunc(ls, func(a, b leased) int {
		return cmp.Or(cmp.Compare(a.alertID, b.alertID), cmp.Compare(a.output, b.output))
	})
	var ids []string
	for _, l := range ls {
		if len(ids) == 0 || ids[len(ids)-1] != l.alertID {
			ids = append(ids, l.alertID)
		}
	}
	alerts, err := load(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*alert.Alert, len(alerts))
	for _, a := range alerts {
		byID[a.ID] = a
	}
	pairs := make([]store.Pair, 0, len(ls))
	for _, l := range ls {
		a := byID[l.alertID]
		if a == nil {
			return nil, fmt.Errorf("alert %s: leased but not found", l.alertID)
		}
		pairs = append(pairs, store.Pair{Alert: a, Output: l.output, Attempt: l.attempt,
			Token: token, LeasedUntil: time.UnixMicro(until).UTC()})
	}
	return pairs, nil
}

// Record stores attempt results; see store.Queue.
func (s *Store) Record(ctx context.Context, outcomes ...store.Outcome) error {
	for _, o := range outcomes {
		if o.AlertID == "" || o.Output == "" || o.Result < store.Sent || o.Result > store.Release {
			return fmt.Errorf("store: record outcomes: %w",
				invalidf("outcome %q for %s/%s is incomplete", o.Result, o.AlertID, o.Output))
		}
	}
	if len(outcomes) == 0 {
		return nil
	}
	return s.write(ctx, "record outcomes", func(tx *sql.Tx) error {
		stmts := map[store.Result]*sql.Stmt{} // prepared once per call: batches repeat them
		defer func() {
			for _, st := range stmts {
				st.Close()
			}
		}()
		for _, o := range outcomes {
			st := stmts[o.Result]
			if st == nil {
				var err error
				if st, err = tx.PrepareContext(ctx, recordSQL[o.Result]); err != nil {
					return err
				}
				stmts[o.Result] = st
			}
			if _, err := st.ExecContext(ctx, s.recordArgs(o)...); err != nil {
				return fmt.Errorf("alert %s output %s: %w", o.AlertID, o.Output, err)
			}
		}
		return nil
	})
}

// recordSQL applies one outcome. Sent applies whatever the lease, and never
// to a pair already sent, so the first sent time is kept; the failures apply
// only under the lease they were attempted with. A pair the store does not
// hold (pruned meanwhile) matches nothing and is ignored.
var recordSQL = map[store.Result]string{
	// ?3, the token, is not checked: a success counts from any lease.
	store.Sent: `UPDATE deliveries SET status = 'sent', sent_at = ?4, lease_until = NULL, lease_token = NULL
		WHERE alert_id = ?1 AND output = ?2 AND status != 'sent'`,
	store.Retry: `UPDATE deliveries SET lease_until = NULL, lease_token = NULL, next_attempt = ?4,
		status = CASE WHEN attempts >= ?5 THEN 'failed' ELSE 'pending' END,
		error = CASE WHEN attempts >= ?5 THEN ?6 ELSE ?7 END
		WHERE alert_id = ?1 AND output = ?2 AND status = 'pending' AND lease_token = ?3`,
	store.GiveUp: `UPDATE deliveries SET status = 'failed', error = ?4, lease_until = NULL, lease_token = NULL
		WHERE alert_id = ?1 AND output = ?2 AND status = 'pending' AND lease_token = ?3`,
	store.Release: `UPDATE deliveries SET lease_until = NULL, lease_token = NULL, next_attempt = ?4,
		attempts = max(attempts - 1, 0), error = ?5
		WHERE alert_id = ?1 AND output = ?2 AND status = 'pending' AND lease_token = ?3`,
}

func (s *Store) recordArgs(o store.Outcome) []any {
	args := []any{o.AlertID, o.Output, o.Token}
	switch o.Result {
	case store.Sent:
		return append(args, cmp.Or(o.At, time.Now()).UnixMicro())
	case store.Retry:
		exhausted := fmt.Sprintf("attempt budget of %d exhausted; last error: %s", s.maxAttempts, o.Error)
		return append(args, micros(o.NextAttempt), s.maxAttempts, exhausted, o.Error)
	case store.Release:
		return append(args, micros(o.NextAttempt), o.Error)
	default:
		return append(args, cmp.Or(o.Error, "given up"))
	}
}
