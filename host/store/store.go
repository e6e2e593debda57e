package store

import (
	"context"
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

// Store is the whole alert store, as the runtime wires it.
type Store interface {
	Writer
	Checkpoints
	MergeQueue
	Queue
	Browser
	// Prune deletes old alerts that are done, to bound the store's size.
	Prune(ctx context.Context, req PruneRequest) (int, error)
	Close() error
}

// Writer is what ingest uses: alerts are durable when a call returns.
type Writer interface {
	// Insert commits alerts in one transaction: all or none. It is
	// idempotent by id: an alert whose id is stored already is left as it
	// is, so a caller unsure whether a commit landed can insert again.
	Insert(ctx context.Context, alerts ...*alert.Alert) error
	// WithTx runs fn in one write transaction and commits it if fn returns
	// nil; fn's error is returned as is. fn must use only tx: calling the
	// store itself from fn waits for the transaction fn is in.
	WithTx(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction: an app batch's alerts and its new checkpoint
// commit together or not at all.
type Tx interface {
	Insert(ctx context.Context, alerts ...*alert.Alert) error
	Checkpoints
}

// Checkpoints is a small key-value table for state that must survive a
// restart: an app instance's cursor, the merger's progress.
type Checkpoints interface {
	// GetState returns the value stored under key, and false if none is.
	GetState(ctx context.Context, key string) ([]byte, bool, error)
	PutState(ctx context.Context, key string, value []byte) error
	DeleteState(ctx context.Context, key string) error
}

// MergeQueue is what the merger uses.
type MergeQueue interface {
	// MergeRules lists the rules that have alerts waiting to be merged.
	MergeRules(ctx context.Context) ([]string, error)
	// MergeCandidates lists a rule's alerts waiting to be merged, oldest
	// first. They wait whatever state their required outputs are in:
	// unlike StreamAlert, merging does not wait on the archive output.
	MergeCandidates(ctx context.Context, req CandidatesRequest) ([]*alert.Alert, error)
	// ReplaceGroup stores a merged alert and marks the alerts it replaces
	// as merged into it, handing their held outputs over, in one
	// transaction. It fails with ErrConflict, changing nothing, if any of
	// them is gone or merged already.
	ReplaceGroup(ctx context.Context, req ReplaceRequest) error
}

// Queue is what the dispatcher uses.
type Queue interface {
	// Due leases up to Limit pairs whose next attempt time has passed,
	// counting an attempt for each.
	Due(ctx context.Context, req DueRequest) ([]Pair, error)
	// Record stores the results of attempts, in one transaction.
	Record(ctx context.Context, outcomes ...Outcome) error
}

// Browser is what the CLI uses.
type Browser interface {
	// Get returns one alert with its deliveries, or ErrNotFound.
	Get(ctx context.Context, id string) (*alert.Alert, error)
	// List returns alerts matching a filter, newest first, a page at a time.
	List(ctx context.Context, req ListRequest) (ListResponse, error)
	// Retry makes the failed pairs of the matching alerts pending again
	// with a fresh attempt budget, and reports how many it reset.
	Retry(ctx context.Context, req RetryRequest) (int, error)
}

// CandidatesRequest asks for one rule's merge candidates.
type CandidatesRequest struct {
	Rule string
	// Limit caps the answer; StreamAlert read 5000 per rule and run.
	Limit int
}

// ReplaceRequest replaces merged-away alerts with the merged alert.
type ReplaceRequest struct {
	// Merged is the new alert; it must not itself wait to be merged.
	Merged *alert.Alert
	// Replaces are the ids of the alerts it was merged from.
	Replaces []string
}

// DueRequest asks for pairs to send.
type DueRequest struct {
	// Now is the dispatcher's clock.
	Now time.Time
	// Limit caps how many pairs are leased.
	Limit int
	// Lease is how long the pairs are the caller's; it should exceed the
	// longest send, or a slow send is retried while still in flight.
	// Zero means DefaultLease.
	Lease time.Duration
}

// DefaultLease is the lease when a DueRequest names none.
const DefaultLease = 2 * time.Minute

// Pair is one alert×output leased to a dispatcher.
type Pair struct {
	// Alert is the alert with its deliveries as of the lease. The pairs
	// of one alert share it: treat it as read-only.
	Alert  *alert.Alert
	Output string
	// Attempt counts this attempt, 1 for the first.
	Attempt int
	// Token identifies the lease; results carry it back so that a result
	// from a lease that has since expired and been renewed is not taken
	// for the current one's.
	Token       int64
	LeasedUntil time.Time
}

// Result is the outcome kind of one attempt.
type Result int

// The results of an attempt.
const (
	// Sent: the output acknowledged the alert. Recorded even from an
	// expired lease, because the alert was delivered whoever's lease it was.
	Sent Result = iota + 1
	// Retry: try again at NextAttempt, or give up if the attempt budget is
	// spent. Ignored from an expired lease.
	Retry
	// GiveUp: the attempt can never pass (bad credentials, rejected body).
	// Ignored from an expired lease.
	GiveUp
	// Release: the pair was leased but not attempted (its output was busy):
	// the lease ends, the pair is due at NextAttempt, and the attempt the
	// lease counted is given back, so waiting never spends the budget.
	// Ignored from an expired lease.
	Release
)

func (r Result) String() string {
	switch r {
	case Sent:
		return "sent"
	case Retry:
		return "retry"
	case GiveUp:
		return "give up"
	case Release:
		return "release"
	}
	return "unknown"
}

// Outcome is the result of one attempt at one pair. Build it with the Pair
// methods, which copy the lease token.
type Outcome struct {
	AlertID string
	Output  string
	Token   int64
	Result  Result
	// At is when the attempt ended; for Sent it is the sent time.
	At time.Time
	// Error says why the attempt failed.
	Error string
	// NextAttempt is when to try again, for Retry; zero means at once.
	// The caller computes the backoff (honouring the output's Retry-After).
	NextAttempt time.Time
}

// Sent reports that the output acknowledged the alert.
func (p Pair) Sent(at time.Time) Outcome {
	return Outcome{AlertID: p.Alert.ID, Output: p.Output, Token: p.Token, Result: Sent, At: at}
}

// Retry reports a failure worth retrying at next.
func (p Pair) Retry(at, next time.Time, reason string) Outcome {
	return Outcome{AlertID: p.Alert.ID, Output: p.Output, Token: p.Token, Result: Retry, At: at,
		NextAttempt: next, Error: reason}
}

// Release hands back a pair that was not attempted, due again at next.
func (p Pair) Release(at, next time.Time, reason string) Outcome {
	return Outcome{AlertID: p.Alert.ID, Output: p.Output, Token: p.Token, Result: Release, At: at,
		NextAttempt: next, Error: reason}
}

// GiveUp reports a failure that retrying cannot fix.
func (p Pair) GiveUp(at time.Time, reason string) Outcome {
	return Outcome{AlertID: p.Alert.ID, Output: p.Output, Token: p.Token, Result: GiveUp, At: at, Error: reason}
}

// Status selects alerts by state in a Filter.
type Status string

// The statuses a Filter can select. The first four are [alert.State]s;
// staged is the rule's staging flag, whatever the state.
const (
	StatusPending   Status = Status(alert.StatePending)
	StatusDelivered Status = Status(alert.StateDelivered)
	StatusFailed    Status = Status(alert.StateFailed)
	StatusMerged    Status = Status(alert.StateMerged)
	StatusStaged    Status = "staged"
)

// Filter selects alerts; empty fields select everything.
type Filter struct {
	IDs  []string
	Rule string
	// Since and Until bound the created time: Since <= created < Until.
	Since, Until time.Time
	Status       Status
	// Text matches, case-insensitively for ASCII, anywhere in the alert's
	// JSON payload: rule name and description, record, context, outputs.
	Text string
}

// ListRequest asks for a page of alerts.
type ListRequest struct {
	Filter
	// Limit is the page size; zero means 100.
	Limit int
	// Cursor continues from a previous page's Next.
	Cursor string
}

// ListResponse is one page of alerts, newest first.
type ListResponse struct {
	Alerts []*alert.Alert
	// Next continues the listing; empty on the last page.
	Next string
}

// RetryRequest selects failed pairs to try again.
type RetryRequest struct {
	Filter
	// Output limits the reset to one output; empty means all.
	Output string
	// Now is when the pairs become due.
	Now time.Time
}

// PruneRequest selects alerts to delete.
type PruneRequest struct {
	// Before deletes alerts created before this time that are done.
	Before time.Time
	// Failed also deletes alerts with failed outputs, which are otherwise
	// kept for an operator to retry.
	Failed bool
}
