package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// errCut is what a test's emit returns to end a poll, as a host that went
// away does.
var errCut = errors.New("test: host went away")

// newLogged returns an app logging into w.
func newLogged(w io.Writer) *App {
	a := New()
	a.Spec.Logger = apptest.DebugLogger(w)
	return a
}

// poll runs one in-process Gather of instance "gs".
func poll(t *testing.T, app *App, cfg schema.Config, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "gs", cfg, state, budget)
}

// secretsOf are the instance's secrets for leak checks: the key's body and
// the access tokens the fake issued.
func (f *fakeGoogle) secretsOf(t *testing.T) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{keyBody(t)}
	for tok := range f.tokens {
		out = append(out, tok)
	}
	return out
}

func TestGapFreeInProcess(t *testing.T) {
	for _, app := range []string{"admin"} {
		t.Run(app, func(t *testing.T) {
			src := apptest.NewSource(apptest.SourceOptions{Seed: 11})
			f := newFakeGoogle(t, src, app)
			cfg := apptest.Config(t, New(), f.config(t, nil))
			logs := &apptest.Buffer{}
			d := apptest.Driver{Source: src, IDOf: idOf, Logf: t.Logf,
				Gatherer: &apptest.InProcess{New: func() saplugin.App { return newLogged(logs) }, Instance: "gs", Config: cfg}}
			rep := d.Run(t)
			rep.Check(t)
			if rep.Crashes == 0 {
				t.Error("the driver never crashed the plugin")
			}
			secrettest.AssertNoLeak(t, f.secretsOf(t), logs.String(), string(rep.State))
		})
	}
}

func TestGapFreeBinary(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 5})
	f := newFakeGoogle(t, src, "login")
	bin := apptest.StartBinary(t, "plugins/app/gsuite", "gs", f.config(t, nil))
	d := apptest.Driver{Source: src, IDOf: idOf, Gatherer: bin, Polls: 15, Logf: t.Logf}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, f.secretsOf(t), bin.Stderr.String())
}

// TestWindowPinned checks that the pages of a walk all ask for the same
// window while events keep arriving, and that the poll that finishes it
// moves the bound to the window's end and keeps no window.
func TestWindowPinned(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 2, PerRequest: 5})
	src.Generate(60)
	f := newFakeGoogle(t, src, "admin")
	app := New()
	cfg := apptest.Config(t, app, f.config(t, nil))
	batches, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	walk := f.windows
	f.mu.Unlock()
	if len(walk) < 3 {
		t.Fatalf("60 events in pages of 20 took %d requests", len(walk))
	}
	for _, w := range walk {
		if w != walk[0] {
			t.Fatalf("window moved during the walk: %v then %v", walk[0], w)
		}
	}
	var st struct {
		Extra json.RawMessage `json:"extra"`
		Token string          `json:"token"`
		Bound time.Time       `json:"bound"`
	}
	json.Unmarshal(apptest.LastState(nil, batches), &st)
	if len(st.Extra) != 0 || st.Token != "" || st.Bound.UTC().Format(timeLayout) != walk[0][1] {
		t.Fatalf("state %s after the window %v", apptest.LastState(nil, batches), walk[0])
	}
	end, _ := time.Parse(timeLayout, walk[0][1])
	want := 0
	for _, e := range src.Visible() {
		if !e.Time.After(end) {
			want++
		}
	}
	if got := len(apptest.Logs(batches)); got != want {
		t.Fatalf("%d activities emitted, want the %d of the window", got, want)
	}
}

// TestResumeMidWindow cuts a walk after its first batch and checks the
// state names the window and the next page, and a resumed poll finishes
// the same window without repeating or skipping an activity.
func TestResumeMidWindow(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 4, PerRequest: 1})
	src.Generate(40)
	f := newFakeGoogle(t, src, "admin")
	cfg := apptest.Config(t, New(), f.config(t, nil))
	app := New()
	app.BatchLogs = 5
	var first *saplugin.Batch
	err := app.Gather(context.Background(), saplugin.GatherRequest{Instance: "gs", Config: cfg, Budget: time.Minute},
		func(b saplugin.Batch) error {
			if first == nil {
				first = &b
			}
			return errCut
		})
	if err == nil || !strings.Contains(err.Error(), errCut.Error()) {
		t.Fatalf("Gather = %v, want the emit error", err)
	}
	var st struct {
		Extra window `json:"extra"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal(first.State, &st); err != nil || st.Extra.End.IsZero() {
		t.Fatalf("state %s: no window", first.State)
	}
	batches, err := poll(t, app, cfg, first.State, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, l := range append(first.Logs, apptest.Logs(batches)...) {
		id, _ := idOf(l)
		seen[id]++
	}
	f.mu.Lock()
	windows := f.windows
	f.mu.Unlock()
	end := st.Extra.End.UTC().Format(timeLayout)
	resumed := 0
	for _, w := range windows {
		if w[1] == end {
			resumed++
		}
	}
	if resumed < 2 {
		t.Errorf("the resumed poll did not continue the window ending %s: %v", end, windows)
	}
	for _, e := range src.Visible() {
		if e.Time.After(st.Extra.End) {
			continue
		}
		if seen[e.ID] != 1 {
			t.Errorf("event %s (at %s) emitted %d times", e.ID, e.Time, seen[e.ID])
		}
	}
}

// TestRetentionLimit checks an instance far behind asks only for what
// Google still keeps, which the API would otherwise refuse.
func TestRetentionLimit(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 12})
	src.Generate(2)
	f := newFakeGoogle(t, src, "admin")
	app := New()
	cfg := apptest.Config(t, app, f.config(t, nil))
	old := time.Now().Add(-200 * 24 * time.Hour).UTC().Format(time.RFC3339)
	var state []byte = []byte(`{"v":1,"bound":"` + old + `"}`)
	for range 40 {
		b, err := poll(t, app, cfg, state, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		state = apptest.LastState(state, b)
		if len(apptest.Logs(b)) > 0 {
			break
		}
	}
	f.mu.Lock()
	first := f.windows[0]
	f.mu.Unlock()
	start, _ := time.Parse(timeLayout, first[0])
	if time.Since(start) > 180*24*time.Hour {
		t.Fatalf("first window starts %s, before Google's retention", first[0])
	}
}
