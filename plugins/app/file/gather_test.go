package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// step changes the files, then expects one poll to deliver want.
type step struct {
	do   func(t *testing.T, dir string)
	want []string
}

func TestGatherPolls(t *testing.T) {
	tests := []struct {
		name  string
		file  string // path relative to the temp dir; "" reads the dir
		raw   map[string]any
		steps []step
	}{
		{name: "appended lines once", file: "app.log", steps: []step{
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "a\nb\n") }, []string{"a", "b"}},
			{func(t *testing.T, d string) { appendFile(t, join(d, "app.log"), "c\n") }, []string{"c"}},
			{func(t *testing.T, d string) {}, []string{}},
		}},
		{name: "partial line held back", file: "app.log", steps: []step{
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "a\nb") }, []string{"a"}},
			{func(t *testing.T, d string) {}, []string{}},
			{func(t *testing.T, d string) { appendFile(t, join(d, "app.log"), "c\nd") }, []string{"bc"}},
		}},
		{name: "blank lines and CRLF", file: "app.log", steps: []step{
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "a\r\n\r\n  \n\nb\n") }, []string{"a", "b"}},
		}},
		{name: "truncated", file: "app.log", steps: []step{
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "aaaa\nbbbb\n") }, []string{"aaaa", "bbbb"}},
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "c\n") }, []string{"c"}},
		}},
		{name: "rewritten in place and grown past the old size", file: "app.log", steps: []step{
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "one\n") }, []string{"one"}},
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "two\nthree\n") }, []string{"two", "three"}},
		}},
		{name: "replaced by a new file", file: "app.log", steps: []step{
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "old1\nold2\n") }, []string{"old1", "old2"}},
			{func(t *testing.T, d string) {
				writeFile(t, join(d, "new.tmp"), "new1\nnew2\nnew3\n")
				if err := os.Rename(join(d, "new.tmp"), join(d, "app.log")); err != nil {
					t.Fatal(err)
				}
			}, []string{"new1", "new2", "new3"}},
		}},
		{name: "rotation by rename keeps progress", raw: map[string]any{propPattern: "app.log*"}, steps: []step{
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "a\nb\n") }, []string{"a", "b"}},
			{func(t *testing.T, d string) {
				appendFile(t, join(d, "app.log"), "c\n")
				if err := os.Rename(join(d, "app.log"), join(d, "app.log.1")); err != nil {
					t.Fatal(err)
				}
				writeFile(t, join(d, "app.log"), "d\n")
			}, []string{"d", "c"}},
			{func(t *testing.T, d string) { appendFile(t, join(d, "app.log"), "e\n") }, []string{"e"}},
		}},
		{name: "directory with pattern in name order", raw: map[string]any{propPattern: "*.log"}, steps: []step{
			{func(t *testing.T, d string) {
				writeFile(t, join(d, "b.log"), "b1\n")
				writeFile(t, join(d, "a.log"), "a1\na2\n")
				writeFile(t, join(d, "c.txt"), "ignored\n")
				if err := os.Mkdir(join(d, "sub.log"), 0o700); err != nil {
					t.Fatal(err)
				}
			}, []string{"a1", "a2", "b1"}},
			{func(t *testing.T, d string) { appendFile(t, join(d, "b.log"), "b2\n") }, []string{"b2"}},
		}},
		{name: "gzip with unterminated last line", raw: map[string]any{propPattern: "*.gz"}, steps: []step{
			{func(t *testing.T, d string) { appendBytes(t, join(d, "old.log.gz"), gzipped(t, "x\ny")) }, []string{"x", "y"}},
			{func(t *testing.T, d string) {}, []string{}},
			{func(t *testing.T, d string) { appendBytes(t, join(d, "old.log.gz"), gzipped(t, "z\n")) }, []string{"z"}},
		}},
		{name: "gzip beside plain files", steps: []step{
			{func(t *testing.T, d string) {
				appendBytes(t, join(d, "1.log.gz"), gzipped(t, "g1\ng2\n"))
				writeFile(t, join(d, "2.log"), "p1\n")
			}, []string{"g1", "g2", "p1"}},
		}},
		{name: "over-long lines skipped", file: "app.log", raw: map[string]any{propMaxLineBytes: 5}, steps: []step{
			{func(t *testing.T, d string) { writeFile(t, join(d, "app.log"), "short\ntoolong\nok\n12345\r\n") }, []string{"short", "ok", "12345"}},
			{func(t *testing.T, d string) { appendFile(t, join(d, "app.log"), "abcdefgh") }, []string{}},
			{func(t *testing.T, d string) { appendFile(t, join(d, "app.log"), "ijk") }, []string{}},
			{func(t *testing.T, d string) { appendFile(t, join(d, "app.log"), "lmn\nnext\n") }, []string{"next"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			app := newTestApp(&syncBuffer{})
			cfg := testConfig(t, join(dir, tt.file), tt.raw)
			var state []byte
			for i, s := range tt.steps {
				s.do(t, dir)
				batches := poll(t, app, context.Background(), cfg, state)
				if got := logsOf(batches); !reflect.DeepEqual(got, s.want) {
					t.Fatalf("poll %d: logs %q, want %q", i+1, got, s.want)
				}
				for _, b := range batches {
					if b.More {
						t.Errorf("poll %d: More set on a poll that reached the end", i+1)
					}
				}
				state = stateAfter(state, batches)
			}
		})
	}
}

