package merge

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/sqlite"
)

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sa.db"), sqlite.Options{Durability: sqlite.Normal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestTickSQLite runs a pass against the real store: the merged alert
// replaces its group atomically and is due at once on every output, while
// the originals keep only their required output.
func TestTickSQLite(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	in := []*alert.Alert{
		mk(t, spec{at: 0, record: `{"user":"alice","src":"1.1.1.1"}`}),
		mk(t, spec{at: time.Minute, record: `{"user":"alice","src":"2.2.2.2"}`}),
		mk(t, spec{at: 2 * time.Minute, record: `{"user":"bob","src":"1.1.1.1"}`}),
		mk(t, spec{at: 59 * time.Minute, record: `{"user":"bob","src":"3.3.3.3"}`}),
	}
	if err := st.Insert(ctx, in...); err != nil {
		t.Fatal(err)
	}
	var woken atomic.Int32
	m := New(st, Options{Merged: func() { woken.Add(1) }})
	res, err := m.Tick(ctx, T0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// bob's second alert is still inside its own window and fits no group
	// (bob's first group closed 57 minutes earlier): the pass stops there.
	want := TickResult{Rules: 1, Candidates: 4, Groups: 2, Replaced: 3}
	if res != want || woken.Load() != 1 {
		t.Fatalf("Tick = %+v, woken %d; want %+v, woken once", res, woken.Load(), want)
	}
	left, err := st.MergeCandidates(ctx, store.CandidatesRequest{Rule: "brute_force", Limit: 10})
	if err != nil || len(left) != 1 || left[0].ID != in[3].ID {
		t.Fatalf("candidates left = %v, %v; want only the newest", left, err)
	}
	got, err := st.Get(ctx, in[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := st.Get(ctx, got.MergedInto)
	if err != nil {
		t.Fatalf("merged alert %q: %v", got.MergedInto, err)
	}
	if !slices.Equal(merged.MergedFrom, sortedIDs(in[0], in[1])) || merged.MergeEnabled() {
		t.Errorf("merged alert: from %v, merge enabled %v", merged.MergedFrom, merged.MergeEnabled())
	}
	var rec struct{ AlertCount int }
	if err := json.Unmarshal(merged.Record, &rec); err != nil || rec.AlertCount != 2 {
		t.Errorf("merged record %s", merged.Record)
	}
	due, err := st.Due(ctx, store.DueRequest{Now: T0.Add(time.Hour), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string][]string{}
	for _, p := range due {
		outs[p.Alert.ID] = append(outs[p.Alert.ID], p.Output)
	}
	if !slices.Equal(outs[merged.ID], []string{"aws-firehose:alerts", "slack:soc"}) ||
		!slices.Equal(outs[in[0].ID], []string{"aws-firehose:alerts"}) {
		t.Errorf("due pairs %v", outs)
	}
	// A second pass at the same time finds nothing new to merge.
	if res, err := m.Tick(ctx, T0.Add(time.Hour)); err != nil || res.Groups != 0 {
		t.Errorf("second Tick = %+v, %v", res, err)
	}
}

func sortedIDs(as ...*alert.Alert) []string {
	out := ids(as)
	slices.Sort(out)
	return out
}

// TestTickConflictSkipsGroup: a group another merger replaced first is
// counted and skipped; the other groups are still merged.
func TestTickConflictSkipsGroup(t *testing.T) {
	in := []*alert.Alert{
		mk(t, spec{at: 0, record: `{"user":"alice"}`}),
		mk(t, spec{at: time.Second, record: `{"user":"bob"}`}),
	}
	q := newFakeQueue(in...)
	q.replace = func(req store.ReplaceRequest) error {
		if req.Replaces[0] == in[0].ID {
			return store.ErrConflict
		}
		return nil
	}
	res, err := New(q, Options{}).Tick(context.Background(), T0.Add(time.Hour))
	if err != nil || res.Groups != 1 || res.Conflicts != 1 {
		t.Fatalf("Tick = %+v, %v; want one group merged and one conflict", res, err)
	}
}

// TestTickStoreError: a failing store ends the pass with an error naming
// the rule; nothing is lost, the next tick tries again.
func TestTickStoreError(t *testing.T) {
	q := newFakeQueue(mk(t, spec{record: `{"user":"alice"}`}))
	q.replace = func(store.ReplaceRequest) error { return store.Unavailable(errBoom) }
	_, err := New(q, Options{}).Tick(context.Background(), T0.Add(time.Hour))
	if !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, errBoom) {
		t.Fatalf("Tick error = %v, want the store's error", err)
	}
	if len(q.alerts) != 1 {
		t.Errorf("alerts left %d, want 1", len(q.alerts))
	}
}

// TestRun merges on start and on every tick until the context ends.
func TestRun(t *testing.T) {
	q := newFakeQueue(mk(t, spec{record: `{"user":"alice"}`}))
	merged := make(chan struct{}, 10)
	now := T0.Add(time.Hour)
	m := New(q, Options{Tick: 5 * time.Millisecond, Now: func() time.Time { return now },
		Merged: func() { merged <- struct{}{} }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	<-merged
	q.mu.Lock()
	q.alerts = append(q.alerts, mk(t, spec{at: time.Second, record: `{"user":"bob"}`}))
	q.mu.Unlock()
	<-merged // a later tick picks up the new alert
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if len(q.merged) != 2 {
		t.Errorf("merged %d groups, want 2", len(q.merged))
	}
}

// TestRecordOperations checks _compute_common and _compute_diff on the
// examples of StreamAlert's docstrings and on edge cases.
func TestRecordOperations(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		common  string
		diffs   []string
	}{
		{"docstring", []string{`{"abc":123,"nested":{"A":1,"B":2}}`, `{"abc":123,"def":456,"nested":{"A":1}}`},
			`{"abc":123,"nested":{"A":1}}`, []string{`{"nested":{"B":2}}`, `{"def":456}`}},
		{"key order and number spelling do not matter", []string{`{"o":{"a":1,"b":2.0}}`, `{"o":{"b":2,"a":1}}`},
			`{"o":{"a":1,"b":2.0}}`, []string{`{}`, `{}`}},
		{"no partial common part of lists", []string{`{"l":[1,2]}`, `{"l":[1,3]}`}, `{}`, []string{`{"l":[1,2]}`, `{"l":[1,3]}`}},
		{"empty nested common part is dropped", []string{`{"o":{"a":1}}`, `{"o":{"a":2}}`}, `{}`, []string{`{"o":{"a":1}}`, `{"o":{"a":2}}`}},
		{"keys only in later records are diffs", []string{`{"a":1}`, `{"a":1,"b":{"c":1}}`}, `{"a":1}`, []string{`{}`, `{"b":{"c":1}}`}},
		{"repeated key keeps its first place and last value", []string{`{"a":1,"b":2,"a":3}`, `{"b":2,"a":3}`},
			`{"a":3,"b":2}`, []string{`{}`, `{}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var recs []*node
			for _, r := range tt.records {
				n, err := parse(json.RawMessage(r))
				if err != nil {
					t.Fatal(err)
				}
				recs = append(recs, n)
			}
			c := common(recs)
			if got := encoded(c); got != tt.common {
				t.Errorf("common = %s, want %s", got, tt.common)
			}
			for i, r := range recs {
				if got := encoded(diff(c, r)); got != tt.diffs[i] {
					t.Errorf("diff %d = %s, want %s", i, got, tt.diffs[i])
				}
			}
		})
	}
}

func encoded(n *node) string {
	var b bytesBuffer
	n.encode(&b.Buffer)
	return b.String()
}

// TestCleanLeavesLists: merge keys go from every nested object, but not
// from objects inside lists, as _clean_record only recursed into dicts.
func TestCleanLeavesLists(t *testing.T) {
	n, err := parse(json.RawMessage(`{"user":1,"a":{"user":2,"b":{"user":3,"c":4}},"l":[{"user":5}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := encoded(clean(n, map[string]bool{"user": true}))
	if want := `{"a":{"b":{"c":4}},"l":[{"user":5}]}`; got != want {
		t.Errorf("clean = %s, want %s", got, want)
	}
}

// TestCanonicalLeaf: the shortcuts agree with alert.Canonical.
func TestCanonicalLeaf(t *testing.T) {
	for _, raw := range []string{`"a"`, `"a\u003cb"`, `"\u00e9"`, `true`, `null`, `0`, `-0`, `12`, `-12`,
		`1.0`, `1e2`, `1234567890123456`, `123456789012345678901`, `[1,2.0]`, `[]`} {
		want, err := alert.Canonical(json.RawMessage(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := canonicalLeaf(json.RawMessage(raw)); got != string(want) {
			t.Errorf("canonicalLeaf(%s) = %s, want %s", raw, got, want)
		}
	}
}
