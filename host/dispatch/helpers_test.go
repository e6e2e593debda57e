package dispatch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/publish"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/sqlite"
	"github.com/streamalert-go/sa/internal/testbin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// T0 is the fake clock's start.
var T0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a fake clock the tests move by hand.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// receiver is a webhook endpoint that counts deliveries per alert by the
// X-SA-Delivery header and answers with reply.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests map[string]int    // every request per delivery id
	ok       map[string]int    // requests answered 2xx
	bodies   map[string][]byte // last body per delivery id
	reply    func(w http.ResponseWriter, r *http.Request, n int) int
}

// replyOK answers 200.
func replyOK(w http.ResponseWriter, _ *http.Request, _ int) int { return http.StatusOK }

func newReceiver(t testing.TB, reply func(w http.ResponseWriter, r *http.Request, n int) int) *receiver {
	rc := &receiver{requests: map[string]int{}, ok: map[string]int{}, bodies: map[string][]byte{}, reply: reply}
	rc.Server = httptest.NewUnstartedServer(http.HandlerFunc(rc.serve))
	rc.Config.ErrorLog = log.New(io.Discard, "", 0)
	rc.Start()
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get("X-SA-Delivery")
	rc.mu.Lock()
	rc.requests[id]++
	n := rc.requests[id]
	rc.bodies[id] = body
	rc.mu.Unlock()
	code := rc.reply(w, r, n)
	if code >= 200 && code < 300 {
		rc.mu.Lock()
		rc.ok[id]++
		rc.mu.Unlock()
	}
	w.WriteHeader(code)
}

// counts returns copies of the request and success counts.
func (rc *receiver) counts() (requests, ok map[string]int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return clone(rc.requests), clone(rc.ok)
}

func (rc *receiver) body(id string) []byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bodies[id]
}

func clone(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// pluginDir returns a plugin directory holding the webhook output plugin,
// registered as an install would.
func pluginDir(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	copyPlugins(t, root)
	return root
}

// copyPlugins builds the webhook plugin into root and registers it.
func copyPlugins(t testing.TB, root string) {
	t.Helper()
	bin := testbin.Build(t, "plugins/output/webhook")
	dir := filepath.Join(root, "webhook")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, filepath.Base(bin))
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := pluginhost.Register(context.Background(), exe, nil, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
}

// logBuffer collects log lines across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is one test's dispatch setup: a real SQLite store, the real webhook
// plugin behind a real plugin host, credentials in a real secret store.
type env struct {
	t        testing.TB
	store    *sqlite.Store
	host     *pluginhost.Host
	secrets  *secrets.FileStore
	clock    *clock
	logs     *logBuffer
	log      *slog.Logger
	settings map[string]map[string]any // output → settings
	mu       sync.Mutex
}

type envOptions struct {
	budget  int
	quiet   bool   // discard logs (benchmarks)
	plugins string // a plugin directory from pluginDir; built when empty
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "sa.db"),
		sqlite.Options{Durability: sqlite.Normal, MaxAttempts: o.budget})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := secrets.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	sec, err := secrets.New(filepath.Join(dir, "secrets"), key)
	if err != nil {
		t.Fatal(err)
	}
	if o.plugins == "" {
		o.plugins = pluginDir(t)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.quiet {
		log = slog.New(slog.DiscardHandler)
	}
	h := pluginhost.New(pluginhost.Options{Dirs: []string{o.plugins}, Logger: log, CallTimeout: time.Minute})
	t.Cleanup(h.Close)
	e := &env{t: t, store: st, host: h, secrets: sec, clock: newClock(T0), logs: logs, log: log,
		settings: map[string]map[string]any{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("logs:\n" + logs.String())
		}
	})
	return e
}

