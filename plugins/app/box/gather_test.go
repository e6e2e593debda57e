package main

import (
	"context"
	"encoding/json"
	"errors"
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

// newLogged returns an app logging into w.
func newLogged(w io.Writer) *App {
	a := New()
	a.Spec.Logger = apptest.DebugLogger(w)
	return a
}

// poll runs one in-process Gather of instance "box".
func poll(t *testing.T, app *App, cfg schema.Config, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "box", cfg, state, budget)
}

// boxSource makes events at Box's one-second granularity.
func boxSource(seed uint64, perRequest int) *apptest.Source {
	return apptest.NewSource(apptest.SourceOptions{Seed: seed, Granularity: time.Second, PerRequest: perRequest})
}

func TestGapFreeInProcess(t *testing.T) {
	src := boxSource(21, 0)
	f := newFakeBox(t, src)
	f.pageCap = 15
	cfg := apptest.Config(t, New(), f.config(t))
	logs := &apptest.Buffer{}
	d := apptest.Driver{Source: src, IDOf: idOf, Logf: t.Logf,
		Gatherer: &apptest.InProcess{New: func() saplugin.App { return newLogged(logs) }, Instance: "box", Config: cfg}}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, f.secrets(t), logs.String(), string(rep.State))
}

func TestGapFreeBinary(t *testing.T) {
	src := boxSource(22, 0)
	f := newFakeBox(t, src)
	f.pageCap = 15
	bin := apptest.StartBinary(t, "plugins/app/box", "box", f.config(t))
	d := apptest.Driver{Source: src, IDOf: idOf, Gatherer: bin, Polls: 15, Logf: t.Logf}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, f.secrets(t), bin.Stderr.String())
}

// TestWindowPinned checks every page of a walk asks for the same time
// range on whole seconds, and that the walk follows the stream position.
func TestWindowPinned(t *testing.T) {
	src := boxSource(2, 3)
	src.Generate(50)
	f := newFakeBox(t, src)
	f.pageCap = 10
	app := New()
	cfg := apptest.Config(t, app, f.config(t))
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	queries := f.queries
	f.mu.Unlock()
	if len(queries) < 5 {
		t.Fatalf("50 events in pages of 10 took %d requests", len(queries))
	}
	var first string
	for i, q := range queries {
		vals, _ := parseQuery(q)
		window := vals.Get("created_after") + " " + vals.Get("created_before")
		if i == 0 {
			first = window
			if vals.Has("stream_position") || !strings.HasSuffix(vals.Get("created_after"), "+00:00") {
				t.Fatalf("first query %s", q)
			}
		} else if window != first || vals.Get("stream_position") == "" {
			t.Fatalf("query %d %s, want the window %s and a stream position", i, q, first)
		}
	}
	if got := len(apptest.Logs(b)); got < 50 {
		t.Fatalf("%d events emitted, want at least the 50 of the window", got)
	}
	var st struct {
		Extra json.RawMessage `json:"extra"`
	}
	json.Unmarshal(apptest.LastState(nil, b), &st)
	if len(st.Extra) != 0 {
		t.Fatalf("a finished walk left its window in the state: %s", apptest.LastState(nil, b))
	}
}

// TestTokenReuseAndRefresh checks a token serves later polls and a token
// Box no longer accepts is replaced once.
func TestTokenReuseAndRefresh(t *testing.T) {
	src := boxSource(3, 0)
	src.Generate(4)
	f := newFakeBox(t, src)
	f.still = true
	app := New()
	cfg := apptest.Config(t, app, f.config(t))
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil || len(apptest.Logs(b)) != 4 {
		t.Fatalf("first poll: %d logs, %v", len(apptest.Logs(b)), err)
	}
	state := apptest.LastState(nil, b)
	if _, err := poll(t, app, cfg, state, time.Minute); err != nil {
		t.Fatal(err)
	}
	if tokens, _ := f.counts(); tokens != 1 {
		t.Fatalf("%d token requests for two polls, want 1", tokens)
	}
	f.expireAll()
	if _, err = poll(t, app, cfg, state, time.Minute); err != nil {
		t.Fatalf("poll after the token was revoked: %v", err)
	}
	if tokens, _ := f.counts(); tokens != 2 {
		t.Fatalf("%d token requests, want a second one after the 401", tokens)
	}
}

