package deadletter

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Put stores entries durably: when it returns nil they are on disk. It
// sets each entry's ID, and its Time when zero. On error none of the
// entries written in the failing segment count as stored, and the caller
// should keep them.
func (s *Store) Put(entries []Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active == nil {
		return errors.New("deadletter: store is closed")
	}
	var buf []byte
	var pending []*Entry
	for i := range entries {
		e := &entries[i]
		if e.Time.IsZero() {
			e.Time = s.opts.Now().UTC()
		}
		line, err := s.encode(e, int64(len(buf)))
		if err != nil {
			return err
		}
		if s.size+int64(len(buf)) > 0 && s.size+int64(len(buf)+len(line)) > s.opts.SegmentBytes {
			if err := s.commit(buf, pending); err != nil {
				return err
			}
			if err := s.openActive(s.seq + 1); err != nil {
				return fmt.Errorf("deadletter: new segment: %w", err)
			}
			buf, pending = buf[:0], pending[:0]
			if line, err = s.encode(e, 0); err != nil {
				return err
			}
		}
		buf = append(buf, line...)
		pending = append(pending, e)
	}
	return s.commit(buf, pending)
}

// encode renders e as the line at offset off past the active segment's
// current end.
func (s *Store) encode(e *Entry, off int64) ([]byte, error) {
	e.ID = entryID(s.seq, s.size+off)
	line, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("deadletter: encode entry: %w", err)
	}
	return append(line, '\n'), nil
}

// commit writes buf to the active segment and fsyncs it, then counts the
// entries. A failed write is cut off again so that a retry starts clean.
func (s *Store) commit(buf []byte, entries []*Entry) error {
	if len(buf) == 0 {
		return nil
	}
	_, err := s.active.Write(buf)
	if err == nil {
		err = s.active.Sync()
	}
	if err != nil {
		_ = s.active.Truncate(s.size)
		return fmt.Errorf("deadletter: write %s: %w", s.active.Name(), err)
	}
	s.size += int64(len(buf))
	s.segs[s.seq].entries += len(entries)
	for _, e := range entries {
		c := s.count(e)
		c.Added++
		c.Pending++
	}
	return nil
}
