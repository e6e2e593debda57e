package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

// ErrorSink receives rule errors: a rule that failed on a record (a
// missing key, a helper given the wrong type, its cost budget spent). The
// runtime raises a deduplicated "rule error" alert from them. Calls are
// throttled per rule to one per error interval, each carrying how many
// errors it stands for, so a rule failing on every record costs one call
// a minute, not one per record.
type ErrorSink interface {
	RuleError(RuleError)
}

// RuleError is one report of a failing rule.
type RuleError struct {
	Rule    string
	File    string
	Line    int
	LogType string
	// Stage is what failed: "condition", "matcher NAME" or
	// "dynamic_outputs[i]".
	Stage string
	Err   error
	// CostExceeded is set when the rule ran out of its cost budget.
	CostExceeded bool
	// Count is how many errors of this rule this report stands for: this
	// one and those since the last report.
	Count uint64
	// Record is the record of this error, for reproducing it.
	Record json.RawMessage
}

// ErrorAlertRule is the rule name of the alerts sa raises for rule errors.
const ErrorAlertRule = "sa_rule_error"

// Alert is the "rule error" alert of a report, raised at now and sent to
// outputs. Its id derives from the rule, stage, message and hour, so the
// reports of one failure within an hour, from any process, make one
// alert.
func (e RuleError) Alert(now time.Time, outputs []string) (*alert.Alert, error) {
	msg := ""
	if e.Err != nil {
		msg = e.Err.Error()
	}
	rec, err := json.Marshal(map[string]any{
		"rule": e.Rule, "file": e.File, "line": e.Line, "log_type": e.LogType, "stage": e.Stage,
		"error": msg, "cost_exceeded": e.CostExceeded, "count": e.Count, "record": e.Record,
	})
	if err != nil {
		return nil, err
	}
	hour := now.UTC().Truncate(time.Hour)
	return alert.New(alert.Params{
		ID:              alert.DerivedID(hour, "rule-error/"+e.Rule+"/"+e.Stage+"/"+msg),
		Created:         now,
		RuleName:        ErrorAlertRule,
		RuleDescription: fmt.Sprintf("Rule %s failed on %d record(s) at %s: %s", e.Rule, e.Count, e.Stage, msg),
		Severity:        "medium",
		Record:          rec,
		Outputs:         outputs,
		LogSource:       e.LogType,
		SourceService:   "sa",
		SourceEntity:    "rules",
	})
}

// RuleStats are one rule's counters since the engine was built.
type RuleStats struct {
	Rule         string
	Evaluated    uint64 // records the rule was offered
	Matched      uint64
	Errors       uint64
	CostExceeded uint64
}

// entry is a rule's runtime state, shared by its compiled forms.
type entry struct {
	rule                          *Rule
	evaluated, matched, errs, oom atomic.Uint64

	mu       sync.Mutex
	lastSent time.Time
	pending  uint64
}

// Stats returns every rule's counters, in load order.
func (e *Engine) Stats() []RuleStats {
	out := make([]RuleStats, len(e.rules))
	for i, en := range e.rules {
		out[i] = RuleStats{Rule: en.rule.Name, Evaluated: en.evaluated.Load(), Matched: en.matched.Load(),
			Errors: en.errs.Load(), CostExceeded: en.oom.Load()}
	}
	return out
}

// costExceeded recognizes cel-go's budget error, which has no sentinel.
func costExceeded(err error) bool {
	return err != nil && strings.Contains(err.Error(), "cost limit exceeded")
}

// fail counts a rule error and reports it when the rule's interval has
// passed since its last report.
func (e *Engine) fail(c *compiled, rec *Record, stage string, err error) {
	en := c.entry
	en.errs.Add(1)
	oom := costExceeded(err)
	if oom {
		en.oom.Add(1)
	}
	now := e.now()
	en.mu.Lock()
	en.pending++
	if e.interval > 0 && !en.lastSent.IsZero() && now.Sub(en.lastSent) < e.interval {
		en.mu.Unlock()
		return
	}
	n := en.pending
	en.pending, en.lastSent = 0, now
	en.mu.Unlock()

	r := en.rule
	e.log.Warn("rule error", "rule", r.Name, "file", r.File, "line", r.Line, "log_type", rec.LogType,
		"stage", stage, "error", err.Error(), "cost_exceeded", oom, "count", n)
	if e.errors != nil {
		e.errors.RuleError(RuleError{Rule: r.Name, File: r.File, Line: r.Line, LogType: rec.LogType, Stage: stage,
			Err: err, CostExceeded: oom, Count: n, Record: rec.Raw})
	}
}

// errNotBool is a condition or matcher that gave a non-boolean value, a
// possibility only for expressions typed dyn.
var errNotBool = errors.New("result is not a boolean")
