package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// sinkFunc is an ErrorSink that records what it is given.
type sinkFunc func(RuleError)

func (f sinkFunc) RuleError(e RuleError) { f(e) }

// errorLog collects rule errors for assertions.
type errorLog struct {
	mu   sync.Mutex
	errs []RuleError
}

func (l *errorLog) RuleError(e RuleError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, e)
}

func (l *errorLog) all() []RuleError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]RuleError(nil), l.errs...)
}

// quietLog drops the engine's rule error logs, which tests provoke.
var quietLog = slog.New(slog.DiscardHandler)

// fixedNow is the clock of helper tests: 2024-05-01T12:00:00Z.
var fixedNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// ruleFile builds a rule file with one rule on every log type.
func ruleFile(condition string) File {
	return File{Name: "test.yaml", Data: fmt.Appendf(nil, "rules:\n  - name: t\n    condition: %s\n", quoteYAML(condition))}
}

func quoteYAML(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// evalCond evaluates condition on the JSON record rec with one rule and
// returns whether it matched and the error it reported, if any.
func evalCond(t *testing.T, condition, rec string, opts Options) (bool, error) {
	t.Helper()
	var errs errorLog
	opts.Rules = []File{ruleFile(condition)}
	opts.Errors = &errs
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	if opts.Logger == nil {
		opts.Logger = quietLog
	}
	e, err := New(opts)
	if err != nil {
		t.Fatalf("%s: %v", condition, err)
	}
	ms, err := e.Evaluate(context.Background(), Record{LogType: "test:log", Raw: json.RawMessage(rec)})
	if err != nil {
		t.Fatalf("%s: %v", condition, err)
	}
	if got := errs.all(); len(got) > 0 {
		return false, got[0].Err
	}
	return len(ms) == 1, nil
}

// condCase is a condition, a record and the outcome: match, no match, or
// an error whose text contains err.
type condCase struct {
	cond, rec string
	want      bool
	err       string
}

func runCond(t *testing.T, cases []condCase, opts Options) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.cond+" "+c.rec, func(t *testing.T) {
			got, err := evalCond(t, c.cond, c.rec, opts)
			switch {
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("error = %v, want one containing %q", err, c.err)
			case c.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case got != c.want:
				t.Fatalf("matched = %v, want %v", got, c.want)
			}
		})
	}
}

// TestOptionalSemantics pins how the CEL idioms the community pack uses
// for Python's dict.get behave on odd values.
func TestOptionalSemantics(t *testing.T) {
	runCond(t, []condCase{
		{cond: `record.a.?b.orValue("d") == "d"`, rec: `{"a":{}}`, want: true},
		{cond: `record.a.?b.orValue("d") == null`, rec: `{"a":{"b":null}}`, want: true},
		// CEL's optional select is lenient where Python's get was not...
		{cond: `record.a.?b.orValue("d") == "d"`, rec: `{"a":null}`, want: true},
		{cond: `record.a.?b.?c.orValue("d") == "d"`, rec: `{"a":{"b":null}}`, want: true},
		{cond: `record.a.?b.orValue("d") == "d"`, rec: `{"a":"str"}`, want: true},
		// ...so get() is there for rules that must fail as StreamAlert's did.
		{cond: `get(record.a, "b", "d") == "d"`, rec: `{"a":{}}`, want: true},
		{cond: `get(record.a, "b", "d") == null`, rec: `{"a":{"b":null}}`, want: true},
		{cond: `get(record.a, "b") == null`, rec: `{"a":{}}`, want: true},
		{cond: `get(record.a, "b", "d") == "d"`, rec: `{"a":null}`, err: "want an object"},
		{cond: `get(record.a, "b", "d") == "d"`, rec: `{"a":"str"}`, err: "want an object"},
		{cond: `"k" in record.a`, rec: `{"a":{"k":1}}`, want: true},
		{cond: `record.a == 0`, rec: `{"a":0.0}`, want: true},
		{cond: `record.a == false`, rec: `{"a":0}`, want: false},
		{cond: `record.missing == 1`, rec: `{}`, err: "no such key"},
		{cond: `record.x == 1 && record.missing == 1`, rec: `{"x":2}`, want: false},
	}, Options{})
}
