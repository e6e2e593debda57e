package dynamodb

import (
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/rules/staging"
)

// TestStagingShared runs several staging managers on one state table, as
// rules function sandboxes, the merger and the sa rules commands share
// it: concurrent counts are all kept, a rule staged by one is adopted by
// the others, and a rule promoted is promoted everywhere.
func TestStagingShared(t *testing.T) {
	e := newEmulator(t)
	s := e.open(t, 3)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	opts := staging.Options{Period: time.Hour, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time {
		clock.Lock()
		defer clock.Unlock()
		return now
	}}
	open := func() *staging.Manager {
		m, err := staging.New(ctx, s.Staging(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	first := open()
	deployed := []*rules.Rule{{Name: "old"}}
	if staged, err := first.Sync(ctx, deployed, false); err != nil || len(staged) != 0 {
		t.Fatalf("first deployment staged %v, %v; want nothing", staged, err)
	}
	deployed = append(deployed, &rules.Rule{Name: "new"})
	if staged, err := first.Sync(ctx, deployed, false); err != nil || !slices.Equal(staged, []string{"new"}) {
		t.Fatalf("second deployment staged %v, %v; want [new]", staged, err)
	}

	const sandboxes, each = 6, 25
	var wg sync.WaitGroup
	errs := make(chan error, sandboxes*each)
	for range sandboxes {
		m := open()
		if !m.Staged("new") {
			t.Fatal("a new manager does not see the staged rule")
		}
		wg.Go(func() {
			for range each {
				m.Count("new")
				m.Count("old") // not staged: never counted
				if err := m.Flush(ctx); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("flush: %v", err)
	}
	states, err := s.Staging().Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := states["new"].Alerts; got != sandboxes*each {
		t.Errorf("stored count = %d, want %d: concurrent flushes lost counts", got, sandboxes*each)
	}
	if states["old"].Staged || states["old"].Alerts != 0 {
		t.Errorf("old rule: %+v", states["old"])
	}

	// The staged rule raised alerts, over a zero budget: not promoted.
	clock.Lock()
	now = now.Add(2 * time.Hour)
	clock.Unlock()
	if promoted, err := first.Promote(ctx); err != nil || len(promoted) != 0 {
		t.Fatalf("promoted %v, %v; a rule over its budget must stay staged", promoted, err)
	}
	other := open()
	if err := other.Unstage(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	if err := first.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if first.Staged("new") {
		t.Error("a rule unstaged by another process is still staged here")
	}
}
