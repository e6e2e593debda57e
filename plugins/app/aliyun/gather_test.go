package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

func newLogged(w io.Writer) *App {
	a := New()
	a.Spec.Logger = apptest.DebugLogger(w)
	return a
}

// poll runs one in-process Gather of instance "trail".
func poll(t *testing.T, app *App, cfg schema.Config, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "trail", cfg, state, budget)
}

// trailSource makes events at ActionTrail's one-second granularity.
func trailSource(seed uint64) *apptest.Source {
	return apptest.NewSource(apptest.SourceOptions{Seed: seed, Granularity: time.Second})
}

var secrets = []string{testSecret, testKeyID}

func TestGapFreeInProcess(t *testing.T) {
	src := trailSource(31)
	f := newFakeTrail(t, src)
	cfg := apptest.Config(t, New(), f.config())
	logs := &apptest.Buffer{}
	d := apptest.Driver{Source: src, IDOf: idOf, Logf: t.Logf,
		Gatherer: &apptest.InProcess{New: func() saplugin.App { return newLogged(logs) }, Instance: "trail", Config: cfg}}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, secrets, logs.String(), string(rep.State))
}

func TestGapFreeBinary(t *testing.T) {
	src := trailSource(32)
	f := newFakeTrail(t, src)
	bin := apptest.StartBinary(t, "plugins/app/aliyun", "trail", f.config())
	d := apptest.Driver{Source: src, IDOf: idOf, Gatherer: bin, Polls: 15, Logf: t.Logf}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, secrets, bin.Stderr.String())
}

// TestWindowPinned checks the pages of a walk all ask for the same range
// while events arrive, and the finished walk leaves no window behind.
func TestWindowPinned(t *testing.T) {
	src := trailSource(2)
	src.Generate(120)
	f := newFakeTrail(t, src)
	app := New()
	cfg := apptest.Config(t, app, f.config())
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	ranges := f.ranges
	f.mu.Unlock()
	if len(ranges) < 3 {
		t.Fatalf("120 events in pages of 50 took %d requests", len(ranges))
	}
	for _, r := range ranges {
		if r != ranges[0] {
			t.Fatalf("range moved during the walk: %v then %v", ranges[0], r)
		}
	}
	if len(apptest.Logs(b)) < 120 {
		t.Fatalf("%d events emitted", len(apptest.Logs(b)))
	}
	var st struct {
		Extra json.RawMessage `json:"extra"`
	}
	json.Unmarshal(apptest.LastState(nil, b), &st)
	if len(st.Extra) != 0 {
		t.Fatalf("a finished walk left its window: %s", apptest.LastState(nil, b))
	}
}

// TestWrongSecret checks a refused signature fails the poll with
// Alibaba's code and message, and no secret.
func TestWrongSecret(t *testing.T) {
	f := newFakeTrail(t, trailSource(3))
	raw := f.config()
	raw[propSecret] = "SaWrongSecret-1q2w3e4r5t6y7u8i"
	logs := &apptest.Buffer{}
	app := newLogged(logs)
	_, err := poll(t, app, apptest.Config(t, app, raw), nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch: Specified signature is not matched") {
		t.Fatalf("error %v", err)
	}
	secrettest.AssertNoLeak(t, append(secrets, "SaWrongSecret-1q2w3e4r5t6y7u8i"), err.Error(), logs.String())
}

// TestClockSkew checks a request refused for its timestamp is signed again
// on ActionTrail's clock, taken from its Date header.
func TestClockSkew(t *testing.T) {
	src := trailSource(4)
	src.Generate(3)
	f := newFakeTrail(t, src)
	f.still = true
	f.clock = -40 * time.Minute
	app := New()
	cfg := apptest.Config(t, app, f.config())
	// The vendor's events carry its own clock.
	b, err := poll(t, app, cfg, []byte(`{"v":1,"bound":"`+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)+`"}`), time.Minute)
	if err != nil {
		t.Fatalf("poll with a skewed clock: %v", err)
	}
	if len(apptest.Logs(b)) != 3 {
		t.Fatalf("%d events", len(apptest.Logs(b)))
	}
}

// TestThrottling checks Alibaba's flow-control refusal is retried.
func TestThrottling(t *testing.T) {
	src := trailSource(5)
	src.Generate(4)
	f := newFakeTrail(t, src)
	f.still = true
	f.refuseNext(func(w http.ResponseWriter) bool {
		apiFail(w, http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control.")
		return true
	})
	app := New()
	b, err := poll(t, app, apptest.Config(t, app, f.config()), nil, time.Minute)
	if err != nil || len(apptest.Logs(b)) != 4 {
		t.Fatalf("poll: %d events, %v", len(apptest.Logs(b)), err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls != 2 {
		t.Fatalf("%d calls, want the refused one and its retry", f.calls)
	}
}
