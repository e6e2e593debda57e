package dispatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/publish"
	"github.com/streamalert-go/sa/host/store"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// fakeSender answers sends with a function.
type fakeSender struct {
	send func(ctx context.Context, name, instance string) (saplugin.SendResult, error)
}

func (f fakeSender) Send(ctx context.Context, name, instance string, _, _ []byte) (saplugin.SendResult, error) {
	return f.send(ctx, name, instance)
}

// fakeInstances knows every output unless told otherwise.
type fakeInstances struct{ err error }

func (f fakeInstances) Ensure(string, string) error { return f.err }

// fakeComposer fails when err is set.
type fakeComposer struct{ err error }

func (f fakeComposer) Compose(*alert.Alert, string) ([]byte, error) { return []byte(`{}`), f.err }

// recordingObserver keeps what it was told.
type recordingObserver struct {
	mu   sync.Mutex
	seen []string
}

func (o *recordingObserver) OnResult(output string, st Status, latency time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, fmt.Sprintf("%s %s %v", output, st, latency > 0))
}

// TestClassify: every kind of answer and failure becomes the right outcome.
func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		send      func(ctx context.Context) (saplugin.SendResult, error)
		instances error
		compose   error
		status    alert.Status
		err       string
		next      time.Duration // after T0, for pending pairs
		observed  string
	}{
		{name: "delivered", send: answer(saplugin.Delivered, ""), status: alert.Sent, observed: "delivered true"},
		{name: "retryable", send: answer(saplugin.Retryable, "HTTP 502"), status: alert.Pending, err: "HTTP 502", next: 5 * time.Second, observed: "retry true"},
		{name: "permanent", send: answer(saplugin.Permanent, "HTTP 403: forbidden"), status: alert.Failed, err: "HTTP 403: forbidden", observed: "failed true"},
		{name: "plugin crashed", send: fail(&pluginhost.Error{Plugin: "output.x", Op: "send", Err: errors.New("process died"), Transient: true}),
			status: alert.Pending, err: "process died", next: 5 * time.Second, observed: "retry true"},
		{name: "plugin not installed", send: fail(&pluginhost.Error{Plugin: "output.x", Op: "start", Err: pluginhost.ErrNotInstalled}),
			status: alert.Failed, err: "plugin output.x is not installed", observed: "failed true"},
		{name: "configuration refused", send: fail(&pluginhost.Error{Plugin: "output.x", Op: "send", Err: errors.New("configuration rejected: url: required")}),
			status: alert.Failed, err: "configuration rejected", observed: "failed true"},
		{name: "no answer in time", send: func(ctx context.Context) (saplugin.SendResult, error) {
			<-ctx.Done()
			return saplugin.SendResult{}, &pluginhost.Error{Plugin: "output.x", Op: "send", Err: ctx.Err()}
		}, status: alert.Pending, err: "no answer within 50ms", next: 5 * time.Second, observed: "retry true"},
		{name: "unknown output", instances: fmt.Errorf("%w: x:y is not configured", ErrUnknownOutput),
			status: alert.Failed, err: "x:y is not configured", observed: "failed false"},
		{name: "publisher failed", compose: errors.New("publisher remove_fields: bad regexp"),
			status: alert.Failed, err: "publisher remove_fields", observed: "failed false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
			obs := &recordingObserver{}
			send := tt.send
			if send == nil {
				send = answer(saplugin.Delivered, "")
			}
			deps := Deps{Queue: e.store, Instances: fakeInstances{tt.instances}, Composer: fakeComposer{tt.compose}, Observer: obs,
				Sender: fakeSender{func(ctx context.Context, name, instance string) (saplugin.SendResult, error) {
					if name != "output.x" || instance != "y" {
						t.Errorf("sent to %s instance %s, want output.x instance y", name, instance)
					}
					return send(ctx)
				}}}
			opts := e.options()
			opts.SendTimeout = 50 * time.Millisecond
			as := e.insert([]string{"x:y"}, nil, 1)
			e.start(deps, opts)
			waitFor(t, "the outcome recorded", func() bool {
				dl := e.delivery(as[0], "x:y")
				return dl.Attempts == 1 && dl.LeasedUntil.IsZero()
			})
			dl := e.delivery(as[0], "x:y")
			if dl.Status != tt.status {
				t.Errorf("status %s, want %s", dl.Status, tt.status)
			}
			if !strings.Contains(dl.Error, tt.err) {
				t.Errorf("error %q, want %q", dl.Error, tt.err)
			}
			if tt.status == alert.Pending && !dl.NextAttempt.Equal(T0.Add(tt.next)) {
				t.Errorf("next attempt %s, want T0+%s", dl.NextAttempt, tt.next)
			}
			obs.mu.Lock()
			defer obs.mu.Unlock()
			if len(obs.seen) != 1 || obs.seen[0] != "x:y "+tt.observed {
				t.Errorf("observed %q, want [x:y %s]", obs.seen, tt.observed)
			}
		})
	}
}