// addWebhook configures output webhook:<descriptor> to POST to rc: the URL
// is a credential, so it goes to the secret store.
func (e *env) addWebhook(descriptor string, rc *receiver) {
	e.t.Helper()
	e.mu.Lock()
	e.settings["webhook:"+descriptor] = map[string]any{"allow_http": true, "timeout_seconds": 60}
	e.mu.Unlock()
	err := e.secrets.Put(context.Background(), SecretName("webhook", descriptor),
		secrets.Value{"url": schema.Secret(rc.URL + "/hook/" + descriptor)})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) outputSettings(output string) (map[string]any, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.settings[output]
	return s, ok
}

// deps wires the real collaborators.
func (e *env) deps() Deps {
	return Deps{
		Queue:     e.store,
		Sender:    e.host,
		Instances: NewInstances(InstancesOptions{Host: e.host, Secrets: e.secrets, Settings: e.outputSettings}),
		Composer:  publish.New(publish.Options{Logger: e.log}),
	}
}

// options are fast test defaults on the fake clock, with deterministic
// backoff (the full ceiling).
func (e *env) options() Options {
	return Options{
		Now: e.clock.Now, Jitter: func(d time.Duration) time.Duration { return d },
		Poll: 10 * time.Millisecond, FlushInterval: 5 * time.Millisecond,
		SendTimeout: 30 * time.Second, DrainTimeout: 5 * time.Second, Logger: e.log,
	}
}

// start runs a dispatcher until the test ends (or stop is called) and
// returns it with its stop function, which waits for Run to return.
func (e *env) start(deps Deps, opts Options) (*Dispatcher, func()) {
	e.t.Helper()
	d, err := New(deps, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				e.t.Errorf("Run = %v", err)
			}
		})
	}
	e.t.Cleanup(stop)
	return d, stop
}

// insert stores alerts from the fake clock's now, one per record.
func (e *env) insert(outputs []string, publishers map[string][]string, n int) []*alert.Alert {
	e.t.Helper()
	var as []*alert.Alert
	for i := range n {
		a, err := alert.New(alert.Params{
			RuleName: "test_rule", Record: json.RawMessage(fmt.Sprintf(`{"user":"alice","n":%d}`, i)),
			Outputs: outputs, Publishers: publishers, Created: e.clock.Now(),
		})
		if err != nil {
			e.t.Fatal(err)
		}
		as = append(as, a)
	}
	if err := e.store.Insert(context.Background(), as...); err != nil {
		e.t.Fatal(err)
	}
	return as
}

// delivery returns a pair's state.
func (e *env) delivery(a *alert.Alert, output string) alert.Delivery {
	e.t.Helper()
	got, err := e.store.Get(context.Background(), a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	d, ok := got.Delivery(output)
	if !ok {
		e.t.Fatalf("alert %s has no output %s", a.ID, output)
	}
	return d
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitStatus waits until every pair of as on output has status st.
func (e *env) waitStatus(as []*alert.Alert, output string, st alert.Status) {
	e.t.Helper()
	waitFor(e.t, fmt.Sprintf("%d alerts %s on %s", len(as), st, output), func() bool {
		for _, a := range as {
			if e.delivery(a, output).Status != st {
				return false
			}
		}
		return true
	})
}

// countingQueue wraps a Queue to count and optionally hold Record calls.
type countingQueue struct {
	Queue
	dues, records atomic.Int64
	gate          atomic.Pointer[chan struct{}] // when set, Record waits for it to close
}

func (q *countingQueue) Due(ctx context.Context, req store.DueRequest) ([]store.Pair, error) {
	q.dues.Add(1)
	return q.Queue.Due(ctx, req)
}

func (q *countingQueue) Record(ctx context.Context, outcomes ...store.Outcome) error {
	if g := q.gate.Load(); g != nil {
		<-*g
	}
	q.records.Add(1)
	return q.Queue.Record(ctx, outcomes...)
}

var (
	_ Composer     = (*publish.Composer)(nil)
	_ SecretGetter = secrets.Store(nil)
	_ Queue        = (*sqlite.Store)(nil)
)