func TestGatherOverlongLineIsReported(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, join(dir, "app.log"), "ok\n0123456789\nok2\n")
	logs := &syncBuffer{}
	batches := poll(t, newTestApp(logs), context.Background(), testConfig(t, join(dir, "app.log"), map[string]any{propMaxLineBytes: 4}), nil)
	if got := logsOf(batches); !reflect.DeepEqual(got, []string{"ok", "ok2"}) {
		t.Fatalf("logs %q", got)
	}
	if !strings.Contains(logs.String(), `"file":"`+join(dir, "app.log")+`","line":2`) {
		t.Errorf("warning does not name file and line 2: %s", logs.String())
	}
	var st state
	if err := json.Unmarshal(stateAfter(nil, batches), &st); err != nil {
		t.Fatal(err)
	}
	if got := st.Files[join(dir, "app.log")].Skipped; got != 1 {
		t.Errorf("state counts %d skipped lines, want 1", got)
	}
}

// TestGatherGzipBeingWritten reads a .gz file while it is written: lines
// decoded from the partial stream are delivered, the cut line is not, and
// nothing is lost or repeated once the file is complete.
func TestGatherGzipBeingWritten(t *testing.T) {
	var want []string
	var content strings.Builder
	for i := range 2000 {
		line := fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("x", i%50))
		want = append(want, line)
		content.WriteString(line + "\n")
	}
	full := gzipped(t, content.String())
	dir := t.TempDir()
	path := join(dir, "big.log.gz")
	app := newTestApp(&syncBuffer{})
	cfg := testConfig(t, path, nil)
	var got []string
	var state []byte
	for _, cut := range []int{5, len(full) / 3, 2 * len(full) / 3, len(full)} {
		if err := os.WriteFile(path, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		batches := poll(t, app, context.Background(), cfg, state)
		got = append(got, logsOf(batches)...)
		state = stateAfter(state, batches)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %d lines, want %d, in order, once each", len(got), len(want))
	}
}

// TestGatherResumeAfterBatch cuts a poll after each batch in turn, as a
// host that accepted only k batches would, and resumes from batch k's
// state: every line must arrive exactly once.
func TestGatherResumeAfterBatch(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for f, n := range map[string]int{"a.log": 12, "b.log": 7, "c.log.gz": 4} {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s-%d\n", f, i)
		}
		if strings.HasSuffix(f, ".gz") {
			appendBytes(t, join(dir, f), gzipped(t, b.String()))
		} else {
			writeFile(t, join(dir, f), b.String())
		}
	}
	for _, f := range []string{"a.log", "b.log", "c.log.gz"} {
		for i := range map[string]int{"a.log": 12, "b.log": 7, "c.log.gz": 4}[f] {
			want = append(want, fmt.Sprintf("%s-%d", f, i))
		}
	}
	app := newTestApp(&syncBuffer{})
	cfg := testConfig(t, dir, map[string]any{propBatchSize: 5})
	full := poll(t, app, context.Background(), cfg, nil)
	if len(full) != 5 || len(full[4].Logs) != 3 {
		t.Fatalf("%d batches for 23 lines of batch_size 5", len(full))
	}
	for k := 0; k <= len(full); k++ {
		t.Run(fmt.Sprintf("accepted %d", k), func(t *testing.T) {
			accepted := logsOf(full[:k])
			rest := poll(t, app, context.Background(), cfg, stateAfter(nil, full[:k]))
			if got := append(accepted, logsOf(rest)...); !reflect.DeepEqual(got, want) {
				t.Fatalf("lines %q, want %q", got, want)
			}
			again := poll(t, app, context.Background(), cfg, stateAfter(stateAfter(nil, full[:k]), rest))
			if n := len(logsOf(again)); n != 0 {
				t.Fatalf("a further poll repeated %d lines", n)
			}
		})
	}
}