func answer(st saplugin.SendStatus, msg string) func(context.Context) (saplugin.SendResult, error) {
	return func(context.Context) (saplugin.SendResult, error) {
		return saplugin.SendResult{Status: st, Message: msg}, nil
	}
}

func fail(err error) func(context.Context) (saplugin.SendResult, error) {
	return func(context.Context) (saplugin.SendResult, error) { return saplugin.SendResult{}, err }
}

// TestLeasedAgainInFlight: the lease of a pair runs out during its send and
// the pair is leased again; the send's result is recorded under the new
// lease (a retry after a 503 is not lost), and nothing is sent twice.
func TestLeasedAgainInFlight(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	started, release := make(chan struct{}), make(chan struct{})
	rc := newReceiver(t, func(_ http.ResponseWriter, _ *http.Request, n int) int {
		close(started)
		<-release
		return http.StatusServiceUnavailable
	})
	e.addWebhook("soc", rc)
	as := e.insert([]string{"webhook:soc"}, nil, 1)
	q := &countingQueue{Queue: e.store}
	deps := e.deps()
	deps.Queue = q
	opts := e.options()
	d, _ := e.start(deps, opts)
	<-started
	e.clock.Advance(opts.withDefaults().Lease + time.Second)
	d.Wake()
	waitFor(t, "the pair leased again", func() bool { return e.delivery(as[0], "webhook:soc").Attempts == 2 })
	close(release)
	waitFor(t, "the retry recorded", func() bool {
		dl := e.delivery(as[0], "webhook:soc")
		return dl.LeasedUntil.IsZero() && strings.Contains(dl.Error, "HTTP 503")
	})
	if reqs, _ := rc.counts(); reqs[as[0].ID] != 1 {
		t.Errorf("%d requests, want 1", reqs[as[0].ID])
	}
}

func TestBackoff(t *testing.T) {
	d := &Dispatcher{opts: Options{Jitter: func(d time.Duration) time.Duration { return d }}.withDefaults()}
	tests := []struct {
		attempt    int
		retryAfter time.Duration
		want       time.Duration
	}{
		{1, 0, 5 * time.Second}, {3, 0, 20 * time.Second}, {11, 0, time.Hour}, {100, 0, time.Hour},
		{1, 30 * time.Second, 30 * time.Second}, {3, time.Second, 20 * time.Second}, {1, 2 * time.Hour, time.Hour},
	}
	for _, tt := range tests {
		if got := d.backoff(tt.attempt, tt.retryAfter); got != tt.want {
			t.Errorf("backoff(%d, %s) = %s, want %s", tt.attempt, tt.retryAfter, got, tt.want)
		}
	}
	d.opts.Jitter = Options{}.withDefaults().Jitter
	for range 1000 {
		if got := d.backoff(4, 0); got < 0 || got > 40*time.Second {
			t.Fatalf("full jitter gave %s outside [0, 40s]", got)
		}
	}
}

func TestLaneCapacity(t *testing.T) {
	o := Options{}.withDefaults()
	for _, tt := range []struct {
		latency time.Duration
		want    int
	}{{0, 4096}, {time.Microsecond, 4096}, {time.Second, 360}, {30 * time.Second, 12}, {10 * time.Minute, 4}} {
		if got := (&lane{latency: tt.latency}).capacity(o); got != tt.want {
			t.Errorf("capacity at %s latency = %d, want %d", tt.latency, got, tt.want)
		}
	}
}

// TestHangingSendShrinksLane: a send in flight for long counts as the
// output's latency before it ends.
func TestHangingSendShrinksLane(t *testing.T) {
	o := Options{}.withDefaults()
	l := &lane{latency: time.Millisecond, sending: map[*job]time.Time{{}: time.Now().Add(-30 * time.Second)}}
	if got := l.capacity(o); got > 12 {
		t.Errorf("capacity with a send hanging 30s = %d, want at most 12", got)
	}
}

func TestNewRejectsShortLease(t *testing.T) {
	deps := Deps{Queue: &countingQueue{}, Sender: fakeSender{}, Instances: fakeInstances{}, Composer: publish.New(publish.Options{})}
	if _, err := New(deps, Options{SendTimeout: time.Minute, Lease: time.Minute}); err == nil {
		t.Error("New accepted a lease no longer than the send timeout")
	}
	if _, err := New(Deps{}, Options{}); err == nil {
		t.Error("New accepted missing collaborators")
	}
}

