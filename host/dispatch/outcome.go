package dispatch

import (
	"fmt"
	"time"

	"github.com/streamalert-go/sa/host/store"
)

// finish turns a verdict into the job's outcome under its newest lease,
// releases the job and passes the outcome to the recorder.
func (d *Dispatcher) finish(j *job, v verdict) {
	now := d.opts.Now()
	d.mu.Lock()
	p := j.pair
	k := keyOf(p)
	delete(d.active, k)
	full := d.held >= d.opts.MaxHeld
	d.held--
	if v.status == Delivered {
		d.ack(k)
		delete(d.reported, p.Output)
	}
	report := v.config && !d.reported[p.Output]
	if report {
		d.reported[p.Output] = true
	}
	d.mu.Unlock()
	if full {
		d.Wake() // the lease loop waits for room
	}
	d.logVerdict(p, v, report)
	if !v.again {
		d.deps.Observer.OnResult(p.Output, v.status, v.latency)
	}
	d.rec.add(d.outcome(p, v, now))
}

// outcome is the store's record of a verdict.
func (d *Dispatcher) outcome(p store.Pair, v verdict, now time.Time) store.Outcome {
	switch v.status {
	case Delivered:
		return p.Sent(now)
	case Failed:
		return p.GiveUp(now, v.reason)
	case Deferred:
		return p.Release(now, now.Add(v.retryAfter), v.reason)
	}
	if v.now {
		return p.Retry(now, now, v.reason)
	}
	return p.Retry(now, now.Add(d.backoff(p.Attempt, v.retryAfter)), v.reason)
}

// handBack returns a pair the dispatcher will not attempt to the store,
// due again after wait.
func (d *Dispatcher) handBack(p store.Pair, wait time.Duration, format string, args ...any) {
	now := d.opts.Now()
	d.deps.Observer.OnResult(p.Output, Deferred, 0)
	d.rec.add(p.Release(now, now.Add(wait), fmt.Sprintf(format, args...)))
}

// backoff is the wait before the next attempt after attempt number n
// failed: full jitter over BackoffBase·2^(n-1), at least retryAfter, at
// most BackoffMax.
func (d *Dispatcher) backoff(n int, retryAfter time.Duration) time.Duration {
	ceiling := d.opts.BackoffMax
	if n >= 1 && n < 40 {
		ceiling = min(d.opts.BackoffBase<<(n-1), d.opts.BackoffMax)
	}
	return min(max(d.opts.Jitter(ceiling), retryAfter), d.opts.BackoffMax)
}

func (d *Dispatcher) logVerdict(p store.Pair, v verdict, report bool) {
	args := []any{"alert", p.Alert.ID, "rule", p.Alert.RuleName, "output", p.Output, "attempt", p.Attempt}
	switch {
	case report:
		d.log.Error("output is misconfigured; its alerts are failed until it is fixed and `sa alerts retry` is run",
			append(args, "error", v.reason)...)
	case v.config:
		d.log.Debug("alert failed: output misconfigured", append(args, "error", v.reason)...)
	case v.status == Delivered:
		d.log.Debug("alert delivered", append(args, "took", v.latency)...)
	case v.status == Failed:
		d.log.Warn("output refused alert; not retried", append(args, "error", v.reason)...)
	case v.status == Retrying:
		d.log.Info("alert not delivered; will retry", append(args, "error", v.reason)...)
	default:
		d.log.Debug("alert handed back", append(args, "reason", v.reason)...)
	}
}
