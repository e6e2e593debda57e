package merge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// T0 is the tests' epoch.
var T0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// spec is a test alert in brief; zero fields take the defaults of mk.
type spec struct {
	rule    string
	at      time.Duration
	record  string
	keys    []string
	window  time.Duration
	outputs []string
	context string
	staged  bool
}

func mk(t testing.TB, s spec) *alert.Alert {
	t.Helper()
	if s.rule == "" {
		s.rule = "brute_force"
	}
	if s.keys == nil {
		s.keys = []string{"user"}
	}
	if s.window == 0 {
		s.window = 5 * time.Minute
	}
	if s.outputs == nil {
		s.outputs = []string{"slack:soc"}
	}
	a, err := alert.New(alert.Params{
		RuleName: s.rule, RuleDescription: "Repeated failed logins", Severity: "high",
		Record: json.RawMessage(s.record), Context: json.RawMessage(s.context),
		Outputs: s.outputs, Required: []string{"aws-firehose:alerts"},
		Publishers: map[string][]string{"slack:soc": {"Summary"}},
		Cluster:    "prod", LogSource: "osquery:differential", LogType: "json",
		SourceService: "kinesis", SourceEntity: "prod_stream",
		MergeByKeys: s.keys, MergeWindow: s.window, Staged: s.staged, Created: T0.Add(s.at),
	})
	if err != nil {
		t.Fatalf("alert.New: %v", err)
	}
	return a
}

// fakeQueue is an in-memory store.MergeQueue with function fields to
// inject failures.
type fakeQueue struct {
	mu       sync.Mutex
	alerts   []*alert.Alert // waiting, in store order
	merged   []store.ReplaceRequest
	replace  func(req store.ReplaceRequest) error // nil: accept
	discard  bool                                 // accept replaces without applying them
	readings int
}

func newFakeQueue(as ...*alert.Alert) *fakeQueue {
	q := &fakeQueue{alerts: slices.Clone(as)}
	slices.SortStableFunc(q.alerts, func(a, b *alert.Alert) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return q
}

func (q *fakeQueue) MergeRules(context.Context) ([]string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var rules []string
	for _, a := range q.alerts {
		if !slices.Contains(rules, a.RuleName) {
			rules = append(rules, a.RuleName)
		}
	}
	slices.Sort(rules)
	return rules, nil
}

func (q *fakeQueue) MergeCandidates(_ context.Context, req store.CandidatesRequest) ([]*alert.Alert, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.readings++
	var out []*alert.Alert
	for _, a := range q.alerts {
		if a.RuleName == req.Rule && len(out) < req.Limit {
			out = append(out, a)
		}
	}
	return out, nil
}

func (q *fakeQueue) ReplaceGroup(_ context.Context, req store.ReplaceRequest) error {
	if q.replace != nil {
		if err := q.replace(req); err != nil {
			return err
		}
	}
	if q.discard {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, id := range req.Replaces {
		if !slices.ContainsFunc(q.alerts, func(a *alert.Alert) bool { return a.ID == id }) {
			return fmt.Errorf("%w: %s is gone", store.ErrConflict, id)
		}
	}
	q.alerts = slices.DeleteFunc(q.alerts, func(a *alert.Alert) bool { return slices.Contains(req.Replaces, a.ID) })
	q.merged = append(q.merged, req)
	return nil
}

var errBoom = errors.New("boom")

// indexOf names alerts by their position in the test's input.
func indexOf(in []*alert.Alert) map[string]int {
	m := map[string]int{}
	for i, a := range in {
		m[a.ID] = i
	}
	return m
}

// render describes a tick's merged alerts for a golden file: each group's
// inputs by index, its record indented in its own key order, and the rest
// of its payload without the fields that change every run (ids).
func render(t *testing.T, in []*alert.Alert, q *fakeQueue) string {
	t.Helper()
	idx := indexOf(in)
	var b strings.Builder
	for i, req := range q.merged {
		var from []string
		for _, id := range req.Replaces {
			from = append(from, fmt.Sprint(idx[id]))
		}
		fmt.Fprintf(&b, "-- group %d: alerts %s\nrecord:\n%s\n", i+1, strings.Join(from, " "), indent(t, req.Merged.Record))
		fmt.Fprintf(&b, "alert:\n%s\n", indent(t, withoutIDs(t, req.Merged)))
	}
	var waiting []string
	for _, a := range q.alerts {
		waiting = append(waiting, fmt.Sprint(idx[a.ID]))
	}
	fmt.Fprintf(&b, "-- waiting: %s\n", strings.Join(waiting, " "))
	return b.String()
}

func indent(t *testing.T, raw []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		t.Fatalf("indent %s: %v", raw, err)
	}
	return b.String()
}

func withoutIDs(t *testing.T, a *alert.Alert) []byte {
	t.Helper()
	p, err := a.Payload()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(p, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "id")
	delete(m, "record")
	delete(m, "merged_from")
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type bytesBuffer struct{ bytes.Buffer }
