package ruletest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/classify/testevent"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/publish"
	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/threatintel"
)

// Options configure a run.
type Options struct {
	Config     *config.Config
	Classifier *classify.Classifier
	// RuleFiles and MatcherFiles are the rule pack under test.
	RuleFiles    []rules.File
	MatcherFiles []rules.File
	// Only, when set, keeps the events expecting one of these rules (as
	// StreamAlert's --rules), and the coverage check to these rules.
	Only []string
	// Now is the clock of "<helper:last_hour>" and last_hour();
	// time.Now by default.
	Now    func() time.Time
	Logger *slog.Logger
	// Composer builds the publications publisher_tests check; sa's
	// publishers by default.
	Composer *publish.Composer
}

// Result is one event's outcome.
type Result struct {
	Event *testevent.Event
	// Classified is the log type the first record classified as, "" when
	// none was.
	Classified string
	// Expected are the rules the event expects, disabled ones removed;
	// Fired those that fired; both sorted.
	Expected []string
	Fired    []string
	// RuleErrors are errors rules raised on the event's records.
	RuleErrors []rules.RuleError
	// Unclassified says why records of the event were not classified:
	// each schema tried and its reason.
	Unclassified []string
	// Err is set when the event could not be run (a malformed event, a
	// classifier failure).
	Err error
	// PublisherFailures are the publisher_tests checks that failed, one
	// message each.
	PublisherFailures []string
}

// Passed reports whether the event did what it expects.
func (r *Result) Passed() bool {
	if r.Err != nil || r.Classified != r.Event.Log {
		return false
	}
	return r.Event.ClassifyOnly || slices.Equal(r.Expected, r.Fired) && len(r.PublisherFailures) == 0
}

// Summary is a whole run.
type Summary struct {
	Results []Result
	// LoadErrors are test files that could not be read.
	LoadErrors []error
	// Untested lists enabled rules no event fires; NoNegative those
	// without an event of their log types that does not fire them.
	Untested   []string
	NoNegative []string
}

// Failed counts the events that did not pass.
func (s *Summary) Failed() int {
	n := 0
	for i := range s.Results {
		if !s.Results[i].Passed() {
			n++
		}
	}
	return n
}

// runner holds one run's engine and the fixtures it swaps per event.
type runner struct {
	opts   Options
	engine *rules.Engine
	tables *tables
	intel  *threatintel.Live
	tiCfg  threatintel.Config
	tiOn   bool
	errs   []rules.RuleError
	events *testevent.Runner
}

// Run loads the test events under paths (files, or directories of *.json
// files) and runs them. The error is for a rule pack that does not load
// (a rules.Problems) or a threat intel configuration that is invalid.
func Run(ctx context.Context, opts Options, paths []string) (*Summary, error) {
	r, err := newRunner(opts)
	if err != nil {
		return nil, err
	}
	events, loadErrs := testevent.Load(paths)
	sum := &Summary{LoadErrors: loadErrs}
	for _, ev := range events {
		if !r.selected(ev) {
			continue
		}
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		sum.Results = append(sum.Results, r.run(ctx, ev))
	}
	sum.Untested, sum.NoNegative = r.coverage(sum.Results)
	return sum, nil
}

func newRunner(opts Options) (*runner, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Composer == nil {
		opts.Composer = publish.New(publish.Options{Logger: opts.Logger})
	}
	r := &runner{opts: opts, tables: &tables{}, tiCfg: threatintel.ConfigFrom(opts.Config.ThreatIntel)}
	r.tiOn = opts.Config.ThreatIntel.Enabled && slices.ContainsFunc(opts.Config.Clusters,
		func(c *config.Cluster) bool { return c.EnableThreatIntel })
	empty, err := threatintel.New(r.tiCfg)
	if err != nil {
		return nil, err
	}
	r.intel = threatintel.NewLive(empty)
	ropts := rules.Options{
		Rules: opts.RuleFiles, Matchers: opts.MatcherFiles, Schemas: rules.ConfSchemas(opts.Config),
		Lookup: r.tables, Errors: errorSink{r}, Logger: opts.Logger, Now: opts.Now,
		Random:        func(float64) bool { return true },
		ErrorInterval: -1, // every error of every event is reported
	}
	if r.tiOn {
		ropts.ThreatIntel = r.intel
	}
	if r.engine, err = rules.New(ropts); err != nil {
		return nil, err
	}
	r.events = &testevent.Runner{Config: opts.Config, Classifier: opts.Classifier, Now: opts.Now}
	return r, nil
}

type errorSink struct{ r *runner }

// RuleError implements rules.ErrorSink.
func (s errorSink) RuleError(e rules.RuleError) { s.r.errs = append(s.r.errs, e) }

