package dispatch

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/secrets/secrettest"
)

// TestDelivers: every alert reaches every output once, with the default
// publication as the body, and the pairs are recorded sent in few batches.
func TestDelivers(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	a, b := newReceiver(t, replyOK), newReceiver(t, replyOK)
	e.addWebhook("a", a)
	e.addWebhook("b", b)
	outs := []string{"webhook:a", "webhook:b"}
	as := e.insert(outs, nil, 20)
	deps := e.deps()
	q := &countingQueue{Queue: e.store}
	deps.Queue = q
	e.start(deps, e.options())
	for _, o := range outs {
		e.waitStatus(as, o, alert.Sent)
	}
	for name, rc := range map[string]*receiver{"a": a, "b": b} {
		reqs, ok := rc.counts()
		for _, al := range as {
			if reqs[al.ID] != 1 || ok[al.ID] != 1 {
				t.Errorf("output %s got alert %s %d times, want once", name, al.ID, reqs[al.ID])
			}
		}
	}
	var pub map[string]any
	if err := json.Unmarshal(a.body(as[0].ID), &pub); err != nil {
		t.Fatal(err)
	}
	if pub["id"] != as[0].ID || pub["rule_name"] != "test_rule" || pub["deliveries"] != nil || len(pub) != 14 {
		t.Errorf("publication is not the default one: %v", pub)
	}
	if n := q.records.Load(); n > 20 {
		t.Errorf("%d Record calls for 40 outcomes: outcomes are not batched", n)
	}
	secrettest.AssertNoLeak(t, []string{a.URL + "/hook/a", b.URL + "/hook/b"}, e.logs.String())
}

