package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

var now = T0.Add(time.Hour)

var queueTests = map[string]func(*testing.T, store.Store){
	"due leases each pair once until the lease ends": func(t *testing.T, st store.Store) {
		a := insert(t, st, spec{outputs: []string{"a:x", "b:x"}})[0]
		ps := due(t, st, now, 10)
		if len(ps) != 2 || ps[0].Attempt != 1 || ps[0].Alert.ID != a.ID || !ps[0].LeasedUntil.Equal(now.Add(time.Minute)) {
			t.Fatalf("Due = %s", dump(ps))
		}
		if d, _ := ps[0].Alert.Delivery(ps[0].Output); d.Attempts != 1 || !d.LastAttempt.Equal(now) {
			t.Errorf("pair's alert does not show the lease: %+v", d)
		}
		if ps := due(t, st, now.Add(time.Minute-time.Microsecond), 10); len(ps) != 0 {
			t.Fatalf("leased pairs handed out again: %s", dump(ps))
		}
		again := due(t, st, now.Add(time.Minute), 10)
		if len(again) != 2 || again[0].Attempt != 2 || again[0].Token == ps[0].Token {
			t.Fatalf("after the lease ended, Due = %s", dump(again))
		}
	},
	"concurrent due never hands out a pair twice": func(t *testing.T, st store.Store) {
		var specs []spec
		for i := range 60 {
			specs = append(specs, spec{outputs: []string{"a:x", "b:x", "c:x"}, at: time.Duration(i)})
		}
		insert(t, st, specs...)
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for {
					ps, err := st.Due(ctx, store.DueRequest{Now: now, Limit: 7, Lease: time.Hour})
					if err != nil {
						t.Errorf("Due: %v", err)
						return
					}
					if len(ps) == 0 {
						return
					}
					mu.Lock()
					for _, p := range ps {
						seen[key(p)]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 180 {
			t.Errorf("leased %d distinct pairs, want 180", len(seen))
		}
		for k, n := range seen {
			if n > 1 {
				t.Errorf("pair %s leased %d times", k, n)
			}
		}
	},
	"sent is never undone": func(t *testing.T, st store.Store) {
		insert(t, st, spec{outputs: []string{"a:x"}})
		p := due(t, st, now, 1)[0]
		record(t, st, p.Sent(now.Add(time.Second)))
		record(t, st, p.Sent(now.Add(time.Hour)), p.Retry(now, now, "late"), p.GiveUp(now, "later"))
		d := delivery(t, st, p.Alert.ID, p.Output)
		if d.Status != alert.Sent || !d.SentAt.Equal(now.Add(time.Second)) || !d.LeasedUntil.IsZero() {
			t.Errorf("delivery = %+v, want sent at the first success", d)
		}
		if ps := due(t, st, now.Add(24*time.Hour), 10); len(ps) != 0 {
			t.Errorf("a sent pair is due again: %s", dump(ps))
		}
		if a := get(t, st, p.Alert.ID); a.State() != alert.StateDelivered || !a.Done() {
			t.Errorf("state %s, done %v", a.State(), a.Done())
		}
	},
	"a success from an expired lease still counts; its failures do not": func(t *testing.T, st store.Store) {
		insert(t, st, spec{outputs: []string{"a:x", "b:x"}})
		old := due(t, st, now, 10)
		renewed := due(t, st, now.Add(time.Minute), 10) // the first leases ran out
		record(t, st, old[1].Retry(now, now, "stale"))
		d := delivery(t, st, old[1].Alert.ID, old[1].Output)
		if d.Error != "" || !d.LeasedUntil.Equal(renewed[1].LeasedUntil) {
			t.Errorf("a stale failure changed the pair: %+v", d)
		}
		record(t, st, old[0].Sent(now.Add(time.Second)))
		record(t, st, renewed[0].Retry(now, now, "too late"))
		if d := delivery(t, st, old[0].Alert.ID, old[0].Output); d.Status != alert.Sent {
			t.Errorf("stale success not recorded, or undone: %+v", d)
		}
	},
	"retry honours the next attempt time": func(t *testing.T, st store.Store) {
		insert(t, st, spec{outputs: []string{"a:x"}})
		p := due(t, st, now, 1)[0]
		record(t, st, p.Retry(now, now.Add(10*time.Second), "503"))
		d := delivery(t, st, p.Alert.ID, p.Output)
		if d.Status != alert.Pending || d.Error != "503" || !d.NextAttempt.Equal(now.Add(10*time.Second)) || !d.LeasedUntil.IsZero() {
			t.Errorf("delivery after Retry = %+v", d)
		}
		if ps := due(t, st, now.Add(9*time.Second), 1); len(ps) != 0 {
			t.Error("due before its next attempt time")
		}
		if ps := due(t, st, now.Add(10*time.Second), 1); len(ps) != 1 || ps[0].Attempt != 2 {
			t.Errorf("not due at its next attempt time: %s", dump(ps))
		}
	},
	"the attempt budget fails the pair until an operator retries it": func(t *testing.T, st store.Store) {
		a := insert(t, st, spec{outputs: []string{"a:x"}})[0]
		for i := range Budget {
			ps := due(t, st, now, 1)
			if len(ps) != 1 || ps[0].Attempt != i+1 {
				t.Fatalf("attempt %d: Due = %s", i+1, dump(ps))
			}
			record(t, st, ps[0].Retry(now, now, "boom"))
		}
		d := delivery(t, st, a.ID, "a:x")
		if d.Status != alert.Failed || !strings.Contains(d.Error, "attempt budget of 3 exhausted") || !strings.Contains(d.Error, "boom") {
			t.Fatalf("after the budget: %+v", d)
		}
		if ps := due(t, st, now.Add(time.Hour), 1); len(ps) != 0 {
			t.Fatal("a failed pair is due")
		}
		n, err := st.Retry(ctx, store.RetryRequest{Filter: store.Filter{IDs: []string{a.ID}}, Now: now})
		if err != nil || n != 1 {
			t.Fatalf("Retry = %d, %v", n, err)
		}
		if ps := due(t, st, now, 1); len(ps) != 1 || ps[0].Attempt != 1 {
			t.Fatalf("after Retry, Due = %s", dump(ps))
		}
	},
	"leases that run out spend the budget too": func(t *testing.T, st store.Store) {
		a := insert(t, st, spec{outputs: []string{"a:x"}})[0]
		at := now
		for range Budget {
			if ps := due(t, st, at, 1); len(ps) != 1 {
				t.Fatalf("Due = %s", dump(ps))
			}
			at = at.Add(time.Minute) // killed mid-send: no result, the lease runs out
		}
		if ps := due(t, st, at, 1); len(ps) != 0 {
			t.Fatalf("leased past the budget: %s", dump(ps))
		}
		if d := delivery(t, st, a.ID, "a:x"); d.Status != alert.Failed || !strings.Contains(d.Error, "never reported back") {
			t.Errorf("delivery = %+v", d)
		}
	},
	"give up fails at once; retry can pick one output": func(t *testing.T, st store.Store) {
		a := insert(t, st, spec{outputs: []string{"a:x", "b:x"}})[0]
		ps := due(t, st, now, 2)
		record(t, st, ps[0].GiveUp(now, "401 bad credentials"), ps[1].GiveUp(now, ""))
		got := get(t, st, a.ID)
		if got.State() != alert.StateFailed || got.Deliveries[0].Error != "401 bad credentials" || got.Deliveries[1].Error == "" {
			t.Fatalf("after GiveUp: %s", dump(got))
		}
		n, err := st.Retry(ctx, store.RetryRequest{Output: "b:x", Now: now})
		if err != nil || n != 1 {
			t.Fatalf("Retry = %d, %v", n, err)
		}
		if ps := due(t, st, now, 5); len(ps) != 1 || ps[0].Output != "b:x" {
			t.Errorf("Due = %s", dump(ps))
		}
	},
	"held outputs are not due": func(t *testing.T, st store.Store) {
		insert(t, st, spec{outputs: []string{"slack:soc"}, required: []string{"firehose:alerts"}, mergeBy: []string{"user"}})
		ps := due(t, st, now, 10)
		if len(ps) != 1 || ps[0].Output != "firehose:alerts" {
			t.Errorf("Due = %s, want only the required output", dump(ps))
		}
	},
	"bad requests": func(t *testing.T, st store.Store) {
		_, err := st.Due(ctx, store.DueRequest{Now: now})
		wantErr(t, err, store.ErrInvalid)
		wantErr(t, st.Record(ctx, store.Outcome{AlertID: "x", Output: "a:x"}), store.ErrInvalid)
		// An outcome for a pair the store does not hold (pruned meanwhile) is not an error.
		if err := st.Record(ctx, store.Outcome{AlertID: "x", Output: "a:x", Result: store.Sent, At: now}); err != nil {
			t.Errorf("Record of an unknown pair: %v", err)
		}
	},
}
