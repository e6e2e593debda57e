package rules

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"
)

// DefaultCostLimit is the CEL cost budget of one evaluation of one
// expression when Options.CostLimit is 0: about a tenth of a second of
// work. Conditions of StreamAlert's community rules cost under 200 on
// real records; a few passes over the largest list a record can hold fit,
// a loop nested in a loop over one does not. The budget stops a runaway
// rule from stalling the pipeline, not a rule doing honest work.
const DefaultCostLimit = 10_000_000

// DefaultErrorInterval is how often a failing rule is logged and
// reported when Options.ErrorInterval is 0.
const DefaultErrorInterval = time.Minute

// Options configure New. Only Rules is needed; every other field has a
// working zero value.
type Options struct {
	// Rules and Matchers are the rule and matcher files, in the order
	// rules run (ReadDir sorts by path).
	Rules    []File
	Matchers []File
	// Schemas types the records of each log type; nil leaves every record
	// untyped and accepts any log type name.
	Schemas Schemas
	// KnownOutput, when set, is asked about every static output a rule
	// names (outputs.json's service:descriptor names); an unknown one is a
	// warning, since the rule is still worth running for its other
	// outputs and the alert store.
	KnownOutput func(output string) bool
	// KnownPublisher, when set, must accept every publisher name.
	KnownPublisher func(name string) bool

	// Lookup serves lookup(); nil means no tables, so every lookup
	// returns its default, as with lookup tables disabled.
	Lookup Lookup
	// ThreatIntel, when set, matches each record's normalized values
	// against the IOC store before any rule runs.
	ThreatIntel ThreatIntel
	// Staging, when set, stages rules beyond those whose file says so.
	Staging Staging
	// Errors receives rule errors, throttled per rule.
	Errors ErrorSink
	Logger *slog.Logger
	// Now is the clock of last_hour(); time.Now by default.
	Now func() time.Time
	// Random decides random_bool(p); by default true with probability p.
	// Rule tests force it true, as StreamAlert's did.
	Random func(p float64) bool
	// CostLimit is the CEL cost budget of one expression evaluation;
	// DefaultCostLimit when 0.
	CostLimit uint64
	// ErrorInterval is how often a failing rule is logged and reported;
	// DefaultErrorInterval when 0, every error when negative (tests).
	ErrorInterval time.Duration
}

// ThreatIntel matches a record's normalized values against known
// indicators of compromise. host/threatintel implements it.
type ThreatIntel interface {
	// MatchRecord returns the record's values found in the IOC store, by
	// IOC type ("ip", "domain", "md5", ...); nil when none are.
	MatchRecord(rec map[string]any) map[string][]string
}

// Staging says which rules are staged now: their alerts are kept and
// counted but go to no output.
type Staging interface {
	Staged(rule string) bool
}

// Engine evaluates records against loaded rules. It is safe for
// concurrent use; Evaluate is the only method on the hot path.
type Engine struct {
	rules    []*entry
	byName   map[string]*entry
	matchers []*Matcher
	// byLog indexes, per known log type, the compiled rules to offer its
	// records; anyLog those for other log types.
	byLog  map[string]*ruleIndex
	anyLog *ruleIndex

	ti       ThreatIntel
	staging  Staging
	errors   ErrorSink
	log      *slog.Logger
	interval time.Duration
	now      func() time.Time

	// Warnings are the problems that did not stop the load.
	Warnings Problems
}

// compiled is one rule ready to run on one log type.
type compiled struct {
	spec     *ruleSpec
	entry    *entry
	pos      int // the rule's place in load order
	matchers []namedProgram
	cond     cel.Program
	dynamic  []cel.Program
	// disc, when set, is a value the record must hold for the rule to
	// match (prefilter.go).
	disc *discriminator
}

type namedProgram struct {
	name string
	prg  cel.Program
	disc *discriminator
}

// New loads, checks and compiles the rules and matchers of opts. On
// failure the error is a Problems holding every problem found.
func New(opts Options) (*Engine, error) {
	d := &deps{now: opts.Now, lookup: opts.Lookup, random: opts.Random}
	if d.now == nil {
		d.now = time.Now
	}
	if d.random == nil {
		d.random = func(p float64) bool { return rand.Float64() <= p }
	}
	if opts.CostLimit == 0 {
		opts.CostLimit = DefaultCostLimit
	}
	l := &loader{opts: opts, probs: &problems{}}
	c, err := newCompiler(opts.Schemas, d, opts.CostLimit, l.probs)
	if err != nil {
		return nil, err
	}
	l.c = c
	e := l.load()
	if l.probs.list.sort(); l.probs.list.HasErrors() {
		return nil, l.probs.list
	}
	e.Warnings = l.probs.list
	e.ti, e.staging, e.errors = opts.ThreatIntel, opts.Staging, opts.Errors
	e.log = opts.Logger
	if e.log == nil {
		e.log = slog.Default()
	}
	e.interval = opts.ErrorInterval
	if e.interval == 0 {
		e.interval = DefaultErrorInterval
	}
	e.now = d.now
	return e, nil
}

// Rules returns every loaded rule, disabled ones included, in load order.
func (e *Engine) Rules() []*Rule {
	out := make([]*Rule, len(e.rules))
	for i, en := range e.rules {
		out[i] = en.rule
	}
	return out
}

// Rule returns the rule called name.
func (e *Engine) Rule(name string) (*Rule, bool) {
	en, ok := e.byName[name]
	if !ok {
		return nil, false
	}
	return en.rule, true
}

// Matchers returns every loaded matcher.
func (e *Engine) Matchers() []*Matcher { return slices.Clone(e.matchers) }

// index returns the rules index for records of logType.
func (e *Engine) index(logType string) *ruleIndex {
	if ix, ok := e.byLog[logType]; ok {
		return ix
	}
	return e.anyLog
}

// candidateBufs recycles the scratch lists of Evaluate.
var candidateBufs = sync.Pool{New: func() any { return new([]*compiled) }}

// activation hands `record` and `context` to programs without building a
// map per evaluation.
type activation struct {
	record  map[string]any
	context map[string]any
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "record":
		return a.record, true
	case "context":
		return a.context, a.context != nil
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }

var _ interpreter.Activation = (*activation)(nil)

var activations = sync.Pool{New: func() any { return new(activation) }}

// Evaluate offers rec to every rule that can match it and returns a Match
// for each rule that does, in load order. A rule that fails on rec does
// not match; the failure is counted and reported, never returned. The
// error is for a record that cannot be decoded.
func (e *Engine) Evaluate(ctx context.Context, rec Record) ([]Match, error) {
	data := rec.Data
	if data == nil {
		var err error
		if data, err = DecodeObject(rec.Raw); err != nil {
			return nil, err
		}
	}
	raw := rec.Raw
	if e.ti != nil {
		data, raw = e.annotate(data, raw)
	}
	buf := candidateBufs.Get().(*[]*compiled)
	defer candidateBufs.Put(buf)
	cands, scratch := e.index(rec.LogType).candidates(data, *buf)
	*buf = scratch[:0]
	var out []Match
	for i, c := range cands {
		if i%64 == 0 && ctx.Err() != nil {
			return out, ctx.Err()
		}
		if m, ok := e.run(c, &rec, data); ok {
			if raw == nil {
				raw, _ = json.Marshal(data)
			}
			m.Record = raw
			out = append(out, m)
		}
	}
	return out, nil
}