// selected applies Options.Only.
func (r *runner) selected(ev *testevent.Event) bool {
	if len(r.opts.Only) == 0 {
		return true
	}
	return slices.ContainsFunc(ev.TriggerRules, func(name string) bool { return slices.Contains(r.opts.Only, name) })
}

// run classifies one event and, unless it is classify_only, evaluates
// its records with its fixtures in place.
func (r *runner) run(ctx context.Context, ev *testevent.Event) Result {
	res := Result{Event: ev, Expected: r.expected(ev)}
	out := r.events.Run(ctx, ev)
	res.Classified = string(out.Found)
	for _, f := range out.Failures {
		for _, a := range f.Attempts {
			res.Unclassified = append(res.Unclassified, fmt.Sprintf("%s: %s", a.LogType, a.Reason))
		}
	}
	for _, f := range out.Undecoded {
		res.Unclassified = append(res.Unclassified, f.Reason)
	}
	if out.Err != nil {
		res.Err = out.Err
		return res
	}
	if ev.ClassifyOnly {
		return res
	}
	fx, err := decodeFixtures(ev.Keys["test_fixtures"])
	if err == nil {
		err = r.setFixtures(fx)
	}
	var pubTests map[string][]publisherTest
	if err == nil && !skipPublishers(ev) {
		pubTests, err = decodePublisherTests(ev.Keys["publisher_tests"])
	}
	if err != nil {
		res.Err = err
		return res
	}
	r.errs = nil
	fired := map[string]bool{}
	for _, rec := range out.Records {
		ms, err := r.engine.Evaluate(ctx, record(rec))
		if err != nil {
			res.Err = fmt.Errorf("evaluate: %w", err)
			return res
		}
		for _, m := range ms {
			fired[m.Rule.Name] = true
		}
		if len(pubTests) > 0 {
			res.PublisherFailures = append(res.PublisherFailures, checkPublishers(r.opts.Composer, pubTests, ms)...)
		}
	}
	for name := range fired {
		res.Fired = append(res.Fired, name)
	}
	slices.Sort(res.Fired)
	res.RuleErrors = r.errs
	return res
}

// skipPublishers is the event's skip_publishers flag.
func skipPublishers(ev *testevent.Event) bool {
	var skip bool
	json.Unmarshal(ev.Keys["skip_publishers"], &skip)
	return skip
}

func (r *runner) setFixtures(fx fixtures) error {
	if err := r.tables.set(fx); err != nil {
		return err
	}
	store, err := threatintel.New(r.tiCfg)
	if err != nil {
		return err
	}
	if err := store.AddAll(fx.ThreatIntel); err != nil {
		return fmt.Errorf("test_fixtures.threat_intel: %w", err)
	}
	r.intel.Swap(store)
	return nil
}

// expected is trigger_rules less the disabled rules, sorted, each once;
// a rule that does not exist stays, so the event fails and says so.
func (r *runner) expected(ev *testevent.Event) []string {
	var out []string
	for _, name := range ev.TriggerRules {
		if rule, ok := r.engine.Rule(name); ok && rule.Disabled {
			continue
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// record adapts a classified record to the engine's input.
func record(rec classify.Record) rules.Record {
	return rules.Record{
		LogType: string(rec.LogType), Parser: rec.Parser, Service: rec.Source.Service,
		Source: rec.Source.Resource, Cluster: rec.Cluster, Raw: rec.Data,
	}
}

// coverage lists the enabled rules (of Only, when set) that no event
// fires, and those with no event of their log types that leaves them
// silent.
func (r *runner) coverage(results []Result) (untested, noNegative []string) {
	for _, rule := range r.engine.Rules() {
		if rule.Disabled || len(r.opts.Only) > 0 && !slices.Contains(r.opts.Only, rule.Name) {
			continue
		}
		positive, negative := false, false
		for i := range results {
			res := &results[i]
			if res.Err != nil || res.Event.ClassifyOnly {
				continue
			}
			if slices.Contains(res.Fired, rule.Name) {
				positive = true
			} else if len(rule.Logs) == 0 || slices.Contains(rule.Logs, res.Classified) {
				negative = true
			}
		}
		if !positive {
			untested = append(untested, rule.Name)
		}
		if !negative && !firesAlways(rule) {
			noNegative = append(noNegative, rule.Name)
		}
	}
	return untested, noNegative
}

// firesAlways reports a rule meant to fire on every record of its log
// types (trendmicro_malware_event): no event can leave it silent.
func firesAlways(r *rules.Rule) bool {
	return strings.TrimSpace(r.Condition) == "true" && len(r.Matchers) == 0 && len(r.ReqSubkeys) == 0 && len(r.Datatypes) == 0
}