// flakyQueue fails Record while failing is set, and may shorten leases.
type flakyQueue struct {
	Queue
	failing atomic.Bool
	fails   atomic.Int64
	shorten time.Duration // when set, pairs come back leased for this long only
	now     func() time.Time
}

func (q *flakyQueue) Due(ctx context.Context, req store.DueRequest) ([]store.Pair, error) {
	pairs, err := q.Queue.Due(ctx, req)
	if q.shorten > 0 {
		for i := range pairs {
			pairs[i].LeasedUntil = q.now().Add(q.shorten)
		}
	}
	return pairs, err
}

func (q *flakyQueue) Record(ctx context.Context, outcomes ...store.Outcome) error {
	if q.failing.Load() {
		q.fails.Add(1)
		return store.Unavailable(errors.New("disk full"))
	}
	return q.Queue.Record(ctx, outcomes...)
}

// TestRecordRetried: outcomes the store cannot take are kept and retried
// until it can; the alert is not sent again meanwhile.
func TestRecordRetried(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	var sends atomic.Int64
	q := &flakyQueue{Queue: e.store}
	q.failing.Store(true)
	deps := Deps{Queue: q, Instances: fakeInstances{}, Composer: fakeComposer{},
		Sender: fakeSender{func(context.Context, string, string) (saplugin.SendResult, error) {
			sends.Add(1)
			return saplugin.SendResult{Status: saplugin.Delivered}, nil
		}}}
	as := e.insert([]string{"x:y"}, nil, 5)
	e.start(deps, e.options())
	waitFor(t, "failed commits", func() bool { return q.fails.Load() >= 3 })
	q.failing.Store(false)
	e.waitStatus(as, "x:y", alert.Sent)
	if n := sends.Load(); n != 5 {
		t.Errorf("%d sends for 5 alerts", n)
	}
}

// TestShutdownWithDeadStore: a store that stays down does not hold up
// shutdown past the drain timeout for long.
func TestShutdownWithDeadStore(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	q := &flakyQueue{Queue: e.store}
	deps := Deps{Queue: q, Instances: fakeInstances{}, Composer: fakeComposer{},
		Sender: fakeSender{func(context.Context, string, string) (saplugin.SendResult, error) {
			return saplugin.SendResult{Status: saplugin.Delivered}, nil
		}}}
	as := e.insert([]string{"x:y"}, nil, 1)
	opts := e.options()
	opts.DrainTimeout = 200 * time.Millisecond
	q.failing.Store(true)
	_, stop := e.start(deps, opts)
	waitFor(t, "a failed commit", func() bool { return q.fails.Load() >= 1 })
	start := time.Now()
	stop()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("shutdown took %s with the store down", took)
	}
	if dl := e.delivery(as[0], "x:y"); dl.Status != alert.Pending || dl.LeasedUntil.IsZero() {
		t.Errorf("pair %+v; want it still leased, to be retried once the lease ends", dl)
	}
}

// TestShortLeaseHandedBack: a pair whose lease would end before a send
// could finish is handed back unsent.
func TestShortLeaseHandedBack(t *testing.T) {
	e := newEnv(t, envOptions{plugins: sharedPlugins(t)})
	var sends atomic.Int64
	obs := &recordingObserver{}
	q := &flakyQueue{Queue: e.store, shorten: time.Second, now: e.clock.Now}
	deps := Deps{Queue: q, Instances: fakeInstances{}, Composer: fakeComposer{}, Observer: obs,
		Sender: fakeSender{func(context.Context, string, string) (saplugin.SendResult, error) {
			sends.Add(1)
			return saplugin.SendResult{Status: saplugin.Delivered}, nil
		}}}
	as := e.insert([]string{"x:y"}, nil, 1)
	e.start(deps, e.options())
	waitFor(t, "the hand-back recorded", func() bool { return e.delivery(as[0], "x:y").Error != "" })
	dl := e.delivery(as[0], "x:y")
	if sends.Load() != 0 || dl.Status != alert.Pending || !strings.Contains(dl.Error, "within its lease") || !dl.NextAttempt.After(T0) {
		t.Errorf("sends %d, pair %+v; want no send and the pair due again later", sends.Load(), dl)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.seen) != 1 || obs.seen[0] != "x:y deferred false" {
		t.Errorf("observed %v", obs.seen)
	}
}