func TestGatherStops(t *testing.T) {
	dir := t.TempDir()
	var want []string
	var b strings.Builder
	for i := range 30 {
		want = append(want, fmt.Sprint(i))
		fmt.Fprintf(&b, "%d\n", i)
	}
	writeFile(t, join(dir, "app.log"), b.String())
	cfg := testConfig(t, dir, map[string]any{propBatchSize: 10})
	app := newTestApp(&syncBuffer{})

	tests := []struct {
		name string
		// run does one poll that ends early and returns its batches.
		run func() []saplugin.Batch
	}{
		{"cancelled before start", func() []saplugin.Batch {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return poll(t, app, ctx, cfg, nil)
		}},
		{"cancelled after the first batch", func() []saplugin.Batch {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out []saplugin.Batch
			err := app.Gather(ctx, saplugin.GatherRequest{Config: cfg}, func(b saplugin.Batch) error {
				out = append(out, b)
				cancel()
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"budget spent", func() []saplugin.Batch {
			var out []saplugin.Batch
			err := app.Gather(context.Background(), saplugin.GatherRequest{Config: cfg, Budget: 1}, func(b saplugin.Batch) error {
				out = append(out, b)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batches := tt.run()
			if len(batches) == 0 || !batches[len(batches)-1].More {
				t.Fatalf("last of %d batches does not say More", len(batches))
			}
			if n := len(logsOf(batches)); n >= len(want) {
				t.Fatalf("a stopped poll delivered all %d lines", n)
			}
			rest := poll(t, app, context.Background(), cfg, stateAfter(nil, batches))
			if got := append(logsOf(batches), logsOf(rest)...); !reflect.DeepEqual(got, want) {
				t.Fatalf("lines %q, want %q", got, want)
			}
		})
	}
}

func TestGatherErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, join(dir, "app.log"), "a\n")
	errHost := errors.New("host went away")
	tests := []struct {
		name    string
		path    string
		state   string
		emit    error
		wantErr string
	}{
		{"emit fails", join(dir, "app.log"), "", errHost, "host went away"},
		{"missing path", join(dir, "none.log"), "", nil, "no such file"},
		{"state not JSON", join(dir, "app.log"), "{", nil, "decode state"},
		{"state of a newer version", join(dir, "app.log"), `{"v":2,"files":{}}`, nil, "state version 2 is not supported"},
		{"state entry negative", join(dir, "app.log"), `{"v":1,"files":{"/x":{"offset":-1}}}`, nil, "bad entry for /x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newTestApp(&syncBuffer{}).Gather(context.Background(),
				saplugin.GatherRequest{Config: testConfig(t, tt.path, nil), State: []byte(tt.state)},
				func(saplugin.Batch) error { return tt.emit })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if tt.emit != nil && !errors.Is(err, tt.emit) {
				t.Errorf("error %v does not wrap the emit error", err)
			}
		})
	}
}

func TestGatherUnreadableFileDoesNotStopOthers(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	dir := t.TempDir()
	writeFile(t, join(dir, "a.log"), "a\n")
	writeFile(t, join(dir, "b.log"), "b\n")
	if err := os.Chmod(join(dir, "a.log"), 0); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	batches := poll(t, newTestApp(logs), context.Background(), testConfig(t, dir, nil), nil)
	if got := logsOf(batches); !reflect.DeepEqual(got, []string{"b"}) {
		t.Fatalf("logs %q, want only b", got)
	}
	if !strings.Contains(logs.String(), "cannot read file") {
		t.Errorf("no warning for the unreadable file: %s", logs.String())
	}
}
