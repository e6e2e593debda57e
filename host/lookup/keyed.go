package lookup

import (
	"sync"
	"time"
)

// keyed caches a per-key table: each answer, absent keys included, is
// reused until the refresh interval passes. A failed read is not cached:
// the rule gets its default, and the next read tries again.
type keyed struct {
	t  *Tables
	tb Table

	mu    sync.RWMutex
	cache map[string]entry
}

type entry struct {
	value   any
	ok      bool
	expires time.Time
}

func newKeyed(t *Tables, tb Table) *keyed {
	return &keyed{t: t, tb: tb, cache: map[string]entry{}}
}

func (k *keyed) get(key string) (any, bool) {
	now := k.t.opts.Now()
	k.mu.RLock()
	e, hit := k.cache[key]
	k.mu.RUnlock()
	if hit && now.Before(e.expires) {
		return e.value, e.ok
	}
	ctx, cancel := k.t.context()
	v, ok, err := k.tb.Fetcher.Fetch(ctx, key)
	cancel()
	if err != nil {
		k.t.report(k.tb.Name, err)
		return nil, false
	}
	if k.tb.Refresh > 0 {
		k.store(key, entry{value: v, ok: ok, expires: now.Add(k.tb.Refresh)})
	}
	return v, ok
}

// store caches e, first evicting an arbitrary key when the cache is full:
// StreamAlert evicts a random one, and Go's map order is as good.
func (k *keyed) store(key string, e entry) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, present := k.cache[key]; !present && k.tb.MaxKeys > 0 && len(k.cache) >= k.tb.MaxKeys {
		for victim := range k.cache {
			delete(k.cache, victim)
			break
		}
	}
	k.cache[key] = e
}
