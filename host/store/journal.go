package store

import (
	"context"
	"time"
)

// Journal is the embedded runtime's ingest queue. Records a source sends are
// appended, durably, before the sender is answered; the pipeline reads them
// back in order, and acknowledges an entry in the same transaction that
// commits the alerts it produced. A crash between the two replays the entry,
// and alert ids derived from it make the replay insert nothing twice: no
// accepted record is lost and no alert is doubled.
//
// The AWS runtime has Kinesis and SQS for this and needs no Journal.
type Journal interface {
	// Append stores an entry and returns its id once it is durable.
	Append(ctx context.Context, e JournalEntry) (int64, error)
	// Pending returns unacknowledged entries with ids above After, oldest
	// first.
	Pending(ctx context.Context, req PendingRequest) ([]JournalEntry, error)
	// Depth reports the unacknowledged entries and the records they hold.
	Depth(ctx context.Context) (entries, records int64, err error)
	// WithJournalTx is WithTx with acknowledgement of journal entries.
	WithJournalTx(ctx context.Context, fn func(JournalTx) error) error
}

// JournalTx is a write transaction that can also append and acknowledge
// entries: an app batch's records and the app's new checkpoint commit
// together, so a poll that dies between them neither loses nor repeats.
type JournalTx interface {
	Tx
	// Append stores an entry as part of the transaction.
	Append(ctx context.Context, e JournalEntry) (int64, error)
	// Ack removes processed entries from the journal.
	Ack(ctx context.Context, ids ...int64) error
}

// JournalEntry is one batch of raw records from one source.
type JournalEntry struct {
	ID       int64
	Service  string
	Resource string
	Received time.Time
	Records  [][]byte
}

// PendingRequest pages through unacknowledged entries.
type PendingRequest struct {
	After int64
	Limit int
}
