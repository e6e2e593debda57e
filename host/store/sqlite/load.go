package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

// load reads alerts from the read pool in one read transaction, so that an
// alert's row and its deliveries are from the same moment.
func (s *Store) load(ctx context.Context, ids []string) ([]*alert.Alert, error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // read only: nothing to keep
	return load(ctx, tx, ids)
}

// load reads alerts and their deliveries by id, in the order of ids; ids the
// store does not hold are left out.
func load(ctx context.Context, q querier, ids []string) ([]*alert.Alert, error) {
	byID := make(map[string]*alert.Alert, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		if err := loadChunk(ctx, q, part, byID); err != nil {
			return nil, err
		}
	}
	out := make([]*alert.Alert, 0, len(byID))
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, a)
			delete(byID, id) // an id listed twice is returned once
		}
	}
	return out, nil
}

// chunk bounds the ids bound in one IN list, well under SQLite's limit on
// host parameters.
const chunk = 500

func loadChunk(ctx context.Context, q querier, ids []string, byID map[string]*alert.Alert) error {
	in, args := inList(ids)
	rows, err := q.QueryContext(ctx, `SELECT id, merged_into, body FROM alerts WHERE id IN `+in, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var mergedInto sql.NullString
		var body []byte
		if err := rows.Scan(&id, &mergedInto, &body); err != nil {
			return err
		}
		a := new(alert.Alert)
		if err := json.Unmarshal(body, a); err != nil {
			return fmt.Errorf("alert %s: stored body: %w", id, err)
		}
		a.MergedInto = mergedInto.String
		byID[id] = a
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return loadDeliveries(ctx, q, in, args, byID)
}

func loadDeliveries(ctx context.Context, q querier, in string, args []any, byID map[string]*alert.Alert) error {
	rows, err := q.QueryContext(ctx, `SELECT alert_id, output, status, attempts, last_attempt, next_attempt,
		lease_until, sent_at, error FROM deliveries WHERE alert_id IN `+in+` ORDER BY alert_id, output`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var d alert.Delivery
		var last, lease, sent sql.NullInt64
		var next int64
		if err := rows.Scan(&id, &d.Output, &d.Status, &d.Attempts, &last, &next, &lease, &sent, &d.Error); err != nil {
			return err
		}
		d.LastAttempt, d.NextAttempt, d.LeasedUntil, d.SentAt = fromNull(last), fromMicros(next), fromNull(lease), fromNull(sent)
		if a := byID[id]; a != nil {
			a.Deliveries = append(a.Deliveries, d)
		}
	}
	return rows.Err()
}

// inList returns "(?, ?, ...)" and the arguments for it.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}

// Times are stored as Unix microseconds, the precision of the JSON form, so
// what is read back equals what was written. Zero times are NULL, except
// next_attempt, where zero (0) means "at once" and sorts first.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

func nullTime(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: !t.IsZero()}
}

func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