// TestPublishers: the alert's publishers shape what the output receives.
func TestPublishers(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	rc := newReceiver(t, replyOK)
	e.addWebhook("soc", rc)
	as := e.insert([]string{"webhook:soc"}, map[string][]string{"webhook:soc": {"add_record", "enumerate_fields"}}, 1)
	e.start(e.deps(), e.options())
	e.waitStatus(as, "webhook:soc", alert.Sent)
	if got, want := string(rc.body(as[0].ID)), `{"record.n":0,"record.user":"alice"}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

// TestRetryThenDeliver: a 503 is retried after the backoff and the alert is
// delivered exactly once.
func TestRetryThenDeliver(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	rc := newReceiver(t, func(_ http.ResponseWriter, _ *http.Request, n int) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	e.addWebhook("soc", rc)
	as := e.insert([]string{"webhook:soc"}, nil, 3)
	d, _ := e.start(e.deps(), e.options())
	waitFor(t, "first attempts recorded", func() bool {
		for _, a := range as {
			if dl := e.delivery(a, "webhook:soc"); dl.Attempts != 1 || !dl.LeasedUntil.IsZero() || dl.Error == "" {
				return false
			}
		}
		return true
	})
	dl := e.delivery(as[0], "webhook:soc")
	if dl.Status != alert.Pending || !strings.Contains(dl.Error, "HTTP 503") || !dl.NextAttempt.Equal(T0.Add(5*time.Second)) {
		t.Fatalf("after a 503: %+v; want pending, the error, and the next attempt after the first backoff (5s)", dl)
	}
	e.clock.Advance(6 * time.Second)
	d.Wake()
	e.waitStatus(as, "webhook:soc", alert.Sent)
	reqs, ok := rc.counts()
	for _, a := range as {
		if reqs[a.ID] != 2 || ok[a.ID] != 1 {
			t.Errorf("alert %s: %d requests, %d delivered; want 2 and 1", a.ID, reqs[a.ID], ok[a.ID])
		}
	}
}

// TestRetryAfter: a 429's Retry-After beats a shorter backoff, and nothing
// is sent before it.
func TestRetryAfter(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, n int) int {
		if n == 1 {
			w.Header().Set("Retry-After", "120")
			return http.StatusTooManyRequests
		}
		return http.StatusOK
	})
	e.addWebhook("soc", rc)
	as := e.insert([]string{"webhook:soc"}, nil, 1)
	d, _ := e.start(e.deps(), e.options())
	waitFor(t, "the 429 recorded", func() bool { return e.delivery(as[0], "webhook:soc").Error != "" })
	if dl := e.delivery(as[0], "webhook:soc"); !dl.NextAttempt.Equal(T0.Add(120 * time.Second)) {
		t.Fatalf("next attempt %s, want Retry-After's %s", dl.NextAttempt, T0.Add(120*time.Second))
	}
	e.clock.Advance(119 * time.Second)
	d.Wake()
	time.Sleep(100 * time.Millisecond) // several polls
	if reqs, _ := rc.counts(); reqs[as[0].ID] != 1 {
		t.Fatalf("sent again before Retry-After: %d requests", reqs[as[0].ID])
	}
	e.clock.Advance(2 * time.Second)
	d.Wake()
	e.waitStatus(as, "webhook:soc", alert.Sent)
}

// TestPermanentFailure: a 400 fails the pair at once with the reason, and
// it is never tried again.
func TestPermanentFailure(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	rc := newReceiver(t, func(http.ResponseWriter, *http.Request, int) int { return http.StatusBadRequest })
	e.addWebhook("soc", rc)
	as := e.insert([]string{"webhook:soc"}, nil, 1)
	d, _ := e.start(e.deps(), e.options())
	e.waitStatus(as, "webhook:soc", alert.Failed)
	if dl := e.delivery(as[0], "webhook:soc"); !strings.Contains(dl.Error, "HTTP 400") || dl.Attempts != 1 {
		t.Errorf("failed pair: %+v; want the HTTP 400 after one attempt", dl)
	}
	e.clock.Advance(24 * time.Hour)
	d.Wake()
	time.Sleep(100 * time.Millisecond)
	if reqs, _ := rc.counts(); reqs[as[0].ID] != 1 {
		t.Errorf("%d requests, want 1", reqs[as[0].ID])
	}
}

// TestAcknowledgedNeverResent: the output acknowledges, the outcome's
// commit is late, the lease runs out and the pair is leased again: it is
// recorded as sent without a second delivery.
func TestAcknowledgedNeverResent(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	rc := newReceiver(t, replyOK)
	e.addWebhook("soc", rc)
	as := e.insert([]string{"webhook:soc"}, nil, 1)
	gate := make(chan struct{})
	q := &countingQueue{Queue: e.store}
	q.gate.Store(&gate)
	deps := e.deps()
	deps.Queue = q
	opts := e.options()
	d, _ := e.start(deps, opts)
	waitFor(t, "delivery", func() bool { _, ok := rc.counts(); return ok[as[0].ID] == 1 })
	// The Sent outcome is held at the store's door; the lease ends.
	e.clock.Advance(opts.withDefaults().Lease + time.Second)
	dues := q.dues.Load()
	d.Wake()
	waitFor(t, "the pair leased again", func() bool {
		dl := e.delivery(as[0], "webhook:soc")
		return q.dues.Load() > dues+1 && dl.Attempts == 2
	})
	close(gate)
	e.waitStatus(as, "webhook:soc", alert.Sent)
	time.Sleep(50 * time.Millisecond)
	if reqs, _ := rc.counts(); reqs[as[0].ID] != 1 {
		t.Errorf("an acknowledged alert was sent %d times", reqs[as[0].ID])
	}
}

// TestSlowOutputDoesNotDelayOthers: while one output hangs on every
// request, another gets every alert; the hanging one has at most
// PerOutput sends in flight; once it answers it gets every alert too.
func TestSlowOutputDoesNotDelayOthers(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	release := make(chan struct{})
	var inFlight, most atomic.Int32
	slow := newReceiver(t, func(_ http.ResponseWriter, r *http.Request, _ int) int {
		n := inFlight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		inFlight.Add(-1)
		return http.StatusOK
	})
	fast := newReceiver(t, replyOK)
	e.addWebhook("slow", slow)
	e.addWebhook("fast", fast)
	as := e.insert([]string{"webhook:fast", "webhook:slow"}, nil, 30)
	e.start(e.deps(), e.options())
	e.waitStatus(as, "webhook:fast", alert.Sent)
	waitFor(t, "the slow output's slots to fill", func() bool { return inFlight.Load() == 4 })
	if _, ok := slow.counts(); len(ok) != 0 {
		t.Fatalf("the slow output answered before it was released")
	}
	close(release)
	e.waitStatus(as, "webhook:slow", alert.Sent)
	if m := most.Load(); m > 4 {
		t.Errorf("%d sends in flight to one output, want at most 4", m)
	}
}

// TestUnknownOutputs: an output not configured and one whose plugin is not
// installed fail their pairs with the reason, are reported once each, and
// are not retried.
func TestUnknownOutputs(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	rc := newReceiver(t, replyOK)
	e.addWebhook("soc", rc)
	e.settings["nosuch:x"] = map[string]any{}
	as := e.insert([]string{"nosuch:x", "webhook:nowhere", "webhook:soc"}, nil, 5)
	e.start(e.deps(), e.options())
	e.waitStatus(as, "webhook:soc", alert.Sent)
	e.waitStatus(as, "webhook:nowhere", alert.Failed)
	e.waitStatus(as, "nosuch:x", alert.Failed)
	if dl := e.delivery(as[0], "webhook:nowhere"); !strings.Contains(dl.Error, "webhook:nowhere is not configured") {
		t.Errorf("error %q", dl.Error)
	}
	if dl := e.delivery(as[0], "nosuch:x"); !strings.Contains(dl.Error, "output.nosuch") || !strings.Contains(dl.Error, "not installed") {
		t.Errorf("error %q", dl.Error)
	}
	logs := e.logs.String()
	for _, o := range []string{"webhook:nowhere", "nosuch:x"} {
		if n := countLines(logs, "level=ERROR", "output="+o); n != 1 {
			t.Errorf("output %s reported %d times at error level, want once", o, n)
		}
	}
}

func countLines(text string, all ...string) int {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		ok := true
		for _, s := range all {
			ok = ok && strings.Contains(line, s)
		}
		if ok {
			n++
		}
	}
	return n
}

// TestGracefulShutdown: stopping hands queued pairs back due at once and
// cuts sends that outlive the drain timeout; nothing is failed, and a new
// dispatcher delivers everything.
func TestGracefulShutdown(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	var hang atomic.Bool
	hang.Store(true)
	rc := newReceiver(t, func(_ http.ResponseWriter, r *http.Request, _ int) int {
		if hang.Load() {
			<-r.Context().Done()
		}
		return http.StatusOK
	})
	e.addWebhook("soc", rc)
	as := e.insert([]string{"webhook:soc"}, nil, 10)
	opts := e.options()
	opts.DrainTimeout = 100 * time.Millisecond
	_, stop := e.start(e.deps(), opts)
	waitFor(t, "sends in flight", func() bool { reqs, _ := rc.counts(); return len(reqs) == 4 })
	start := time.Now()
	stop()
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("shutdown took %s", took)
	}
	interrupted := 0
	for _, a := range as {
		dl := e.delivery(a, "webhook:soc")
		if dl.Status != alert.Pending || !dl.NextAttempt.Equal(T0) || !dl.LeasedUntil.IsZero() {
			t.Errorf("after shutdown: %+v; want pending, due at once, not leased", dl)
		}
		if strings.Contains(dl.Error, "interrupted") {
			interrupted++
		}
	}
	if interrupted != 4 {
		t.Errorf("%d sends recorded as interrupted, want the 4 in flight", interrupted)
	}
	hang.Store(false)
	e.start(e.deps(), e.options())
	e.waitStatus(as, "webhook:soc", alert.Sent)
}
