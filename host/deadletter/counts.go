package deadletter

import (
	"cmp"
	"slices"
)

// Count is the failures of one source and log type at one stage.
type Count struct {
	Stage    string
	Service  string
	Resource string
	// LogType is the schema that won a partial failure, "" when no schema
	// took the record.
	LogType string
	// Added counts entries put since the store was opened: a counter for
	// metrics, which see it reset when the process restarts.
	Added uint64
	// Pending counts the entries in the store not yet resolved.
	Pending int64
}

// Counter is what the metrics layer reads from a dead-letter store.
type Counter interface {
	Counts() []Count
}

type countKey struct{ stage, service, resource, logType string }

// count returns the counter of e's key; the caller holds s.mu.
func (s *Store) count(e *Entry) *Count {
	k := countKey{e.Stage, e.Service, e.Resource, e.LogType}
	c, ok := s.counts[k]
	if !ok {
		c = &Count{Stage: e.Stage, Service: e.Service, Resource: e.Resource, LogType: e.LogType}
		s.counts[k] = c
	}
	return c
}

// Counts returns the counters, sorted by stage, service, resource and log
// type.
func (s *Store) Counts() []Count {
	s.mu.Lock()
	out := make([]Count, 0, len(s.counts))
	for _, c := range s.counts {
		out = append(out, *c)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Stage, b.Stage), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.LogType, b.LogType))
	})
	return out
}

// Corrupt counts the lines Open could not read (a damaged disk); they are
// skipped, never deleted.
func (s *Store) Corrupt() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.corrupt
}

var _ Counter = (*Store)(nil)
