package appkit

import (
	"context"
	"sync"
	"time"
)

// Reserve bounds: the part of a poll's budget kept back for sending the
// last batch after the vendor calls stop.
const (
	minReserve = 50 * time.Millisecond
	maxReserve = 5 * time.Second
)

// pageFactor is how many times the slowest call so far must fit in the
// remaining budget for another page to start (StreamAlert's 1.5).
const pageFactor = 1.5

// Budget is the time one poll may spend calling the vendor. Its deadline
// is the host's minus a reserve (a tenth of the budget, between 50ms and
// 5s), so a poll that stops at the deadline still has time to send its
// last batch before the host gives up on the stream. It is safe for
// concurrent use.
type Budget struct {
	deadline time.Time
	now      func() time.Time

	mu      sync.Mutex
	longest time.Duration
}

// NewBudget starts a budget of total from now.
func NewBudget(total time.Duration) *Budget {
	return newBudgetAt(time.Now, total)
}

func newBudgetAt(now func() time.Time, total time.Duration) *Budget {
	reserve := min(max(total/10, minReserve), maxReserve)
	return &Budget{deadline: now().Add(total - reserve), now: now}
}

// Deadline is when vendor calls must have ended.
func (b *Budget) Deadline() time.Time { return b.deadline }

// Remaining is the time left before the deadline, never negative.
func (b *Budget) Remaining() time.Duration {
	return max(0, b.deadline.Sub(b.now()))
}

// Fits reports whether something taking d would end before the deadline.
func (b *Budget) Fits(d time.Duration) bool {
	return !b.now().Add(d).After(b.deadline)
}

// Observe records how long one vendor call took; the Client calls it.
func (b *Budget) Observe(d time.Duration) {
	b.mu.Lock()
	b.longest = max(b.longest, d)
	b.mu.Unlock()
}

// Another reports whether there is time for another page: the remaining
// budget must hold one and a half times the slowest call seen so far, so
// a poll stops cleanly instead of being cut off in the middle of a call.
func (b *Budget) Another() bool {
	b.mu.Lock()
	longest := b.longest
	b.mu.Unlock()
	return b.Remaining() > time.Duration(pageFactor*float64(longest))
}

// Context returns ctx ending at the budget's deadline.
func (b *Budget) Context(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithDeadline(ctx, b.deadline)
}
