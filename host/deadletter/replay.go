package deadletter

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// ReplayFunc classifies an entry again. It returns true when the record is
// now classified and handed on, so the entry can be resolved; an error
// stops the replay.
type ReplayFunc func(ctx context.Context, e Entry) (fixed bool, err error)

// ReplayStats counts what a replay did.
type ReplayStats struct {
	Tried   int // entries given to the ReplayFunc
	Fixed   int // resolved
	Failing int // still failing, kept
	Skipped int // not replayable (decode failures, truncated records), kept
}

// replayBatch is how many fixed entries are resolved, and the cursor
// moved, at a time.
const replayBatch = 256

// Replay passes the unresolved, replayable entries that match f to fn,
// oldest first, and resolves those fn fixed. With resume, it starts after
// the cursor an interrupted replay left; a replay that finishes removes
// the cursor.
func (s *Store) Replay(ctx context.Context, f Filter, resume bool, fn ReplayFunc) (ReplayStats, error) {
	var st ReplayStats
	after := ""
	if resume {
		after = s.readCursor()
	}
	var fixed []Entry
	var last string
	var ferr error
	flush := func() error {
		if err := s.Resolve(fixed); err != nil {
			return err
		}
		fixed = fixed[:0]
		return s.writeCursor(last)
	}
	f.Resolved = false
	err := s.Scan(f, func(e Entry) bool {
		if after != "" && !idAfter(e.ID, after) {
			return true
		}
		last = e.ID
		if !e.Replayable() {
			st.Skipped++
			return true
		}
		st.Tried++
		ok, err := fn(ctx, e)
		switch {
		case err != nil:
			ferr = err
			return false
		case ok:
			st.Fixed++
			fixed = append(fixed, e)
		default:
			st.Failing++
		}
		if len(fixed) >= replayBatch {
			ferr = flush()
		}
		return ferr == nil
	})
	if err == nil {
		err = flush()
	}
	if err = errors.Join(ferr, err); err != nil {
		return st, err
	}
	return st, s.clearCursor()
}

// idAfter reports whether id comes after the id cursor.
func idAfter(id, cursor string) bool {
	s1, o1, ok1 := parseID(id)
	s2, o2, ok2 := parseID(cursor)
	if !ok1 || !ok2 {
		return true
	}
	return s1 > s2 || s1 == s2 && o1 > o2
}

type cursor struct {
	After string `json:"after"`
}

func (s *Store) cursorPath() string { return filepath.Join(s.dir, "cursor.json") }

func (s *Store) readCursor() string {
	data, err := os.ReadFile(s.cursorPath())
	var c cursor
	if err != nil || json.Unmarshal(data, &c) != nil {
		return ""
	}
	return c.After
}

// writeCursor records, atomically, that replay got past id.
func (s *Store) writeCursor(id string) error {
	if id == "" {
		return nil
	}
	data, _ := json.Marshal(cursor{After: id})
	tmp := s.cursorPath() + ".tmp"
	if err := writeSync(tmp, data); err != nil {
		return err
	}
	return os.Rename(tmp, s.cursorPath())
}

func (s *Store) clearCursor() error {
	if err := os.Remove(s.cursorPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
