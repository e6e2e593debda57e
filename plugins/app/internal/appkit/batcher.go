package appkit

import (
	"bytes"
	"fmt"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Default batch bounds.
const (
	DefaultBatchLogs  = 1000
	DefaultBatchBytes = 4 << 20
)

// Batcher hands logs to the host in batches of at most MaxLogs logs, and
// of MaxBytes bytes plus the log that crossed it. Each batch carries the
// state returned by state when it is sent, so the state must cover every
// log added so far (mark the cursor first, then Add); a batch is therefore
// only ever sent right after a log is added, never before, or its state
// would cover a log it does not carry.
type Batcher struct {
	// MaxLogs and MaxBytes bound a batch (DefaultBatchLogs, DefaultBatchBytes).
	MaxLogs  int
	MaxBytes int

	emit  func(saplugin.Batch) error
	state func() []byte
	last  []byte
	logs  [][]byte
	size  int
	sent  int
}

// NewBatcher returns a batcher sending through emit. last is the state the
// host holds now (the request's), so an unchanged state is not re-sent.
func NewBatcher(emit func(saplugin.Batch) error, state func() []byte, last []byte) *Batcher {
	return &Batcher{MaxLogs: DefaultBatchLogs, MaxBytes: DefaultBatchBytes, emit: emit, state: state, last: last}
}

// Add queues a log, sending the batch once it is full.
func (b *Batcher) Add(log []byte) error {
	b.logs = append(b.logs, log)
	b.size += len(log)
	if len(b.logs) >= b.MaxLogs || b.size >= b.MaxBytes {
		return b.Flush()
	}
	return nil
}

// Flush sends the queued logs now, with the current state.
func (b *Batcher) Flush() error {
	if len(b.logs) == 0 {
		return nil
	}
	return b.send(false)
}

// Finish sends what is queued and the final state, saying whether more
// remains. A poll that found nothing and changed nothing sends nothing.
func (b *Batcher) Finish(more bool) error {
	if len(b.logs) == 0 && !more && bytes.Equal(b.state(), b.last) {
		return nil
	}
	return b.send(more)
}

// Sent is the number of logs sent so far.
func (b *Batcher) Sent() int { return b.sent }

func (b *Batcher) send(more bool) error {
	st := b.state()
	batch := saplugin.Batch{Logs: b.logs, State: st, More: more}
	n := len(b.logs)
	b.logs, b.size = nil, 0
	if err := b.emit(batch); err != nil {
		return fmt.Errorf("emit batch: %w", err)
	}
	b.last, b.sent = st, b.sent+n
	return nil
}
