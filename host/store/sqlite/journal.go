package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/streamalert-go/sa/host/store"
)

// Append stores a journal entry; see store.Journal.
func (s *Store) Append(ctx context.Context, e store.JournalEntry) (int64, error) {
	if e.Service == "" || e.Resource == "" {
		return 0, invalidf("journal entry has no source")
	}
	var id int64
	err := s.write(ctx, "append to journal", func(tx *sql.Tx) (err error) {
		id, err = appendEntry(ctx, tx, e)
		return err
	})
	return id, err
}

func appendEntry(ctx context.Context, tx *sql.Tx, e store.JournalEntry) (int64, error) {
	received := e.Received
	if received.IsZero() {
		received = time.Now()
	}
	var id int64
	err := tx.QueryRowContext(ctx,
		`INSERT INTO journal (service, resource, received, count, records) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		e.Service, e.Resource, received.UnixMicro(), len(e.Records), encodeRecords(e.Records)).Scan(&id)
	return id, err
}

// Pending lists unacknowledged journal entries; see store.Journal.
func (s *Store) Pending(ctx context.Context, req store.PendingRequest) ([]store.JournalEntry, error) {
	limit := req.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx,
		`SELECT id, service, resource, received, records FROM journal WHERE id > ? ORDER BY id LIMIT ?`, req.After, limit)
	if err != nil {
		return nil, wrap("read journal", err)
	}
	defer rows.Close()
	var out []store.JournalEntry
	for rows.Next() {
		var e store.JournalEntry
		var received int64
		var blob []byte
		if err := rows.Scan(&e.ID, &e.Service, &e.Resource, &received, &blob); err != nil {
			return nil, wrap("read journal", err)
		}
		e.Received = time.UnixMicro(received).UTC()
		if e.Records, err = decodeRecords(blob); err != nil {
			return nil, fmt.Errorf("store: journal entry %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, wrap("read journal", rows.Err())
}

// Depth counts unacknowledged entries and records; see store.Journal.
func (s *Store) Depth(ctx context.Context) (entries, records int64, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(count), 0) FROM journal`).Scan(&entries, &records)
	return entries, records, wrap("journal depth", err)
}

// PendingDeliveries counts alert x output pairs waiting to be delivered
// (pending, leased or not), the dispatcher's queue depth.
func (s *Store) PendingDeliveries(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE status = 'pending'`).Scan(&n)
	return n, wrap("count pending deliveries", err)
}

// WithJournalTx runs fn in one write transaction; see store.Journal.
func (s *Store) WithJournalTx(ctx context.Context, fn func(store.JournalTx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap("begin", err)
	}
	defer tx.Rollback() // a no-op after Commit
	if err := fn(journalTxn{txn{tx}}); err != nil {
		return err
	}
	return wrap("commit", tx.Commit())
}

type journalTxn struct{ txn }

func (t journalTxn) Append(ctx context.Context, e store.JournalEntry) (int64, error) {
	if e.Service == "" || e.Resource == "" {
		return 0, invalidf("journal entry has no source")
	}
	id, err := appendEntry(ctx, t.tx, e)
	return id, wrap("append to journal", err)
}

func (t journalTxn) Ack(ctx context.Context, ids ...int64) error {
	for _, id := range ids {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM journal WHERE id = ?`, id); err != nil {
			return wrap("acknowledge journal entry", err)
		}
	}
	return nil
}

func encodeRecords(records [][]byte) []byte {
	n := 0
	for _, r := range records {
		n += binary.MaxVarintLen64 + len(r)
	}
	out := make([]byte, 0, n)
	for _, r := range records {
		out = binary.AppendUvarint(out, uint64(len(r)))
		out = append(out, r...)
	}
	return out
}

var errBadJournal = errors.New("journal entry is damaged")

func decodeRecords(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, errBadJournal
		}
		out = append(out, b[k:k+int(n)])
		b = b[k+int(n):]
	}
	return out, nil
}

var _ store.Journal = (*Store)(nil)
