package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/streamalert-go/sa/host/store"
)

// recorder commits outcomes in batches: one store transaction, and with
// SQLite one fsync, per batch rather than per attempt.
type recorder struct {
	q         Queue
	in        chan store.Outcome
	size      int
	wait      time.Duration
	committed func([]store.Outcome)
	log       *slog.Logger
	// giveUpAfter bounds how long outcomes are retried once the
	// dispatcher shuts down; until then a failing store is retried
	// indefinitely. deadline is when that time is up (zero until the
	// first failure during shutdown); only the recorder's goroutine uses it.
	giveUpAfter time.Duration
	deadline    time.Time
	closing     chan struct{}
}

func newRecorder(q Queue, o Options, committed func([]store.Outcome), log *slog.Logger) *recorder {
	return &recorder{
		q: q, in: make(chan store.Outcome, 4*o.FlushSize), size: o.FlushSize, wait: o.FlushInterval,
		committed: committed, log: log, giveUpAfter: o.DrainTimeout, closing: make(chan struct{}),
	}
}

// add queues an outcome; it blocks while the store falls behind, which
// holds back the lanes rather than piling up results in memory.
func (r *recorder) add(o store.Outcome) { r.in <- o }

// start runs the recorder; the channel closes once everything added before
// close is committed or given up.
func (r *recorder) start() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			batch, more := r.collect()
			if len(batch) > 0 {
				r.commit(batch)
			}
			if !more {
				return
			}
		}
	}()
	return done
}

// shutdown tells the recorder the dispatcher is stopping, so a failing
// store is no longer retried without end.
func (r *recorder) shutdown() { close(r.closing) }

// close ends the recorder after the outcomes added so far; shutdown must
// have been called.
func (r *recorder) close() { close(r.in) }

// collect waits for a first outcome, then gathers more until the batch is
// full or the flush interval has passed. more is false once in is closed
// and drained.
func (r *recorder) collect() (batch []store.Outcome, more bool) {
	first, ok := <-r.in
	if !ok {
		return nil, false
	}
	batch = append(make([]store.Outcome, 0, r.size), first)
	t := time.NewTimer(r.wait)
	defer t.Stop()
	for len(batch) < r.size {
		select {
		case o, ok := <-r.in:
			if !ok {
				return batch, false
			}
			batch = append(batch, o)
		case <-t.C:
			return batch, true
		}
	}
	return batch, true
}

// commit records a batch, retrying a failing store with backoff. Before
// shutdown it never gives up: an uncommitted success means a second
// delivery after the lease ends. After shutdown starts it tries for
// giveUpAfter, then leaves the pairs to their leases.
func (r *recorder) commit(batch []store.Outcome) {
	wait := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := r.q.Record(ctx, batch...)
		cancel()
		switch {
		case err == nil:
			r.committed(batch)
			return
		case errors.Is(err, store.ErrInvalid):
			r.log.Error("outcomes refused by the store; dropped", "error", err.Error(), "outcomes", len(batch))
			return
		}
		r.log.Error("cannot record delivery outcomes; retrying", "error", err.Error(), "outcomes", len(batch), "attempt", attempt)
		if r.shuttingDown() {
			if r.deadline.IsZero() {
				r.deadline = time.Now().Add(r.giveUpAfter)
			}
			if time.Now().After(r.deadline) {
				r.log.Error("delivery outcomes lost at shutdown; those pairs are retried after their leases end",
					"outcomes", len(batch))
				return
			}
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
	}
}

func (r *recorder) shuttingDown() bool {
	select {
	case <-r.closing:
		return true
	default:
		return false
	}
}
