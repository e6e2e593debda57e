package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/storetest"
)

var ctx = context.Background()

func openTemp(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "state", "alerts.db"), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openTemp(t, Options{MaxAttempts: storetest.Budget, Durability: Normal})
	})
}

func newAlert(t testing.TB, i int) *alert.Alert {
	t.Helper()
	a, err := alert.New(alert.Params{RuleName: "r", Record: json.RawMessage(`{"n":` + itoa(i) + `}`),
		Outputs: []string{"slack:soc", "pagerduty:oncall"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestOpenSettings(t *testing.T) {
	for _, tt := range []struct {
		d    Durability
		sync int
	}{{Full, 2}, {Normal, 1}} {
		s := openTemp(t, Options{Durability: tt.d})
		checks := map[string]int{"synchronous": tt.sync, "foreign_keys": 1, "busy_timeout": 5000}
		for pragma, want := range checks {
			var got int
			if err := s.w.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
				t.Errorf("durability %d: %s = %d, %v; want %d", tt.d, pragma, got, err, want)
			}
		}
		var mode string
		s.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		if mode != "wal" {
			t.Errorf("reader journal_mode = %q", mode)
		}
		if _, err := s.r.ExecContext(ctx, "DELETE FROM state"); err == nil {
			t.Error("the read pool can write")
		}
		fi, err := os.Stat(s.Path())
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode = %v, %v; want 0600", fi.Mode(), err)
		}
		if di, _ := os.Stat(filepath.Dir(s.Path())); di.Mode().Perm() != 0o700 {
			t.Errorf("dir mode = %v, want 0700", di.Mode())
		}
	}
}

func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?x=1#y%20", "alerts.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Insert(ctx, newAlert(t, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the path given: %v", err)
	}
}

func schemaVersion(t *testing.T, s *Store) int {
	t.Helper()
	v, err := version(ctx, s.w)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		t.Fatalf("embedded migrations: %v, %v", ms, err)
	}
	s := openTemp(t, Options{})
	if v := schemaVersion(t, s); v != len(ms) {
		t.Errorf("fresh store at version %d, want %d", v, len(ms))
	}
	for _, table := range []string{"alerts", "deliveries", "state", "schema_migrations"} {
		var n int
		s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n)
		if n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
	a := newAlert(t, 1)
	if err := s.Insert(ctx, a); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()

	// Reopening a current file applies nothing and keeps the data.
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	s.w.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&rows)
	if rows != len(ms) {
		t.Errorf("schema_migrations has %d rows after reopen, want %d", rows, len(ms))
	}
	if _, err := s.Get(ctx, a.ID); err != nil {
		t.Errorf("alert lost across reopen: %v", err)
	}

	// A file from a newer sa is refused, and left alone.
	if _, err := s.w.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, 'from_the_future', 0)`, len(ms)+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(ctx, path, Options{})
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), path) ||
		!strings.Contains(err.Error(), "version "+itoa(len(ms)+1)) {
		t.Errorf("Open of a newer schema: %v", err)
	}
}

func TestMigrationNames(t *testing.T) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if want := strings.Repeat("0", 4-len(itoa(i+1))) + itoa(i+1) + "_"; !strings.HasPrefix(e.Name(), want) {
			t.Errorf("migration %s: want a name starting %s", e.Name(), want)
		}
	}
}

func TestOpenFailures(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o600)
	_, err := Open(ctx, filepath.Join(notDir, "alerts.db"), Options{})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open under a file: %v, want ErrUnavailable", err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600)
	_, err = Open(ctx, garbage, Options{})
	if err == nil || errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), garbage) {
		t.Errorf("Open of a non-database: %v, want a permanent error naming the file", err)
	}
}

// TestDiskFull fills the "disk" by capping the database's size, which
// SQLite reports exactly as a full disk (SQLITE_FULL), and then frees it.
func TestDiskFull(t *testing.T) {
	s := openTemp(t, Options{})
	if err := s.Insert(ctx, newAlert(t, 0)); err != nil {
		t.Fatal(err)
	}
	var pages int
	s.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages)
	if _, err := s.w.ExecContext(ctx, "PRAGMA max_page_count = "+itoa(pages)); err != nil {
		t.Fatal(err)
	}
	var batch []*alert.Alert
	for i := range 200 {
		batch = append(batch, newAlert(t, i+1))
	}
	err := s.Insert(ctx, batch...)
	if !errors.Is(err, store.ErrUnavailable) || !strings.HasPrefix(err.Error(), "store: insert alerts: ") {
		t.Fatalf("Insert on a full disk: %v, want store: insert alerts: ... ErrUnavailable", err)
	}
	var tmp interface{ Temporary() bool }
	if !errors.As(err, &tmp) || !tmp.Temporary() {
		t.Error("error is not Temporary()")
	}
	if _, err := s.Get(ctx, batch[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("part of a failed batch was stored: %v", err)
	}
	err = s.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, batch...); err != nil {
			return err
		}
		return tx.PutState(ctx, "k", []byte("v"))
	})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("WithTx on a full disk: %v", err)
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx, batch...); err != nil {
		t.Errorf("Insert once space is back: %v", err)
	}
}

// TestReadOnly makes the file unwritable. Permissions do not stop root,
// which these tests may run as, so the writer is also reopened with
// SQLite's mode=ro, which refuses writes whoever asks.
func TestReadOnly(t *testing.T) {
	s := openTemp(t, Options{})
	a := newAlert(t, 0)
	if err := s.Insert(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Path(), 0o400); err != nil {
		t.Fatal(err)
	}
	s.w.Close()
	ro, err := openDB(s.Path(), "mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	s.w = ro
	if _, err := s.Get(ctx, a.ID); err != nil {
		t.Errorf("reads fail too: %v", err)
	}
	checks := map[string]error{
		"insert": s.Insert(ctx, newAlert(t, 1)),
		"state":  s.PutState(ctx, "k", []byte("v")),
		"retry":  func() error { _, err := s.Retry(ctx, store.RetryRequest{Now: time.Now()}); return err }(),
		"due":    func() error { _, err := s.Due(ctx, store.DueRequest{Now: time.Now(), Limit: 1}); return err }(),
	}
	for op, err := range checks {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s on a read-only file: %v, want ErrUnavailable", op, err)
		}
	}
}
