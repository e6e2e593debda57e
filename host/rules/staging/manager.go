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
// to its Store. Every write first reads the store, so changes made by
// other processes (sa rules stage, say) are adopted, not overwritten. It
// is safe for concurrent use.
type Manager struct {
	store Store
	opts  Options

	mu     sync.RWMutex
	states map[string]State
	// pending counts alerts not yet added to the store, per rule and
	// staging period (StagedAt), so counts of a period a rule has since
	// left are dropped rather than added to the next.
	pending map[string]pendingCount
}

type pendingCount struct {
	stagedAt time.Time
	n        int64
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
	return &Manager{store: store, opts: opts, states: states, pending: map[string]pendingCount{}}, nil
}

// Staged implements rules.Staging.
func (m *Manager) Staged(rule string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.states[rule].Staged
}

// Count records one alert of a staged rule. Counts are saved by Flush
// (and every other write), so counting costs no I/O per alert.
func (m *Manager) Count(rule string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.states[rule]
	if !ok || !s.Staged {
		return
	}
	s.Alerts++
	m.states[rule] = s
	p := m.pending[rule]
	if !p.stagedAt.Equal(s.StagedAt) {
		p = pendingCount{stagedAt: s.StagedAt}
	}
	p.n++
	m.pending[rule] = p
}

// update is every write: under the store's lock it adds the pending
// counts to the stored states, applies change, and writes; then the
// result becomes the states in memory, plus counts recorded meanwhile.
func (m *Manager) update(ctx context.Context, change func(map[string]State) error) error {
	m.mu.RLock()
	taken := maps.Clone(m.pending)
	m.mu.RUnlock()
	var result map[string]State
	err := m.store.Update(ctx, func(states map[string]State) error {
		for rule, p := range taken {
			if s, ok := states[rule]; ok && s.Staged && s.StagedAt.Equal(p.stagedAt) {
				s.Alerts += p.n
				states[rule] = s
			}
		}
		if change != nil {
			if err := change(states); err != nil {
				return err
			}
		}
		result = maps.Clone(states)
		return nil
	})
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for rule, p := range taken {
		if q := m.pending[rule]; q.stagedAt.Equal(p.stagedAt) {
			q.n -= p.n
			if q.n == 0 {
				delete(m.pending, rule)
			} else {
				m.pending[rule] = q
			}
		}
	}
	for rule, p := range m.pending {
		if s, ok := result[rule]; ok && s.Staged && s.StagedAt.Equal(p.stagedAt) {
			s.Alerts += p.n
			result[rule] = s
		} else {
			delete(m.pending, rule)
		}
	}
	m.states = result
	return nil
}

// Flush saves the counts recorded since the last write and adopts
// changes other processes made to the store.
func (m *Manager) Flush(ctx context.Context) error {
	return m.update(ctx, nil)
}

// Sync brings the table in line with the rules deployed, as StreamAlert
// does on deploy: rules new to the table are staged — unless skip is set
// or the table is empty (a first deployment stages nothing) — and rules
// no longer deployed are removed. It returns the rules it staged.
func (m *Manager) Sync(ctx context.Context, deployed []*rules.Rule, skip bool) ([]string, error) {
	var staged []string
	err := m.update(ctx, func(states map[string]State) error {
		staged = nil
		first := len(states) == 0
		now := m.opts.Now().UTC()
		names := map[string]bool{}
		for _, r := range deployed {
			names[r.Name] = true
			if _, known := states[r.Name]; known {
				continue
			}
			s := State{Rule: r.Name}
			if !first && !skip {
				s = m.stage(r.Name, now)
				staged = append(staged, r.Name)
			}
			states[r.Name] = s
		}
		for name := range states {
			if !names[name] {
				delete(states, name)
			}
		}
		return nil
	})
	return staged, err
}

func (m *Manager) stage(rule string, now time.Time) State {
	return State{Rule: rule, Staged: true, StagedAt: now, StagedUntil: now.Add(m.opts.Period)}
}

// Stage stages a known rule for a new period, resetting its count.
func (m *Manager) Stage(ctx context.Context, rule string) error {
	return m.change(ctx, rule, func(State) State { return m.stage(rule, m.opts.Now().UTC()) })
}

// Ensure adds the named rules to the table, unstaged, when they are not
// in it yet, leaving every other rule as it is: the sa rules commands act
// on rules a server has not synced yet this way.
func (m *Manager) Ensure(ctx context.Context, names ...string) error {
	return m.update(ctx, func(states map[string]State) error {
		for _, n := range names {
			if _, ok := states[n]; !ok {
				states[n] = State{Rule: n}
			}
		}
		return nil
	})
}

// Budget is the alert budget rules are promoted within.
func (m *Manager) Budget() int64 { return m.opts.Budget }

// Unstage promotes a rule at once.
func (m *Manager) Unstage(ctx context.Context, rule string) error {
	return m.change(ctx, rule, func(s State) State { s.Staged = false; return s })
}

func (m *Manager) change(ctx context.Context, rule string, f func(State) State) error {
	return m.update(ctx, func(states map[string]State) error {
		s, ok := states[rule]
		if !ok {
			return fmt.Errorf("staging: no rule %q in the staging table", rule)
		}
		states[rule] = f(s)
		return nil
	})
}

// Promote unstages every rule whose period is over and whose alerts
// stayed within the budget, saving pending counts too; it returns the
// rules promoted.
func (m *Manager) Promote(ctx context.Context) ([]string, error) {
	now := m.opts.Now()
	var promoted []string
	err := m.update(ctx, func(states map[string]State) error {
		promoted = nil
		for name, s := range states {
			if s.Staged && !now.Before(s.StagedUntil) && s.Alerts <= m.opts.Budget {
				s.Staged = false
				states[name] = s
				promoted = append(promoted, name)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(promoted)
	for _, r := range promoted {
		m.opts.Logger.Info("rule promoted out of staging", "rule", r)
	}
	return promoted, nil
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
