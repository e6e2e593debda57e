package alert

import (
	"slices"
	"time"
)

// Status is where one alert×output pair stands.
type Status string

// The delivery statuses. Sent, Failed and Merged are terminal until an
// operator retries a failed pair; a pair is never moved out of Sent, so an
// output that acknowledged an alert is never sent it again.
const (
	// Pending pairs are sent once NextAttempt has passed.
	Pending Status = "pending"
	// Held pairs wait for the alert to be merged; they are not sent.
	Held Status = "held"
	// Sent pairs were acknowledged by the output.
	Sent Status = "sent"
	// Failed pairs were given up on; Error says why.
	Failed Status = "failed"
	// Merged pairs were held and then handed to the merged alert.
	Merged Status = "merged"
)

func (s Status) valid() bool {
	switch s {
	case Pending, Held, Sent, Failed, Merged:
		return true
	}
	return false
}

// Delivery is the state of one output of an alert.
type Delivery struct {
	Output   string
	Status   Status
	Attempts int
	// LastAttempt is when the last attempt started (StreamAlert's
	// Dispatched, kept per output).
	LastAttempt time.Time
	// NextAttempt is the earliest time of the next attempt; the caller
	// computes the backoff. Zero means at once.
	NextAttempt time.Time
	// LeasedUntil is set while an attempt is in flight: no other
	// dispatcher takes the pair before then, and after then it is due
	// again, which is how a send cut short by a crash gets retried.
	LeasedUntil time.Time
	SentAt      time.Time
	// Error is the last failure, or why the pair was given up.
	Error string
}

// State sums up an alert's deliveries for listing and filtering.
type State string

// The alert states, in the order [Alert.State] checks them: an alert with any
// failed output is failed even while others are pending, because that is the
// alert an operator has to look at.
const (
	StateFailed    State = "failed"
	StatePending   State = "pending"
	StateMerged    State = "merged"
	StateDelivered State = "delivered"
)

// State reports failed if any output failed, pending if any is still to be
// sent or held for merging, merged if a merged alert replaced this one, and
// delivered otherwise (including an alert with no outputs).
func (a *Alert) State() State {
	if a.has(Failed) {
		return StateFailed
	}
	if a.has(Pending) || a.has(Held) {
		return StatePending
	}
	if a.MergedInto != "" {
		return StateMerged
	}
	return StateDelivered
}

// Done reports whether nothing is left to do: every output is sent, failed
// or handed to a merged alert.
func (a *Alert) Done() bool {
	return !a.has(Pending) && !a.has(Held)
}

func (a *Alert) has(s Status) bool {
	return slices.ContainsFunc(a.Deliveries, func(d Delivery) bool { return d.Status == s })
}

// RemainingOutputs lists the outputs still to be sent: StreamAlert's
// remaining_outputs (for an alert waiting to be merged only the required
// outputs, minus outputs_sent), without the outputs given up on.
func (a *Alert) RemainingOutputs() []string {
	return a.outputsWith(Pending)
}

// OutputsSent lists the outputs that acknowledged the alert.
func (a *Alert) OutputsSent() []string {
	return a.outputsWith(Sent)
}

func (a *Alert) outputsWith(s Status) []string {
	var out []string
	for _, d := range a.Deliveries {
		if d.Status == s {
			out = append(out, d.Output)
		}
	}
	return out
}

// Delivery returns the state of one output.
func (a *Alert) Delivery(output string) (Delivery, bool) {
	i := slices.IndexFunc(a.Deliveries, func(d Delivery) bool { return d.Output == output })
	if i < 0 {
		return Delivery{}, false
	}
	return a.Deliveries[i], true
}

// Attempts is the most attempts any output took: StreamAlert's alert-level
// Attempts, which counted dispatches of the whole alert.
func (a *Alert) Attempts() int {
	n := 0
	for _, d := range a.Deliveries {
		n = max(n, d.Attempts)
	}
	return n
}

// Dispatched is the start of the latest attempt of any output, zero if none.
func (a *Alert) Dispatched() time.Time {
	var t time.Time
	for _, d := range a.Deliveries {
		if d.LastAttempt.After(t) {
			t = d.LastAttempt
		}
	}
	return t
}
