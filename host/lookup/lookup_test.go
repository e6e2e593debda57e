package lookup

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/config"
)

var quiet = slog.New(slog.DiscardHandler)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// loaderFunc and fetcherFunc are drivers made of functions.
type loaderFunc func(context.Context) (map[string]any, error)

func (f loaderFunc) Load(ctx context.Context) (map[string]any, error) { return f(ctx) }

type fetcherFunc func(context.Context, string) (any, bool, error)

func (f fetcherFunc) Fetch(ctx context.Context, k string) (any, bool, error) { return f(ctx, k) }

func TestFileFormats(t *testing.T) {
	doc := []byte(`{"browsers": ["Netscape"], "n": 3, "f": 1.5}`)
	var gz, zl bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(doc)
	w.Close()
	z := zlib.NewWriter(&zl)
	z.Write(doc)
	z.Close()
	dir := t.TempDir()
	for name, data := range map[string][]byte{"plain.json": doc, "t.json.gz": gz.Bytes(), "t.zlib": zl.Bytes()} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		tables := New(Options{Logger: quiet}, Table{Name: "t", Loader: File{Path: path}})
		v, ok := tables.Get("t", "browsers")
		if l, isList := v.([]any); !ok || !isList || l[0] != "Netscape" {
			t.Errorf("%s: browsers = %v, %v", name, v, ok)
		}
		if n, _ := tables.Get("t", "n"); n != int64(3) {
			t.Errorf("%s: n = %#v, want int64 3", name, n)
		}
		if _, ok := tables.Get("t", "missing"); ok {
			t.Errorf("%s: missing key found", name)
		}
	}
}

// TestBrokenTables: every way a table can fail gives "absent" and one
// report naming the table.
func TestBrokenTables(t *testing.T) {
	var reports []string
	var mu sync.Mutex
	opts := Options{Logger: quiet, Report: func(table string, err error) {
		mu.Lock()
		reports = append(reports, table)
		mu.Unlock()
	}}
	tables := New(opts,
		Table{Name: "missing-file", Loader: File{Path: "/nonexistent/table.json"}},
		Table{Name: "not-object", Loader: Static(nil)},
		Table{Name: "no-driver"},
		Table{Name: "failing-fetch", Fetcher: fetcherFunc(func(context.Context, string) (any, bool, error) {
			return nil, false, errors.New("throttled")
		})},
	)
	for _, name := range []string{"missing-file", "no-driver", "failing-fetch", "failing-fetch", "unknown"} {
		if v, ok := tables.Get(name, "k"); ok || v != nil {
			t.Errorf("%s: got %v, %v", name, v, ok)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"missing-file": 1, "no-driver": 1, "failing-fetch": 1}
	got := map[string]int{}
	for _, r := range reports {
		got[r]++
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("reports for %s = %d, want %d (all: %v)", k, got[k], n, reports)
		}
	}
}

// TestWholeRefresh: an expired table is re-read in the background, old
// contents serving meanwhile, and a failed refresh keeps the old data.
func TestWholeRefresh(t *testing.T) {
	clk := &clock{now: time.Unix(1e9, 0)}
	var version atomic.Int64
	var fail atomic.Bool
	loads := make(chan struct{}, 10)
	loader := loaderFunc(func(context.Context) (map[string]any, error) {
		defer func() { loads <- struct{}{} }()
		if fail.Load() {
			return nil, errors.New("boom")
		}
		return map[string]any{"v": version.Add(1)}, nil
	})
	tables := New(Options{Logger: quiet, Now: clk.Now}, Table{Name: "t", Loader: loader, Refresh: 10 * time.Minute})
	get := func() any { v, _ := tables.Get("t", "v"); return v }
	if v := get(); v != int64(1) {
		t.Fatalf("first read = %v", v)
	}
	<-loads
	clk.add(11 * time.Minute)
	if v := get(); v != int64(1) {
		t.Errorf("read while refreshing = %v, want the old 1", v)
	}
	<-loads
	waitFor(t, func() bool { return get() == int64(2) })
	fail.Store(true)
	clk.add(11 * time.Minute)
	get()
	<-loads
	if v := get(); v != int64(2) {
		t.Errorf("after a failed refresh = %v, want the old 2", v)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestKeyedCache(t *testing.T) {
	clk := &clock{now: time.Unix(1e9, 0)}
	var calls atomic.Int64
	f := fetcherFunc(func(_ context.Context, k string) (any, bool, error) {
		calls.Add(1)
		if k == "absent" {
			return nil, false, nil
		}
		return "v-" + k, true, nil
	})
	tables := New(Options{Logger: quiet, Now: clk.Now}, Table{Name: "d", Fetcher: f, Refresh: 3 * time.Minute, MaxKeys: 2})
	for range 3 {
		tables.Get("d", "a")
		tables.Get("d", "absent")
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (hits and misses cached)", n)
	}
	tables.Get("d", "b") // evicts one of the two
	k := tables.tables["d"].(*keyed)
	if n := len(k.cache); n != 2 {
		t.Errorf("cache holds %d keys, want MaxKeys 2", n)
	}
	tables.Get("d", "b")
	if n := calls.Load(); n != 3 {
		t.Errorf("%d fetches, want 3 (b cached)", n)
	}
	clk.add(4 * time.Minute)
	if v, ok := tables.Get("d", "b"); v != "v-b" || !ok {
		t.Errorf("b = %v %v", v, ok)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d fetches after expiry, want 4", n)
	}
}

func TestFromConfig(t *testing.T) {
	c := config.LookupTables{Enabled: true, Tables: []config.LookupTable{
		{Name: "e", Driver: config.DriverEphemeral},
		{Name: "s", Driver: config.DriverS3, Bucket: "b", Key: "k", CacheRefreshMinutes: 10},
		{Name: "d", Driver: config.DriverDynamoDB, CacheRefreshMinutes: 3, CacheMaximumKeyCount: 7},
	}}
	tables := FromConfig(c, Drivers{config.DriverDynamoDB: func(config.LookupTable) (Table, error) {
		return Table{Fetcher: fetcherFunc(func(context.Context, string) (any, bool, error) { return 1, true, nil })}, nil
	}})
	if len(tables) != 3 || tables[0].Loader == nil || tables[1].Err == nil || tables[2].MaxKeys != 7 || tables[2].Refresh != 3*time.Minute {
		t.Errorf("tables = %+v", tables)
	}
	if got := FromConfig(config.LookupTables{Tables: c.Tables}, nil); got != nil {
		t.Errorf("disabled lookup tables gave %v", got)
	}
}
