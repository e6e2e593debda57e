package apptest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// errCrash is what the driver's emit returns to cut a poll short.
var errCrash = errors.New("apptest: simulated crash")

// Driver polls an app instance again and again while its source grows, as
// the host does: it passes the state of the last batch it committed,
// commits each batch's logs with its state, polls again at once when a
// batch says More, and now and then crashes the plugin part way through a
// poll, dropping the batches not yet committed. Zero fields take the
// defaults in parentheses.
type Driver struct {
	Source   *Source
	Gatherer Gatherer
	// IDOf maps an emitted log back to its source event's ID.
	IDOf func(log []byte) (string, error)
	// Polls is how many polls run while events arrive (30).
	Polls int
	// Arrivals is the most events arriving before each poll (40).
	Arrivals int
	// CrashRate is the share of polls cut short (0.25); half of the cuts
	// come after a random number of batches, half after a random delay.
	CrashRate float64
	// ShortRate is the share of polls given ShortBudget, so they stop with
	// More part way (0.2).
	ShortRate float64
	// Budget is a poll's normal budget (10s); ShortBudget the short one
	// (400ms).
	Budget      time.Duration
	ShortBudget time.Duration
	// Gap is the most time between polls (30ms).
	Gap time.Duration
	// Seed makes the driver's choices repeatable (1).
	Seed uint64
	// Logf, when set, receives a line per poll.
	Logf func(format string, args ...any)
}

// Report is what a Driver run found.
type Report struct {
	Events, Emitted, Polls, Crashes, Batches int
	// Missed are the IDs of events never committed; Duplicated those
	// committed more than once; Unknown logs the driver could not map.
	Missed, Duplicated, Unknown []string
	// State is the last committed state.
	State []byte
	// Logs are the committed logs, in commit order.
	Logs [][]byte
}

// Texts returns the committed state and logs as strings, for leak checks.
func (r Report) Texts() []string {
	out := []string{string(r.State)}
	for _, l := range r.Logs {
		out = append(out, string(l))
	}
	return out
}

// Check fails t unless every event was committed exactly once.
func (r Report) Check(t testing.TB) {
	t.Helper()
	if len(r.Missed) > 0 || len(r.Duplicated) > 0 || len(r.Unknown) > 0 {
		t.Errorf("%d events, %d logs committed over %d polls (%d crashes): %d missed %v, %d duplicated %v, %d unknown %q",
			r.Events, r.Emitted, r.Polls, r.Crashes, len(r.Missed), head(r.Missed), len(r.Duplicated), head(r.Duplicated),
			len(r.Unknown), head(r.Unknown))
	}
	if r.Events == 0 {
		t.Error("the source produced no events")
	}
}

func head(s []string) []string { return s[:min(len(s), 10)] }

func (d *Driver) defaults() {
	def := func(v *int, x int) {
		if *v == 0 {
			*v = x
		}
	}
	def(&d.Polls, 30)
	def(&d.Arrivals, 40)
	if d.CrashRate == 0 {
		d.CrashRate = 0.25
	}
	if d.ShortRate == 0 {
		d.ShortRate = 0.2
	}
	if d.Budget == 0 {
		d.Budget = 10 * time.Second
	}
	if d.ShortBudget == 0 {
		d.ShortBudget = 400 * time.Millisecond
	}
	if d.Gap == 0 {
		d.Gap = 30 * time.Millisecond
	}
	if d.Seed == 0 {
		d.Seed = 1
	}
	if d.Logf == nil {
		d.Logf = func(string, ...any) {}
	}
}

// run is one Driver run in progress.
type run struct {
	d     *Driver
	rng   *rand.Rand
	state []byte
	rep   Report
	// ids are the IDs committed so far; fresh counts first commits.
	ids   map[string]bool
	fresh int
}

