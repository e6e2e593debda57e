package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/store"
)

// Rules evaluates rules on a classified record.
type Rules interface {
	Evaluate(ctx context.Context, rec *classify.Record) ([]Match, error)
}

// Match is a rule that fired on a record: what the alert needs.
type Match struct {
	Rule string
	// Record is the record as the alert keeps it (with threat intel
	// matches added); the classified record when nil.
	Record      json.RawMessage
	Description string
	Severity    string
	Tags        []string
	Outputs     []string
	Publishers  map[string][]string
	Context     json.RawMessage
	MergeByKeys []string
	MergeWindow time.Duration
	Staged      bool
}

// DeadLetter keeps records no schema accepted.
type DeadLetter interface {
	Add(ctx context.Context, failures []*classify.Failure) error
}

// Classifier classifies a batch of raw records from one source.
type Classifier interface {
	Classify(ctx context.Context, src classify.Source, records [][]byte) ([]classify.Result, error)
}

// pipeline turns journal entries into stored alerts: classify, evaluate
// rules, then insert the alerts and acknowledge the entry in one
// transaction. A crash anywhere replays the entry; alert ids derived from
// it make the replay harmless.
type pipeline struct {
	journal  store.Journal
	classify Classifier
	rules    Rules
	dead     DeadLetter
	metrics  *metrics
	log      *slog.Logger
	wake     chan struct{}
	idle     time.Duration
	// alertsAdded tells the dispatcher there is work.
	alertsAdded func()
	// committed, when set, sees every batch of committed alerts.
	committed func([]*alert.Alert)
}

// run processes entries until ctx ends. An entry that fails (a parser
// plugin restarting, the store unavailable) is retried after a pause; later
// entries wait, so records are processed in the order they were accepted.
func (p *pipeline) run(ctx context.Context) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		entries, err := p.journal.Pending(ctx, store.PendingRequest{Limit: 16})
		if err == nil {
			for _, e := range entries {
				if err = p.process(ctx, e); err != nil {
					break
				}
			}
		}
		switch {
		case err != nil && ctx.Err() == nil:
			backoff = min(max(2*backoff, 100*time.Millisecond), 30*time.Second)
			p.log.Warn("pipeline: will retry", "error", err.Error(), "in", backoff)
			wait(ctx, nil, backoff)
		case err == nil && len(entries) == 0:
			backoff = 0
			wait(ctx, p.wake, p.idle)
		default:
			backoff = 0
		}
	}
}

func (p *pipeline) process(ctx context.Context, e store.JournalEntry) error {
	src := classify.Source{Service: e.Service, Resource: e.Resource}
	results, err := p.classify.Classify(ctx, src, e.Records)
	switch {
	case err != nil && (ctx.Err() != nil || pluginhost.Transient(err)):
		return fmt.Errorf("entry %d: classify: %w", e.ID, err)
	case err != nil:
		// A parser that cannot run until a person acts (a plugin marked
		// failed) must not stall every entry behind this one: its records
		// go to the dead letter store with the reason, to be replayed once
		// the plugin is fixed.
		p.log.Error("pipeline: entry cannot be classified; kept in the dead letter store", "entry", e.ID, "source", src.String(), "error", err.Error())
		results = unclassifiable(src, e.Records, err)
	}
	var alerts []*alert.Alert
	var failures []*classify.Failure
	for i, res := range results {
		if res.Failure != nil {
			failures = append(failures, res.Failure)
		}
		for j := range res.Records {
			rec := &res.Records[j]
			p.metrics.ClassifiedRecord(string(rec.LogType), len(rec.Normalized) > 0)
			made, err := p.alertsFor(ctx, e, i, rec)
			if err != nil {
				return fmt.Errorf("entry %d record %d: %w", e.ID, i, err)
			}
			alerts = append(alerts, made...)
		}
	}
	if len(failures) > 0 {
		// Kept before the entry is acknowledged: a crash in between keeps a
		// failure twice, never zero times.
		if err := p.dead.Add(ctx, failures); err != nil {
			return fmt.Errorf("entry %d: dead letter: %w", e.ID, err)
		}
		for _, f := range failures {
			p.metrics.Failed.WithLabelValues(src.String(), string(f.LogType)).Inc()
		}
	}
	err = p.journal.WithJournalTx(ctx, func(tx store.JournalTx) error {
		if err := tx.Insert(ctx, alerts...); err != nil {
			return err
		}
		return tx.Ack(ctx, e.ID)
	})
	if err != nil {
		return fmt.Errorf("entry %d: commit: %w", e.ID, err)
	}
	for _, a := range alerts {
		p.metrics.Alerts.WithLabelValues(a.RuleName).Inc()
	}
	if len(alerts) > 0 && p.committed != nil {
		p.committed(alerts)
	}
	if len(alerts) > 0 && p.alertsAdded != nil {
		p.alertsAdded()
	}
	return nil
}

// alertsFor evaluates rules on one record and builds its alerts.
func (p *pipeline) alertsFor(ctx context.Context, e store.JournalEntry, i int, rec *classify.Record) ([]*alert.Alert, error) {
	matches, err := p.rules.Evaluate(ctx, rec)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	out := make([]*alert.Alert, 0, len(matches))
	for _, m := range matches {
		a, err := alert.New(alert.Params{
			ID:              alert.DerivedID(e.Received, fmt.Sprintf("%d/%d/%d/%s", e.ID, i, rec.Index, m.Rule)),
			Created:         e.Received,
			RuleName:        m.Rule,
			RuleDescription: m.Description,
			Severity:        m.Severity,
			Tags:            m.Tags,
			Record:          recordOf(m, rec),
			Context:         m.Context,
			Outputs:         m.Outputs,
			Publishers:      m.Publishers,
			Cluster:         rec.Cluster,
			LogSource:       string(rec.LogType),
			LogType:         rec.Parser,
			SourceService:   rec.Source.Service,
			SourceEntity:    rec.Source.Resource,
			Staged:          m.Staged,
			MergeByKeys:     m.MergeByKeys,
			MergeWindow:     m.MergeWindow,
		})
		if err != nil {
			return nil, fmt.Errorf("rule %s: alert: %w", m.Rule, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// unclassifiable makes every record of an entry a failure with err as the
// reason.
func unclassifiable(src classify.Source, records [][]byte, err error) []classify.Result {
	out := make([]classify.Result, len(records))
	for i, r := range records {
		out[i].Failure = &classify.Failure{
			Source: src, Raw: r, Size: len(r),
			Attempts: []classify.Attempt{{Reason: "classify: " + err.Error()}},
		}
	}
	return out
}

// recordOf is the record the alert keeps: the rule's view of it (with
// threat intel matches) when it has one, else the classified record.
func recordOf(m Match, rec *classify.Record) json.RawMessage {
	if len(m.Record) > 0 {
		return m.Record
	}
	return rec.Data
}

// wait returns after d, a signal on ch, or the end of ctx.
func wait(ctx context.Context, ch <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-ch:
	case <-t.C:
	}
}
