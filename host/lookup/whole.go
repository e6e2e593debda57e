package lookup

import (
	"errors"
	"sync"
	"time"
)

var errNoDriver = errors.New("lookup: table has no driver")

// whole caches a table read at once. The first reader waits for the
// first load; after that, readers never wait: an expired table is
// refreshed in the background while the old contents keep serving.
type whole struct {
	t  *Tables
	tb Table

	mu       sync.Mutex
	data     map[string]any
	loaded   bool      // data holds a successful load
	next     time.Time // when to read again
	loading  bool
	firstRun chan struct{} // closed when the first attempt ends
}

func newWhole(t *Tables, tb Table) *whole {
	return &whole{t: t, tb: tb, firstRun: make(chan struct{})}
}

func (w *whole) get(key string) (any, bool) {
	w.mu.Lock()
	first := !w.loading && !w.loaded && w.next.IsZero()
	due := !w.loading && !w.next.IsZero() && !w.t.opts.Now().Before(w.next)
	if first || due {
		w.loading = true
		go w.load(first)
	}
	w.mu.Unlock()
	<-w.firstRun
	w.mu.Lock()
	defer w.mu.Unlock()
	v, ok := w.data[key]
	return v, ok
}

// load reads the table and installs it, or keeps what was there and
// reports the failure.
func (w *whole) load(first bool) {
	ctx, cancel := w.t.context()
	data, err := w.tb.Loader.Load(ctx)
	cancel()
	w.mu.Lock()
	now := w.t.opts.Now()
	switch {
	case err != nil:
		w.next = now.Add(w.t.opts.RetryAfter)
	case w.tb.Refresh > 0:
		w.data, w.loaded, w.next = data, true, now.Add(w.tb.Refresh)
	default:
		w.data, w.loaded, w.next = data, true, farFuture
	}
	w.loading = false
	w.mu.Unlock()
	if err != nil {
		w.t.report(w.tb.Name, err)
	}
	if first {
		close(w.firstRun)
	}
}

// farFuture is "never again" for tables read once.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
