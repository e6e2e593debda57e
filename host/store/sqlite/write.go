package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// Insert commits alerts in one transaction; see store.Writer.
func (s *Store) Insert(ctx context.Context, alerts ...*alert.Alert) error {
	if err := validate(alerts); err != nil {
		return fmt.Errorf("store: insert alerts: %w", err)
	}
	if len(alerts) == 0 {
		return nil
	}
	return s.write(ctx, "insert alerts", func(tx *sql.Tx) error { return insert(ctx, tx, alerts) })
}

// validate checks every alert before any is written, so that a bad one
// fails the batch without a round trip.
func validate(alerts []*alert.Alert) error {
	for i, a := range alerts {
		if a == nil {
			return invalidf("alert %d is nil", i)
		}
		if err := a.Validate(); err != nil {
			return invalid(fmt.Errorf("alert %s: %w", a.ID, err))
		}
	}
	return nil
}

const (
	insertAlertSQL = `INSERT INTO alerts (id, rule_name, created, staged, merge_enabled, merged_into, body)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`
	insertDeliverySQL = `INSERT INTO deliveries
		(alert_id, output, status, attempts, last_attempt, next_attempt, sent_at, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

// insert writes alerts that were validated. An id already stored is
// skipped whole, deliveries included, which is what makes Insert
// idempotent. Leases are not carried over: a new row is nobody's yet.
func insert(ctx context.Context, tx *sql.Tx, alerts []*alert.Alert) error {
	insA, err := tx.PrepareContext(ctx, insertAlertSQL)
	if err != nil {
		return err
	}
	defer insA.Close()
	insD, err := tx.PrepareContext(ctx, insertDeliverySQL)
	if err != nil {
		return err
	}
	defer insD.Close()
	for _, a := range alerts {
		body, err := a.Payload()
		if err != nil {
			return err
		}
		res, err := insA.ExecContext(ctx, a.ID, a.RuleName, a.Created.UnixMicro(), b2i(a.Staged),
			b2i(a.MergeEnabled()), nullString(a.MergedInto), string(body))
		if err != nil {
			return fmt.Errorf("alert %s: %w", a.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("alert %s: %w", a.ID, err)
		}
		if n == 0 {
			continue // stored already
		}
		for _, d := range a.Deliveries {
			if _, err := insD.ExecContext(ctx, a.ID, d.Output, string(d.Status), d.Attempts,
				nullTime(d.LastAttempt), micros(d.NextAttempt), nullTime(d.SentAt), d.Error); err != nil {
				return fmt.Errorf("alert %s output %s: %w", a.ID, d.Output, err)
			}
		}
	}
	return nil
}

// WithTx runs fn in one write transaction; see store.Writer.
func (s *Store) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap("begin", err)
	}
	defer tx.Rollback() // a no-op after Commit
	if err := fn(txn{tx}); err != nil {
		return err
	}
	return wrap("commit", tx.Commit())
}

// txn is the store.Tx handed to WithTx's function.
type txn struct{ tx *sql.Tx }

func (t txn) Insert(ctx context.Context, alerts ...*alert.Alert) error {
	if err := validate(alerts); err != nil {
		return fmt.Errorf("store: insert alerts: %w", err)
	}
	return wrap("insert alerts", insert(ctx, t.tx, alerts))
}

func (t txn) GetState(ctx context.Context, key string) ([]byte, bool, error) {
	return getState(ctx, t.tx, key)
}

func (t txn) PutState(ctx context.Context, key string, value []byte) error {
	return wrap("put state "+key, putState(ctx, t.tx, key, value))
}

func (t txn) DeleteState(ctx context.Context, key string) error {
	return wrap("delete state "+key, deleteState(ctx, t.tx, key))
}

// GetState reads a checkpoint; see store.Checkpoints.
func (s *Store) GetState(ctx context.Context, key string) ([]byte, bool, error) {
	return getState(ctx, s.r, key)
}

// PutState writes a checkpoint; see store.Checkpoints.
func (s *Store) PutState(ctx context.Context, key string, value []byte) error {
	return s.write(ctx, "put state "+key, func(tx *sql.Tx) error { return putState(ctx, tx, key, value) })
}

// DeleteState removes a checkpoint; see store.Checkpoints.
func (s *Store) DeleteState(ctx context.Context, key string) error {
	return s.write(ctx, "delete state "+key, func(tx *sql.Tx) error { return deleteState(ctx, tx, key) })
}

func getState(ctx context.Context, q querier, key string) ([]byte, bool, error) {
	var v []byte
	err := q.QueryRowContext(ctx, `SELECT value FROM state WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap("get state "+key, err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, true, nil
}

func putState(ctx context.Context, q querier, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := q.ExecContext(ctx, `INSERT INTO state (key, value, updated) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated = excluded.updated`,
		key, value, time.Now().UnixMicro())
	return err
}

func deleteState(ctx context.Context, q querier, key string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM state WHERE key = ?`, key)
	return err
}

var _ store.Tx = txn{}
