package staging

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/rules"
)

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	store := &File{Path: filepath.Join(t.TempDir(), "staging.json")}
	opts := Options{Now: func() time.Time { return now }, Budget: 1, Logger: slog.New(slog.DiscardHandler)}
	m, err := New(ctx, store, opts)
	if err != nil {
		t.Fatal(err)
	}
	rs := func(names ...string) []*rules.Rule {
		var out []*rules.Rule
		for _, n := range names {
			out = append(out, &rules.Rule{Name: n})
		}
		return out
	}
	// The first deployment stages nothing.
	if staged, err := m.Sync(ctx, rs("old"), false); err != nil || len(staged) != 0 {
		t.Fatalf("first sync staged %v, %v", staged, err)
	}
	staged, err := m.Sync(ctx, rs("old", "quiet", "noisy", "busy"), false)
	if err != nil || !slices.Equal(staged, []string{"quiet", "noisy", "busy"}) {
		t.Fatalf("second sync staged %v, %v", staged, err)
	}
	if m.Staged("old") || !m.Staged("quiet") {
		t.Error("staged flags wrong")
	}
	m.Count("noisy")
	for range 5 {
		m.Count("busy")
	}
	m.Count("old") // not staged: not counted
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// Reloading keeps everything.
	m2, err := New(ctx, store, opts)
	if err != nil {
		t.Fatal(err)
	}
	states := m2.States()
	if len(states) != 4 || states[0].Rule != "busy" || states[0].Alerts != 5 || states[2].Alerts != 0 {
		t.Fatalf("states after reload: %+v", states)
	}
	if p, _ := m2.Promote(ctx); len(p) != 0 {
		t.Errorf("promoted %v before the period ended", p)
	}
	now = now.Add(DefaultPeriod)
	if p, err := m2.Promote(ctx); err != nil || !slices.Equal(p, []string{"noisy", "quiet"}) {
		t.Errorf("promoted %v, %v; want the silent rule and the one within budget", p, err)
	}
	subject, body, ok := m2.Digest()
	if !ok || !strings.Contains(subject, "1 staged rule") || !strings.Contains(body, "Rule: busy") || !strings.Contains(body, "Alerts: 5") {
		t.Errorf("digest %q\n%s", subject, body)
	}
	// Removing a rule from the deployment drops it; re-staging resets it.
	if _, err := m2.Sync(ctx, rs("old", "quiet", "busy"), false); err != nil {
		t.Fatal(err)
	}
	if err := m2.Stage(ctx, "quiet"); err != nil || !m2.Staged("quiet") {
		t.Errorf("stage: %v", err)
	}
	if err := m2.Unstage(ctx, "busy"); err != nil || m2.Staged("busy") {
		t.Errorf("unstage: %v", err)
	}
	if err := m2.Stage(ctx, "gone"); err == nil {
		t.Error("staged an unknown rule")
	}
	m3, _ := New(ctx, store, opts)
	if got := len(m3.States()); got != 3 || !m3.Staged("quiet") || m3.Staged("busy") {
		t.Errorf("persisted states: %+v", m3.States())
	}
}

// TestSharedStore runs two managers on one file, as sa serve and the sa
// rules commands do: neither loses the other's changes.
func TestSharedStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "staging.json")
	opts := Options{Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)}
	serve, err := New(ctx, &File{Path: path}, opts)
	if err != nil {
		t.Fatal(err)
	}
	deployed := []*rules.Rule{{Name: "a"}, {Name: "b"}}
	serve.Sync(ctx, deployed[:1], false)
	if staged, err := serve.Sync(ctx, deployed, false); err != nil || !slices.Equal(staged, []string{"b"}) {
		t.Fatalf("staged %v, %v", staged, err)
	}
	for range 3 {
		serve.Count("b")
	}
	if err := serve.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	serve.Count("b") // pending in the server when the CLI acts

	cli, err := New(ctx, &File{Path: path}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Stage(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := serve.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if !serve.Staged("a") {
		t.Error("the server did not adopt a rule staged by another process")
	}
	states, _ := (&File{Path: path}).Load(ctx)
	if states["b"].Alerts != 4 || states["a"].Alerts != 0 {
		t.Errorf("stored counts a=%d b=%d, want 0 and 4", states["a"].Alerts, states["b"].Alerts)
	}

	// Counts of a period that another process ended are dropped, not
	// carried into the new period.
	serve.Count("b")
	now = now.Add(time.Hour)
	if err := cli.Stage(ctx, "b"); err != nil { // restaged: a new period
		t.Fatal(err)
	}
	if err := serve.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	states, _ = (&File{Path: path}).Load(ctx)
	if got := states["b"]; got.Alerts != 0 || !got.StagedAt.Equal(now) {
		t.Errorf("after restaging: %+v, want 0 alerts staged at %s", got, now)
	}
	if s := serve.States(); s[1].Alerts != 0 {
		t.Errorf("server's count after restaging = %d", s[1].Alerts)
	}
	if err := cli.Unstage(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	serve.Flush(ctx)
	if serve.Staged("b") {
		t.Error("the server did not adopt an unstaged rule")
	}
}