// Run polls while events arrive, then stops the arrivals and polls until
// the plugin has nothing more, and reports what was missed or repeated.
func (d *Driver) Run(t testing.TB) Report {
	t.Helper()
	d.defaults()
	r := &run{d: d, rng: rand.New(rand.NewPCG(d.Seed, 7)), ids: map[string]bool{}}
	for i := range d.Polls {
		d.Source.Generate(r.rng.IntN(d.Arrivals + 1))
		r.poll(t, i, true)
		time.Sleep(time.Duration(r.rng.Int64N(int64(d.Gap) + 1)))
	}
	d.Source.Stop()
	r.drain(t)
	return r.report()
}

// drain polls without crashes until two polls in a row bring no event not
// committed before and say no more.
func (r *run) drain(t testing.TB) {
	t.Helper()
	quiet := 0
	for i := 0; quiet < 2; i++ {
		if i >= 200 {
			t.Fatalf("apptest: the plugin still had more after %d drain polls", i)
		}
		before := r.fresh
		more := r.poll(t, r.d.Polls+i, false)
		if r.fresh == before && !more {
			quiet++
		} else {
			quiet = 0
		}
	}
}

// poll runs one Gather, maybe cut short, and commits its batches. It
// returns whether the last committed batch said More.
func (r *run) poll(t testing.TB, n int, chaos bool) bool {
	t.Helper()
	r.rep.Polls++
	budget := r.d.Budget
	if chaos && r.rng.Float64() < r.d.ShortRate {
		budget = r.d.ShortBudget
	}
	crashAfter, crashDelay := -1, time.Duration(0)
	if chaos && r.rng.Float64() < r.d.CrashRate {
		if r.rng.IntN(2) == 0 {
			crashAfter = r.rng.IntN(3)
		} else {
			crashDelay = time.Duration(r.rng.Int64N(int64(200 * time.Millisecond)))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if crashDelay > 0 {
		time.AfterFunc(crashDelay, cancel)
	}
	more, batches := false, 0
	err := r.d.Gatherer.Gather(ctx, r.state, budget, func(b saplugin.Batch) error {
		if batches == crashAfter || ctx.Err() != nil {
			cancel()
			return errCrash
		}
		batches++
		r.commit(b)
		more = b.More
		return nil
	})
	crashed := crashAfter >= 0 && batches == crashAfter || crashDelay > 0 && ctx.Err() != nil
	if crashed {
		r.rep.Crashes++
		r.d.Gatherer.Crash(t)
	}
	r.d.Logf("poll %d: budget %s, %d batches, more %v, crashed %v, err %v", n, budget, batches, more, crashed, err)
	if err != nil && !crashed {
		t.Errorf("apptest: poll %d failed without a crash: %v", n, err)
	}
	return more && !crashed
}

// commit keeps a batch's logs and state, as the host's transaction does.
func (r *run) commit(b saplugin.Batch) {
	r.rep.Batches++
	for _, l := range b.Logs {
		r.rep.Logs = append(r.rep.Logs, slices.Clone(l))
		if id, err := r.d.IDOf(l); err == nil && !r.ids[id] {
			r.ids[id] = true
			r.fresh++
		}
	}
	r.rep.Emitted += len(b.Logs)
	r.state = slices.Clone(b.State)
}

// report compares the committed logs with the source.
func (r *run) report() Report {
	rep := r.rep
	rep.State = r.state
	counts := map[string]int{}
	for _, l := range rep.Logs {
		id, err := r.d.IDOf(l)
		if err != nil {
			rep.Unknown = append(rep.Unknown, fmt.Sprintf("%.80s (%v)", l, err))
			continue
		}
		counts[id]++
	}
	all := r.d.Source.Visible()
	rep.Events = len(all)
	known := map[string]bool{}
	for _, e := range all {
		known[e.ID] = true
		if counts[e.ID] == 0 {
			rep.Missed = append(rep.Missed, e.ID)
		}
	}
	for id, n := range counts {
		switch {
		case !known[id]:
			rep.Unknown = append(rep.Unknown, id)
		case n > 1:
			rep.Duplicated = append(rep.Duplicated, id)
		}
	}
	sort.Strings(rep.Duplicated)
	sort.Strings(rep.Unknown)
	return rep
}