// TestClockSkew checks an assertion refused because our clock is behind
// Box's is signed again on Box's clock, from its Date header.
func TestClockSkew(t *testing.T) {
	src := boxSource(4, 0)
	src.Generate(2)
	f := newFakeBox(t, src)
	f.still = true
	f.clock = 5 * time.Minute
	app := New()
	cfg := apptest.Config(t, app, f.config(t))
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil || len(apptest.Logs(b)) != 2 {
		t.Fatalf("poll with a skewed clock: %d logs, %v", len(apptest.Logs(b)), err)
	}
	if tokens, _ := f.counts(); tokens != 2 {
		t.Fatalf("%d token requests, want the refused one and one on Box's clock", tokens)
	}
}

// TestRefusedCredentials checks a refused client fails the poll with Box's
// reason and no secret.
func TestRefusedCredentials(t *testing.T) {
	src := boxSource(5, 0)
	f := newFakeBox(t, src)
	logs := &apptest.Buffer{}
	app := newLogged(logs)
	cfg := apptest.Config(t, app, f.config(t))
	f.refuseGrant = "invalid_client"
	_, err := poll(t, app, cfg, nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "invalid_client: The client credentials are invalid") {
		t.Fatalf("error %v", err)
	}
	secrettest.AssertNoLeak(t, f.secrets(t), err.Error(), logs.String())
}

// TestBadPassphrase checks a settings file whose key does not decrypt
// fails the poll naming the keyfile, without quoting it.
func TestBadPassphrase(t *testing.T) {
	f := newFakeBox(t, boxSource(6, 0))
	raw := f.config(t)
	raw[propKeyfile] = settingsJSON(t, func(m map[string]any) {
		m["boxAppSettings"].(map[string]any)["appAuth"].(map[string]any)["passphrase"] = "not-the-passphrase"
	})
	app := New()
	_, err := poll(t, app, apptest.Config(t, app, raw), nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "keyfile") || !strings.Contains(err.Error(), "does not decrypt") {
		t.Fatalf("error %v", err)
	}
	secrettest.AssertNoLeak(t, f.secrets(t), err.Error())
}

// TestRateLimit checks Box's 429 with Retry-After is waited out.
func TestRateLimit(t *testing.T) {
	src := boxSource(7, 0)
	src.Generate(3)
	f := newFakeBox(t, src)
	f.still = true
	app := New()
	cfg := apptest.Config(t, app, f.config(t))
	f.refuseNext(func(w http.ResponseWriter) bool {
		w.Header().Set("Retry-After", "1")
		boxError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Request rate limit exceeded, please try again later")
		return true
	})
	start := time.Now()
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil || len(apptest.Logs(b)) != 3 || time.Since(start) < time.Second {
		t.Fatalf("poll: %d logs, %v after %v", len(apptest.Logs(b)), err, time.Since(start))
	}
}

// TestResumeAfterCut cuts a poll after its first batch, as a host that went
// away would, and checks the next poll finishes the window with nothing
// repeated or lost.
func TestResumeAfterCut(t *testing.T) {
	src := boxSource(8, 1)
	src.Generate(40)
	f := newFakeBox(t, src)
	f.pageCap = 10
	app := New()
	app.BatchLogs = 4
	cfg := apptest.Config(t, app, f.config(t))
	var first *saplugin.Batch
	errCut := errors.New("host went away")
	err := app.Gather(context.Background(), saplugin.GatherRequest{Instance: "box", Config: cfg, Budget: time.Minute},
		func(b saplugin.Batch) error {
			if first == nil {
				first = &b
			}
			return errCut
		})
	if !errors.Is(err, errCut) {
		t.Fatalf("Gather = %v", err)
	}
	b, err := poll(t, app, cfg, first.State, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, l := range append(first.Logs, apptest.Logs(b)...) {
		id, _ := idOf(l)
		count[id]++
	}
	for _, e := range src.Visible()[:40] {
		if count[e.ID] != 1 {
			t.Errorf("%s emitted %d times", e.ID, count[e.ID])
		}
	}
}
