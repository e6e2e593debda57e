package staging

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/streamalert-go/sa/host/rules"
)

// DefaultPeriod is how long a new rule stays staged.
const DefaultPeriod = 48 * time.Hour

// Options configure a Manager.
type Options struct {
	// Period is how long a rule is staged; DefaultPeriod when 0.
	Period time.Duration
	// Budget is the most alerts a staged rule may raise and still be
	// promoted at the end of its period; 0 promotes only silent rules.
	Budget int64
	Now    func() time.Time
	Logger *slog.Logger
}

// Manager holds the staging states in memory, answers the engine's
// Staged questions from them, counts staged alerts and persists changes
// to its Store. It is safe for concurrent use.
type Manager struct {
	store Store
	opts  Options

	mu     sync.RWMutex
	states map[string]State
	dirty  map[string]bool // counts not yet saved
}

// New loads the states from store.
func New(ctx context.Context, store Store, opts Options) (*Manager, error) {
	if opts.Period == 0 {
		opts.Period = DefaultPeriod
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	states, err := store.Load(ctx)
	if err != nil {
		return nil, err
	}
	return &Manager{store: store, opts: opts, states: states, dirty: map[string]bool{}}, nil
}

// Staged implements rules.Staging.
func (m *Manager) Staged(rule string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.states[rule].Staged
}

// Count records one alert of a staged rule. Counts are saved by Flush
// (and by Promote), so counting costs no I/O per alert.
func (m *Manager) Count(rule string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.states[rule]
	if !ok || !s.Staged {
		return
	}
	s.Alerts++
	m.states[rule] = s
	m.dirty[rule] = true
}

// Flush saves the counts recorded since the last save.
func (m *Manager) Flush(ctx context.Context) error {
	m.mu.Lock()
	var changed []State
	for r := range m.dirty {
		changed = append(changed, m.states[r])
	}
	m.dirty = map[string]bool{}
	m.mu.Unlock()
	if len(changed) == 0 {
		return nil
	}
	return m.store.Save(ctx, changed, nil)
}

// Sync brings the table in line with the rules deployed, as StreamAlert
// does on deploy: rules new to the table are staged — unless skip is set
// or the table is empty (a first deployment stages nothing) — and rules
// no longer deployed are removed. It returns the rules it staged.
func (m *Manager) Sync(ctx context.Context, deployed []*rules.Rule, skip bool) ([]string, error) {
	m.mu.Lock()
	first := len(m.states) == 0
	now := m.opts.Now().UTC()
	var added []State
	var staged []string
	names := map[string]bool{}
	for _, r := range deployed {
		names[r.Name] = true
		if _, known := m.states[r.Name]; known {
			continue
		}
		s := State{Rule: r.Name}
		if !first && !skip {
			s = m.stage(r.Name, now)
			staged = append(staged, r.Name)
		}
		added = append(added, s)
	}
	var removed []string
	for name := range m.states {
		if !names[name] {
			removed = append(removed, name)
		}
	}
	m.apply(added, removed)
	m.mu.Unlock()
	return staged, m.store.Save(ctx, added, removed)
}

func (m *Manager) stage(rule string, now time.Time) State {
	return State{Rule: rule, Staged: true, StagedAt: now, StagedUntil: now.Add(m.opts.Period)}
}

// apply installs states and removals in memory; the caller holds mu.
func (m *Manager) apply(states []State, removed []string) {
	for _, s := range states {
		m.states[s.Rule] = s
	}
	for _, r := range removed {
		delete(m.states, r)
		delete(m.dirty, r)
	}
}

// Stage stages a known rule for a new period, resetting its count.
func (m *Manager) Stage(ctx context.Context, rule string) error {
	return m.update(ctx, rule, func(State) State { return m.stage(rule, m.opts.Now().UTC()) })
}

// Unstage promotes a rule at once.
func (m *Manager) Unstage(ctx context.Context, rule string) error {
	return m.update(ctx, rule, func(s State) State { s.Staged = false; return s })
}

func (m *Manager) update(ctx context.Context, rule string, f func(State) State) error {
	m.mu.Lock()
	s, ok := m.states[rule]
	if !ok {
		m.mu.Unlock()
		return fmt.Errorf("staging: no rule %q in the staging table", rule)
	}
	s = f(s)
	m.states[rule] = s
	delete(m.dirty, rule)
	m.mu.Unlock()
	return m.store.Save(ctx, []State{s}, nil)
}

// Promote unstages every rule whose period is over and whose alerts
// stayed within the budget, saving pending counts too; it returns the
// rules promoted.
func (m *Manager) Promote(ctx context.Context) ([]string, error) {
	now := m.opts.Now()
	m.mu.Lock()
	var changed []State
	var promoted []string
	for name, s := range m.states {
		switch {
		case s.Staged && !now.Before(s.StagedUntil) && s.Alerts <= m.opts.Budget:
			s.Staged = false
			m.states[name] = s
			promoted = append(promoted, name)
			changed = append(changed, s)
		case m.dirty[name]:
			changed = append(changed, s)
		}
	}
	m.dirty = map[string]bool{}
	m.mu.Unlock()
	slices.Sort(promoted)
	for _, r := range promoted {
		m.opts.Logger.Info("rule promoted out of staging", "rule", r)
	}
	if len(changed) == 0 {
		return promoted, nil
	}
	return promoted, m.store.Save(ctx, changed, nil)
}

// States returns every rule's state, sorted by rule.
func (m *Manager) States() []State {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := slices.Collect(maps.Values(m.states))
	slices.SortFunc(out, func(a, b State) int { return strings.Compare(a.Rule, b.Rule) })
	return out
}

// Digest describes the staged rules for the daily message: subject and
// body, most alerting rules first; ok is false when nothing is staged.
func (m *Manager) Digest() (subject, body string, ok bool) {
	now := m.opts.Now().UTC()
	var staged []State
	for _, s := range m.States() {
		if s.Staged {
			staged = append(staged, s)
		}
	}
	if len(staged) == 0 {
		return "", "", false
	}
	slices.SortStableFunc(staged, func(a, b State) int { return int(b.Alerts - a.Alerts) })
	subject = fmt.Sprintf("Alert statistics for %d staged rule(s) [%s UTC]", len(staged), now.Format("2006-01-02 15:04:05"))
	var b strings.Builder
	for _, s := range staged {
		fmt.Fprintf(&b, "Rule: %s\n", s.Rule)
		fmt.Fprintf(&b, "\tStaged at: %s UTC\n", s.StagedAt.UTC().Format("2006-01-02 15:04:05"))
		fmt.Fprintf(&b, "\tStaged until: %s UTC\n", s.StagedUntil.UTC().Format("2006-01-02 15:04:05"))
		if left := s.StagedUntil.Sub(now); left > 0 {
			fmt.Fprintf(&b, "\tRemaining: %s\n", left.Round(time.Minute))
		} else {
			fmt.Fprintf(&b, "\tPast staging by %s (over its alert budget of %d)\n", (-left).Round(time.Minute), m.opts.Budget)
		}
		fmt.Fprintf(&b, "\tAlerts: %d\n\n", s.Alerts)
	}
	return subject, b.String(), true
}

var _ rules.Staging = (*Manager)(nil)
