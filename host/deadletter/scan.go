package deadletter

import (
	"encoding/json"
	"errors"
	"io/fs"
	"time"
)

// Filter selects entries. Zero fields match everything.
type Filter struct {
	Service  string
	Resource string
	LogType  string // the winning schema of partial failures, or any schema tried
	Stage    string
	Since    time.Time // entries at or after
	Until    time.Time // entries before
	// Resolved includes entries already resolved.
	Resolved bool
}

// Match reports whether e passes the filter (resolution aside).
func (f *Filter) Match(e *Entry) bool {
	switch {
	case f.Service != "" && e.Service != f.Service,
		f.Resource != "" && e.Resource != f.Resource,
		f.Stage != "" && e.Stage != f.Stage,
		!f.Since.IsZero() && e.Time.Before(f.Since),
		!f.Until.IsZero() && !e.Time.Before(f.Until):
		return false
	}
	return f.LogType == "" || e.LogType == f.LogType || tried(e, f.LogType)
}

func tried(e *Entry, logType string) bool {
	for _, a := range e.Attempts {
		if a.LogType == logType {
			return true
		}
	}
	return false
}

// Scan calls fn with each entry that passes f, oldest first, until fn
// returns false. Entries Put while Scan runs may or may not be seen.
func (s *Store) Scan(f Filter, fn func(Entry) bool) error {
	s.mu.Lock()
	seqs, err := s.segmentSeqs()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	stop := errors.New("stop")
	for _, seq := range seqs {
		_, err := scanLines(s.segmentPath(seq), func(_ int64, line []byte) error {
			var e Entry
			if json.Unmarshal(line, &e) != nil || !inSegment(e.ID, seq) {
				return nil // corrupt; counted at Open
			}
			if !f.Resolved && s.isResolved(e.ID) || !f.Match(&e) {
				return nil
			}
			if !fn(e) {
				return stop
			}
			return nil
		})
		switch {
		case errors.Is(err, stop):
			return nil
		case errors.Is(err, fs.ErrNotExist): // compacted away meanwhile
		case err != nil:
			return err
		}
	}
	return nil
}

// List returns up to limit entries that pass f (all when limit <= 0).
func (s *Store) List(f Filter, limit int) ([]Entry, error) {
	var out []Entry
	err := s.Scan(f, func(e Entry) bool {
		out = append(out, e)
		return limit <= 0 || len(out) < limit
	})
	return out, err
}

func (s *Store) isResolved(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resolved[id]
}
