package deadletter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// resolvedLine is one line of resolved.jsonl.
type resolvedLine struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
}

func (s *Store) resolvedPath() string { return filepath.Join(s.dir, "resolved.jsonl") }

// loadResolved reads resolved.jsonl, cutting off a torn last line, and
// opens it for appending.
func (s *Store) loadResolved() error {
	path := s.resolvedPath()
	end, err := scanLines(path, func(_ int64, line []byte) error {
		var r resolvedLine
		if json.Unmarshal(line, &r) == nil && r.ID != "" {
			s.resolved[r.ID] = true
		}
		return nil
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		if err := os.Truncate(path, end); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.resFile = f
	return nil
}

// Resolve marks entries as dealt with (replayed successfully): they leave
// List, Replay and the pending counts. It is durable when it returns nil.
// Entries already resolved, or unknown, are ignored.
func (s *Store) Resolve(entries []Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resFile == nil {
		return errors.New("deadletter: store is closed")
	}
	var buf []byte
	var todo []*Entry
	now := s.opts.Now().UTC()
	for i := range entries {
		e := &entries[i]
		seq, _, ok := parseID(e.ID)
		if !ok || s.resolved[e.ID] || s.segs[seq] == nil {
			continue
		}
		line, _ := json.Marshal(resolvedLine{ID: e.ID, Time: now})
		buf = append(append(buf, line...), '\n')
		todo = append(todo, e)
	}
	if len(todo) == 0 {
		return nil
	}
	if _, err := s.resFile.Write(buf); err != nil {
		return fmt.Errorf("deadletter: write resolved: %w", err)
	}
	if err := s.resFile.Sync(); err != nil {
		return fmt.Errorf("deadletter: sync resolved: %w", err)
	}
	for _, e := range todo {
		s.resolved[e.ID] = true
		seq, _, _ := parseID(e.ID)
		s.segs[seq].resolved++
		s.count(e).Pending--
	}
	return s.compact()
}

// compact deletes the segments, other than the active one, whose entries
// are all resolved, then rewrites resolved.jsonl without their ids so it
// does not grow for ever.
func (s *Store) compact() error {
	var gone []int
	for seq, info := range s.segs {
		if seq != s.seq && info.bad == 0 && info.resolved >= info.entries {
			if err := os.Remove(s.segmentPath(seq)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("deadletter: remove resolved segment: %w", err)
			}
			gone = append(gone, seq)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	for _, seq := range gone {
		delete(s.segs, seq)
	}
	if err := syncDir(filepath.Join(s.dir, "segments")); err != nil {
		return err
	}
	return s.rewriteResolved()
}

// rewriteResolved replaces resolved.jsonl, atomically, with the ids of
// segments that still exist.
func (s *Store) rewriteResolved() error {
	var buf []byte
	for id := range s.resolved {
		seq, _, _ := parseID(id)
		if s.segs[seq] == nil {
			delete(s.resolved, id)
			continue
		}
		line, _ := json.Marshal(resolvedLine{ID: id})
		buf = append(append(buf, line...), '\n')
	}
	tmp := s.resolvedPath() + ".tmp"
	if err := writeSync(tmp, buf); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.resolvedPath()); err != nil {
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	f, err := os.OpenFile(s.resolvedPath(), os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.resFile.Close()
	s.resFile = f
	return nil
}

// writeSync writes a file and fsyncs it.
func writeSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
