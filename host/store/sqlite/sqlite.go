// Package sqlite is the embedded alert store of `sa serve`: one SQLite file
// opened with the pure-Go modernc.org/sqlite driver.
//
// Durability. The file is in WAL mode and every write is one transaction on
// a single writer connection, so writes never contend with each other inside
// the process and readers (the CLI, listing) never block them. With the
// default [Full] durability SQLite fsyncs the WAL at every commit, so a
// committed alert survives kill -9, an OS crash and power loss; [Normal]
// skips that fsync and survives kill -9 (committed pages are in the OS page
// cache, which outlives the process) but may lose the last commits on power
// loss or an OS crash, never corrupting the file. Full is the default
// because the store holds alerts that exist nowhere else once ingest has
// answered 200, and alerts are few next to records: a commit costs one
// fsync, and callers batch (Insert takes many alerts, Record many outcomes).
//
// Other settings: busy_timeout (default 5s) so a second process (the CLI)
// waits for the lock instead of failing; foreign keys on; transactions BEGIN
// IMMEDIATE so a read-then-write transaction never has to upgrade its lock;
// the WAL is trimmed to 64 MiB after checkpoints. The file and its directory
// are created private (0600/0700): alerts carry log records.
//
// The schema is versioned: embedded migrations/NNNN_name.sql files are
// applied in order, each in its own transaction, and recorded in
// schema_migrations; a file whose schema is newer than this sa knows is
// refused with [store.ErrSchemaTooNew] rather than misread.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/streamalert-go/sa/host/store"
)

// Durability selects how far a commit is pushed before it returns.
type Durability int

const (
	// Full fsyncs the WAL at every commit (synchronous=FULL): commits
	// survive power loss. The default.
	Full Durability = iota
	// Normal leaves the fsync to checkpoints (synchronous=NORMAL): commits
	// survive the process being killed, not power loss.
	Normal
)

// Options tune the store; the zero value is the production default.
type Options struct {
	Durability Durability
	// BusyTimeout is how long a write waits for another process's lock
	// before failing with store.ErrUnavailable. Default 5s.
	BusyTimeout time.Duration
	// MaxAttempts is the attempt budget of a pair: once that many
	// attempts were started and none succeeded, the pair is failed.
	// Default 10.
	MaxAttempts int
	// Readers caps the read connections. Default 4.
	Readers int
}

func (o Options) withDefaults() Options {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.Readers <= 0 {
		o.Readers = 4
	}
	return o
}

// Store is the SQLite alert store. It is safe for concurrent use.
type Store struct {
	path        string
	w           *sql.DB // exactly one connection: every write goes through it
	r           *sql.DB // read-only connections
	maxAttempts int
}

// Open opens or creates the store at path and brings its schema up to date.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := create(abs); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, classify(err))
	}
	s := &Store{path: abs, maxAttempts: opts.MaxAttempts}
	if err := s.open(ctx, opts); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// create makes the directory and an empty file with private permissions,
// because SQLite would create them world-readable under the usual umask and
// gives its -wal and -shm files the database file's mode.
func create(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

func (s *Store) open(ctx context.Context, opts Options) error {
	sync := "FULL"
	if opts.Durability == Normal {
		sync = "NORMAL"
	}
	busy := strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)
	var err error
	s.w, err = sql.Open("sqlite", dsn(s.path, url.Values{
		"_busy_timeout": {busy}, "_journal_mode": {"WAL"}, "_synchronous": {sync},
		"_foreign_keys": {"1"}, "_txlock": {"immediate"},
		"_pragma": {"journal_size_limit(67108864)"},
	}))
	if err != nil {
		return err
	}
	s.w.SetMaxOpenConns(1)
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return classify(err)
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, not wal: the file system may not support WAL", mode)
	}
	if err := migrate(ctx, s.w); err != nil {
		return err
	}
	s.r, err = sql.Open("sqlite", dsn(s.path, url.Values{
		"_busy_timeout": {busy}, "_foreign_keys": {"1"}, "_query_only": {"1"},
	}))
	if err != nil {
		return err
	}
	s.r.SetMaxOpenConns(opts.Readers)
	return nil
}

// dsn builds a file: URI, escaping the path so that '?', '#' or '%' in a
// directory name cannot be read as URI syntax.
func dsn(path string, params url.Values) string {
	u := url.URL{Path: filepath.ToSlash(path)}
	return "file:" + u.EscapedPath() + "?" + params.Encode()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the store; calls after Close fail.
func (s *Store) Close() error {
	var errs []error
	for _, db := range []*sql.DB{s.r, s.w} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// write runs fn in a write transaction and commits it; errors are wrapped
// once here with op and classified.
func (s *Store) write(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback() // a no-op after Commit
	if err := fn(tx); err != nil {
		return wrap(op, err)
	}
	return wrap(op, tx.Commit())
}

// newToken returns a random lease token, unique across processes sharing
// the file without any coordination between them.
func newToken() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("store: crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
	return int64(binary.BigEndian.Uint64(b[:]) >> 1)
}

var _ store.Store = (*Store)(nil)
