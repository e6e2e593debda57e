package deadletter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/streamalert-go/sa/internal/flock"
)

// Options configures a Store. Zero fields take the defaults in
// parentheses.
type Options struct {
	// SegmentBytes is the size past which a new segment file begins
	// (64 MiB).
	SegmentBytes int64
	// Now stamps entries put without a time (time.Now).
	Now func() time.Time
}

// Store is the embedded dead-letter store. It is safe for concurrent use
// by the goroutines of the process that opened it.
type Store struct {
	dir    string
	opts   Options
	unlock func() // releases the store's lock

	mu       sync.Mutex
	active   *os.File
	seq      int   // the active segment
	size     int64 // its size
	segs     map[int]*segment
	resolved map[string]bool
	resFile  *os.File
	counts   map[countKey]*Count
	corrupt  int
}

// segment counts the entries of a segment file, how many are resolved,
// and the lines that could not be read, which keep the file from being
// deleted.
type segment struct{ entries, resolved, bad int }

// ErrLocked is returned by Open when another process holds the store.
var ErrLocked = errors.New("dead-letter store is in use by another process")

// Open opens the store in dir, creating it if needed, repairs a torn last
// write, and counts what it holds.
func Open(dir string, opts Options) (*Store, error) {
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = 64 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Join(dir, "segments"), 0o700); err != nil {
		return nil, fmt.Errorf("deadletter: %w", err)
	}
	s := &Store{dir: dir, opts: opts, segs: map[int]*segment{}, resolved: map[string]bool{}, counts: map[countKey]*Count{}}
	if err := s.takeLock(); err != nil {
		return nil, err
	}
	if err := s.load(); err != nil {
		s.Close()
		return nil, fmt.Errorf("deadletter: open %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) takeLock() error {
	unlock, err := flock.TryLock(filepath.Join(s.dir, "LOCK"))
	if errors.Is(err, flock.ErrLocked) {
		return fmt.Errorf("deadletter: %s: %w", s.dir, ErrLocked)
	}
	if err != nil {
		return fmt.Errorf("deadletter: %w", err)
	}
	s.unlock = unlock
	return nil
}

// load reads the resolved ids and the segments, then opens the last
// segment for appending.
func (s *Store) load() error {
	if err := s.loadResolved(); err != nil {
		return err
	}
	seqs, err := s.segmentSeqs()
	if err != nil {
		return err
	}
	for i, seq := range seqs {
		if err := s.scanSegment(seq, i == len(seqs)-1); err != nil {
			return err
		}
	}
	if len(seqs) == 0 {
		seqs = []int{1}
	}
	if err := s.openActive(seqs[len(seqs)-1]); err != nil {
		return err
	}
	return s.compact()
}

// Close releases the store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, f := range []*os.File{s.active, s.resFile} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	if s.unlock != nil {
		s.unlock()
	}
	s.active, s.resFile, s.unlock = nil, nil, nil
	return errors.Join(errs...)
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// syncDir makes a new or removed file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
