package lookup

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/streamalert-go/sa/host/rules"
)

// Loader reads a whole table: a JSON object of key to value, decoded as
// rules.DecodeValue decodes (ints as int64, other numbers float64).
type Loader interface {
	Load(ctx context.Context) (map[string]any, error)
}

// Fetcher reads one key of a table; ok is false when the key is absent.
type Fetcher interface {
	Fetch(ctx context.Context, key string) (value any, ok bool, err error)
}

// Table is one named table and its driver, a Loader or a Fetcher.
type Table struct {
	Name string
	// Loader or Fetcher: exactly one is set.
	Loader  Loader
	Fetcher Fetcher
	// Refresh is how long data is reused before it is read again; 0
	// reads a Loader once and never caches a Fetcher's answers.
	Refresh time.Duration
	// MaxKeys bounds a Fetcher's cache; 0 is unbounded.
	MaxKeys int
	// Err, when set, says why the table has no driver (a driver this
	// runtime lacks, say); the table is reported and served empty.
	Err error
}

// Options configure New.
type Options struct {
	// Report is told of every failure to read a table, with its name. It
	// is called at most once per table per ReportInterval.
	Report func(table string, err error)
	// ReportInterval defaults to a minute.
	ReportInterval time.Duration
	// Timeout bounds one read by a driver; 10 seconds by default.
	Timeout time.Duration
	// RetryAfter is how long a table that failed to load waits before it
	// is tried again; a minute by default.
	RetryAfter time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
}

// Tables serves every configured table. It implements rules.Lookup and
// is safe for concurrent use.
type Tables struct {
	tables map[string]table
	opts   Options

	mu       sync.Mutex
	reported map[string]time.Time
}

// table is the behaviour the two cache kinds share.
type table interface {
	get(key string) (any, bool)
}

// New serves tables. A table with neither or both drivers is served as
// always empty, and reported.
func New(opts Options, tables ...Table) *Tables {
	if opts.ReportInterval == 0 {
		opts.ReportInterval = time.Minute
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.RetryAfter == 0 {
		opts.RetryAfter = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	t := &Tables{tables: map[string]table{}, opts: opts, reported: map[string]time.Time{}}
	for _, tb := range tables {
		switch {
		case tb.Err != nil:
			t.report(tb.Name, tb.Err)
			t.tables[tb.Name] = emptyTable{}
		case tb.Loader != nil && tb.Fetcher == nil:
			t.tables[tb.Name] = newWhole(t, tb)
		case tb.Fetcher != nil && tb.Loader == nil:
			t.tables[tb.Name] = newKeyed(t, tb)
		default:
			t.report(tb.Name, errNoDriver)
			t.tables[tb.Name] = emptyTable{}
		}
	}
	return t
}

// Get returns the value under key in the named table. An unknown table,
// an absent key and an unreadable table all answer false.
func (t *Tables) Get(name, key string) (any, bool) {
	tb, ok := t.tables[name]
	if !ok {
		return nil, false
	}
	return tb.get(key)
}

// Names lists the tables served.
func (t *Tables) Names() []string {
	out := make([]string, 0, len(t.tables))
	for name := range t.tables {
		out = append(out, name)
	}
	return out
}

// report tells of a failure, once per table per interval.
func (t *Tables) report(name string, err error) {
	now := t.opts.Now()
	t.mu.Lock()
	last, seen := t.reported[name]
	if seen && now.Sub(last) < t.opts.ReportInterval {
		t.mu.Unlock()
		return
	}
	t.reported[name] = now
	t.mu.Unlock()
	t.opts.Logger.Warn("lookup table unavailable; rules get their defaults", "table", name, "error", err.Error())
	if t.opts.Report != nil {
		t.opts.Report(name, err)
	}
}

func (t *Tables) context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), t.opts.Timeout)
}

type emptyTable struct{}

func (emptyTable) get(string) (any, bool) { return nil, false }

var _ rules.Lookup = (*Tables)(nil)
