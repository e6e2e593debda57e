// Package storetest is the behaviour every store.Store must show, as a test
// suite an implementation runs against fresh instances of itself:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { ... an empty store with a budget of storetest.Budget ... })
//	}
//
// The suite drives time through the requests' Now fields, never the wall
// clock, so it is quick and deterministic.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// Budget is the attempt budget the stores given to Run must have.
const Budget = 3

// Opener returns an empty store with an attempt budget of Budget, closed by
// the test's cleanup.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	groups := []struct {
		name  string
		tests map[string]func(*testing.T, store.Store)
	}{
		{"write", writeTests}, {"queue", queueTests}, {"merge", mergeTests}, {"browse", browseTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for name, test := range g.tests {
				t.Run(name, func(t *testing.T) { test(t, open(t)) })
			}
		})
	}
}

// T0 is the suite's epoch; alerts are created at T0 plus an offset.
var T0 = time.Date(2030, 1, 2, 3, 4, 5, 678901000, time.UTC)

var ctx = context.Background()

// spec describes a test alert briefly.
type spec struct {
	rule     string
	record   string
	outputs  []string
	required []string
	at       time.Duration // created at T0+at
	mergeBy  []string
	staged   bool
}

func newAlert(t *testing.T, s spec) *alert.Alert {
	t.Helper()
	if s.rule == "" {
		s.rule = "rule_a"
	}
	if s.record == "" {
		s.record = `{"user":"alice"}`
	}
	p := alert.Params{RuleName: s.rule, Record: json.RawMessage(s.record), Outputs: s.outputs,
		Required: s.required, Created: T0.Add(s.at), MergeByKeys: s.mergeBy, Staged: s.staged}
	if len(s.mergeBy) > 0 {
		p.MergeWindow = time.Hour
	}
	a, err := alert.New(p)
	if err != nil {
		t.Fatalf("alert.New: %v", err)
	}
	return a
}

func insert(t *testing.T, st store.Store, specs ...spec) []*alert.Alert {
	t.Helper()
	var as []*alert.Alert
	for _, s := range specs {
		as = append(as, newAlert(t, s))
	}
	if err := st.Insert(ctx, as...); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	return as
}

func get(t *testing.T, st store.Store, id string) *alert.Alert {
	t.Helper()
	a, err := st.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return a
}

func delivery(t *testing.T, st store.Store, id, output string) alert.Delivery {
	t.Helper()
	d, ok := get(t, st, id).Delivery(output)
	if !ok {
		t.Fatalf("alert %s has no output %s", id, output)
	}
	return d
}

func due(t *testing.T, st store.Store, now time.Time, limit int) []store.Pair {
	t.Helper()
	ps, err := st.Due(ctx, store.DueRequest{Now: now, Limit: limit, Lease: time.Minute})
	if err != nil {
		t.Fatalf("Due: %v", err)
	}
	return ps
}

func record(t *testing.T, st store.Store, os ...store.Outcome) {
	t.Helper()
	if err := st.Record(ctx, os...); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func key(p store.Pair) string { return p.Alert.ID + " " + p.Output }

func deepEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, dump(got), dump(want))
	}
}

func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}
