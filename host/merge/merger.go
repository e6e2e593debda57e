package merge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// Queue is what the merger needs of the alert store; store.MergeQueue.
type Queue interface {
	MergeRules(ctx context.Context) ([]string, error)
	MergeCandidates(ctx context.Context, req store.CandidatesRequest) ([]*alert.Alert, error)
	ReplaceGroup(ctx context.Context, req store.ReplaceRequest) error
}

// Options tune a Merger; zero fields take the defaults in parentheses.
type Options struct {
	// Tick is the time between passes (1m, StreamAlert's schedule).
	Tick time.Duration
	// Limit caps the candidates read per rule and pass (5000, as
	// StreamAlert).
	Limit int
	// MaxRecordBytes caps a merged record (256 KiB); see the package doc.
	// Negative means no cap.
	MaxRecordBytes int
	// MaxRounds bounds the passes over one rule in one tick when batches
	// come back full (20), so one busy rule cannot hold up the others.
	MaxRounds int
	// Now is the clock (time.Now).
	Now func() time.Time
	// Merged is called after a tick stored merged alerts, so the runtime
	// can wake the dispatcher rather than wait for its next poll.
	Merged func()
	Logger *slog.Logger
}

// DefaultMaxRecordBytes is the cap on a merged record when Options names none.
const DefaultMaxRecordBytes = 256 << 10

func (o Options) withDefaults() Options {
	if o.Tick <= 0 {
		o.Tick = time.Minute
	}
	if o.Limit <= 0 {
		o.Limit = 5000
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.MaxRounds <= 0 {
		o.MaxRounds = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Merger replaces groups of waiting alerts with merged alerts.
type Merger struct {
	q    Queue
	opts Options
	log  *slog.Logger
}

// New returns a merger over q.
func New(q Queue, opts Options) *Merger {
	opts = opts.withDefaults()
	return &Merger{q: q, opts: opts, log: opts.Logger.With("component", "merger")}
}

// Run merges at once and then every tick until ctx ends, and returns nil.
// A failed tick is logged and the next one tries again: the store keeps
// every alert until a group is replaced, so nothing is lost meanwhile.
func (m *Merger) Run(ctx context.Context) error {
	t := time.NewTicker(m.opts.Tick)
	defer t.Stop()
	for {
		res, err := m.Tick(ctx, m.opts.Now())
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			m.log.Error("merge pass failed; retrying next tick", "error", err.Error(), "merged", res.Groups)
		case res.Groups > 0:
			m.log.Info("merged alerts", "groups", res.Groups, "alerts", res.Replaced)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// TickResult counts what one pass did.
type TickResult struct {
	// Rules had alerts waiting; Candidates were read.
	Rules, Candidates int
	// Groups were merged, replacing Replaced alerts.
	Groups, Replaced int
	// Conflicts are groups another merger replaced first (or whose alerts
	// went away); they are skipped.
	Conflicts int
}

// Tick runs one pass over every rule with waiting alerts, as if at now.
// It stops at the first error of the store, returning what it did so far.
func (m *Merger) Tick(ctx context.Context, now time.Time) (TickResult, error) {
	var res TickResult
	rules, err := m.q.MergeRules(ctx)
	if err != nil {
		return res, fmt.Errorf("merge: %w", err)
	}
	res.Rules = len(rules)
	defer func() {
		if res.Groups > 0 && m.opts.Merged != nil {
			m.opts.Merged()
		}
	}()
	for _, rule := range rules {
		if err := m.rule(ctx, rule, now, &res); err != nil {
			return res, fmt.Errorf("merge: rule %s: %w", rule, err)
		}
	}
	return res, nil
}

// rule merges one rule's groups, passing again while batches come back
// full and passes make progress.
func (m *Merger) rule(ctx context.Context, rule string, now time.Time, res *TickResult) error {
	for range m.opts.MaxRounds {
		cands, err := m.q.MergeCandidates(ctx, store.CandidatesRequest{Rule: rule, Limit: m.opts.Limit})
		if err != nil {
			return err
		}
		res.Candidates += len(cands)
		full := len(cands) >= m.opts.Limit
		groups, stopped := plan(cands, now, MaxGroup)
		if full {
			groups = completed(groups, cands[len(cands)-1])
		}
		n, err := m.replace(ctx, groups, now, res)
		if err != nil || !full || stopped || n == 0 {
			return err
		}
	}
	m.log.Warn("merge pass left alerts for the next tick", "rule", rule, "rounds", m.opts.MaxRounds)
	return nil
}

// completed keeps the groups of a full batch that no later alert can join;
// if there are none it keeps them all, so a batch of open groups (many
// distinct keys inside one window) is still merged, as StreamAlert would.
func completed(groups []*group, last *alert.Alert) []*group {
	var done []*group
	for _, g := range groups {
		if g.complete(last, MaxGroup) {
			done = append(done, g)
		}
	}
	if len(done) == 0 {
		return groups
	}
	return done
}

// replace stores each group's merged alert in its place, and returns how
// many groups it replaced.
func (m *Merger) replace(ctx context.Context, groups []*group, now time.Time, res *TickResult) (int, error) {
	n := 0
	for _, g := range groups {
		merged, err := Merge(g.alerts, now, m.opts.MaxRecordBytes)
		if err != nil {
			// A record that cannot be merged is a bug upstream; its
			// alerts stay held, visible in `sa alerts list`.
			m.log.Error("cannot merge group", "rule", g.alerts[0].RuleName, "first", g.alerts[0].ID, "error", err.Error())
			continue
		}
		err = m.q.ReplaceGroup(ctx, store.ReplaceRequest{Merged: merged, Replaces: ids(g.alerts)})
		switch {
		case errors.Is(err, store.ErrConflict):
			res.Conflicts++
			m.log.Warn("merge group changed meanwhile; skipped", "rule", merged.RuleName, "first", g.alerts[0].ID, "error", err.Error())
		case err != nil:
			return n, err
		default:
			n++
			res.Groups++
			res.Replaced += len(g.alerts)
		}
	}
	return n, nil
}

var _ Queue = store.MergeQueue(nil)
