package dispatch

import (
	"context"
	"time"

	"github.com/streamalert-go/sa/host/store"
)

// pairKey names an alert×output pair across leases.
type pairKey struct{ alertID, output string }

func keyOf(p store.Pair) pairKey { return pairKey{p.Alert.ID, p.Output} }

// job is one leased pair in a lane. pair is replaced when the same pair is
// leased again while the job is still held, so its outcome is recorded
// under the newest lease.
type job struct {
	pair store.Pair
}

// leaseLoop leases due pairs and hands them to their lanes until ctx ends:
// at once again while leases come back full, else after Poll or a Wake.
func (d *Dispatcher) leaseLoop(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		n, err := d.leaseOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			d.log.Error("cannot lease due alerts; retrying", "error", err.Error(), "failures", failures)
		case err == nil:
			failures = 0
		}
		if err == nil && n > 0 {
			continue // a full lease: more may be due
		}
		d.sleep(ctx, d.opts.Poll<<min(failures, 5))
	}
}

// leaseOnce takes one batch of due pairs and admits them. It returns how
// many it asked for (0 when the dispatcher holds all it may).
func (d *Dispatcher) leaseOnce(ctx context.Context) (int, error) {
	n := d.room(d.opts.Batch)
	if n == 0 {
		return 0, nil
	}
	d.mu.Lock()
	d.dueCalls++
	call := d.dueCalls
	d.mu.Unlock()
	pairs, err := d.deps.Queue.Due(ctx, store.DueRequest{Now: d.opts.Now(), Limit: n, Lease: d.opts.Lease})
	if err != nil {
		return n, err
	}
	for _, p := range pairs {
		d.admit(p)
	}
	d.forgetAcked(call)
	if len(pairs) < n {
		return 0, nil
	}
	return n, nil
}

// room is how many more pairs the dispatcher may hold, at most want.
func (d *Dispatcher) room(want int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return max(0, min(want, d.opts.MaxHeld-d.held))
}

func (d *Dispatcher) sleep(ctx context.Context, dur time.Duration) {
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-d.wake:
	case <-t.C:
	}
}

// admit hands a leased pair to its lane, or back to the store when the
// lane cannot start it before its lease ends.
func (d *Dispatcher) admit(p store.Pair) {
	k := keyOf(p)
	d.mu.Lock()
	if j, ok := d.active[k]; ok {
		j.pair = p // leased again while still in hand: keep one attempt
		d.mu.Unlock()
		return
	}
	l := d.laneOf(p.Output)
	if len(l.queue) >= l.capacity(d.opts) {
		wait := l.backlogWait(d.opts)
		d.mu.Unlock()
		d.handBack(p, wait, "not attempted: output %s is busy", p.Output)
		return
	}
	j := &job{pair: p}
	d.active[k] = j
	d.held++
	l.queue = append(l.queue, j)
	if l.running < d.opts.PerOutput {
		l.running++
		d.work.Add(1)
		go d.runLane(l)
	}
	d.mu.Unlock()
}

// ack remembers a delivered pair until no lease taken before its outcome
// was committed can still be admitted: -1 until committed, then the number
// of Due calls started by the commit. A later lease of it is then
// recorded as sent without a send.
func (d *Dispatcher) ack(k pairKey) { d.acked[k] = -1 }

// committed is the recorder's report that outcomes are durable.
func (d *Dispatcher) committed(outcomes []store.Outcome) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, o := range outcomes {
		k := pairKey{o.AlertID, o.Output}
		if o.Result == store.Sent && d.acked[k] == -1 {
			d.acked[k] = d.dueCalls
		}
	}
}

// forgetAcked drops the delivered pairs committed before Due call number
// call started: that call and every later one see them as sent, and the
// earlier calls have all been admitted.
func (d *Dispatcher) forgetAcked(call int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, at := range d.acked {
		if at >= 0 && at < call {
			delete(d.acked, k)
		}
	}
}
