package deadletter

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func (s *Store) segmentPath(seq int) string {
	return filepath.Join(s.dir, "segments", fmt.Sprintf("%08d.jsonl", seq))
}

// segmentSeqs lists the segment numbers, ascending.
func (s *Store) segmentSeqs() ([]int, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "segments"))
	if err != nil {
		return nil, err
	}
	var seqs []int
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".jsonl")
		if n, err := strconv.Atoi(name); ok && err == nil && n > 0 {
			seqs = append(seqs, n)
		}
	}
	slices.Sort(seqs)
	return seqs, nil
}

// entryID names the entry at offset off of segment seq.
func entryID(seq int, off int64) string { return fmt.Sprintf("%08d-%d", seq, off) }

// parseID returns the segment and offset of an id.
func parseID(id string) (seq int, off int64, ok bool) {
	a, b, found := strings.Cut(id, "-")
	seq, err1 := strconv.Atoi(a)
	off, err2 := strconv.ParseInt(b, 10, 64)
	return seq, off, found && err1 == nil && err2 == nil
}

// inSegment reports whether id names an entry of segment seq. The offset
// part is not checked against the line's place, so a damaged line that
// changed length does not make its successors unreadable.
func inSegment(id string, seq int) bool {
	s, _, ok := parseID(id)
	return ok && s == seq
}

// scanLines calls fn with each complete line of the file at path and its
// offset. It returns the offset after the last complete line, so a torn
// last write (no newline) can be cut off.
func scanLines(path string, fn func(off int64, line []byte) error) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return off, nil // a partial line without '\n' is not counted
		}
		if err != nil {
			return off, err
		}
		if ferr := fn(off, bytes.TrimSuffix(line, []byte("\n"))); ferr != nil {
			return off, ferr
		}
		off += int64(len(line))
	}
}

// scanSegment counts the entries of a segment. In the last segment a torn
// final write is cut off; elsewhere a line that does not decode (the disk
// corrupted it) is skipped and counted.
func (s *Store) scanSegment(seq int, last bool) error {
	info := &segment{}
	s.segs[seq] = info
	end, err := scanLines(s.segmentPath(seq), func(_ int64, line []byte) error {
		var e Entry
		if json.Unmarshal(line, &e) != nil || !inSegment(e.ID, seq) {
			s.corrupt++
			info.bad++
			return nil
		}
		info.entries++
		if s.resolved[e.ID] {
			info.resolved++
			return nil
		}
		s.count(&e).Pending++
		return nil
	})
	if err != nil {
		return err
	}
	if last {
		return os.Truncate(s.segmentPath(seq), end)
	}
	return nil
}

// openActive opens segment seq for appending.
func (s *Store) openActive(seq int) error {
	path := s.segmentPath(seq)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if s.segs[seq] == nil {
		s.segs[seq] = &segment{}
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return err
		}
	}
	if s.active != nil {
		s.active.Close()
	}
	s.active, s.seq, s.size = f, seq, st.Size()
	return nil
}
