package deadletter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/classify"
)

func open(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func entry(service, resource, logType, raw string) Entry {
	return Entry{Stage: StageClassify, Service: service, Resource: resource, LogType: logType, Raw: []byte(raw), Size: len(raw),
		Attempts: []Attempt{{LogType: "a:b", Reason: "keys differ"}}}
}

func TestPutListReopen(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := open(t, dir, Options{Now: func() time.Time { return now }})
	entries := []Entry{entry("kinesis", "s1", "", "one"), entry("s3", "b", "x:y", "two\xff"), entry("kinesis", "s1", "", "three")}
	entries[1].Stage = StageDecode
	if err := s.Put(entries); err != nil {
		t.Fatal(err)
	}
	if entries[0].ID != "00000001-0" || entries[1].ID == "" || !entries[2].Time.Equal(now) {
		t.Errorf("ids and times not set: %+v", entries)
	}
	list, err := s.List(Filter{Service: "kinesis"}, 0)
	if err != nil || len(list) != 2 || string(list[1].Raw) != "three" || list[0].Attempts[0].Reason != "keys differ" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	for _, f := range []Filter{{LogType: "a:b"}, {Stage: StageDecode}, {Since: now}, {Until: now.Add(time.Second)}} {
		if got, _ := s.List(f, 0); len(got) == 0 {
			t.Errorf("filter %+v matched nothing", f)
		}
	}
	if got, _ := s.List(Filter{Until: now}, 0); len(got) != 0 {
		t.Errorf("Until is exclusive: %d", len(got))
	}
	if got, _ := s.List(Filter{}, 2); len(got) != 2 {
		t.Errorf("limit: %d", len(got))
	}
	s.Close()
	s = open(t, dir, Options{})
	list, _ = s.List(Filter{Resource: "b"}, 0)
	if len(list) != 1 || string(list[0].Raw) != "two\xff" || list[0].Stage != StageDecode {
		t.Fatalf("after reopen: %+v", list)
	}
	counts := s.Counts()
	if len(counts) != 2 || counts[0].Stage != StageClassify || counts[0].Pending != 2 || counts[0].Added != 0 {
		t.Errorf("counts after reopen %+v", counts)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	open(t, dir, Options{})
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open: %v", err)
	}
}

// TestTornWrite: a crash mid-write leaves a partial last line, which Open
// cuts off; a damaged line elsewhere is skipped, not fatal.
func TestTornWrite(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	if err := s.Put([]Entry{entry("k", "s", "", "one"), entry("k", "s", "", "two")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	seg := filepath.Join(dir, "segments", "00000001.jsonl")
	f, _ := os.OpenFile(seg, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"00000001-9999","stage":"classi`)
	f.Close()
	s = open(t, dir, Options{})
	if list, _ := s.List(Filter{}, 0); len(list) != 2 {
		t.Fatalf("after a torn write: %d entries", len(list))
	}
	if err := s.Put([]Entry{entry("k", "s", "", "three")}); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.List(Filter{}, 0); len(list) != 3 || string(list[2].Raw) != "three" {
		t.Fatalf("append after repair: %+v", list)
	}
	s.Close()
	data, _ := os.ReadFile(seg)
	os.WriteFile(seg, []byte(strings.Replace(string(data), `"raw":"two"`, `"raw":tw`, 1)), 0o600)
	s = open(t, dir, Options{})
	if list, _ := s.List(Filter{}, 0); len(list) != 2 || s.Corrupt() != 1 {
		t.Errorf("damaged line: %d entries, %d corrupt", len(list), s.Corrupt())
	}
}

func TestRotationAndCompaction(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{SegmentBytes: 600})
	for i := range 10 {
		if err := s.Put([]Entry{entry("k", "s", "", strings.Repeat("x", 100+i))}); err != nil {
			t.Fatal(err)
		}
	}
	segs, _ := os.ReadDir(filepath.Join(dir, "segments"))
	if len(segs) < 3 {
		t.Fatalf("%d segments for 10 entries of 600-byte segments", len(segs))
	}
	all, _ := s.List(Filter{}, 0)
	if err := s.Resolve(all[:len(all)-1]); err != nil {
		t.Fatal(err)
	}
	segs, _ = os.ReadDir(filepath.Join(dir, "segments"))
	if len(segs) != 1 {
		t.Errorf("%d segments left after resolving all but the newest", len(segs))
	}
	s.Close()
	s = open(t, dir, Options{})
	if left, _ := s.List(Filter{}, 0); len(left) != 1 || left[0].ID != all[len(all)-1].ID {
		t.Errorf("left after reopen: %+v", left)
	}
	if res, _ := os.ReadFile(filepath.Join(dir, "resolved.jsonl")); len(res) > 200 {
		t.Errorf("resolved.jsonl kept ids of deleted segments: %s", res)
	}
}

func TestReplay(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	entries := []Entry{entry("k", "s", "", "fixme"), entry("k", "s", "", "broken"), entry("k", "s", "", "fixme too")}
	decode := Entry{Stage: StageDecode, Service: "k", Raw: []byte("x"), Size: 1, Reason: "bad base64"}
	cut := entry("k", "s", "", "fix")
	cut.Size = 100
	if err := s.Put(append(entries, decode, cut)); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("stop here")
	fix := func(_ context.Context, e Entry) (bool, error) {
		if string(e.Raw) == "broken" {
			return false, boom
		}
		return strings.HasPrefix(string(e.Raw), "fix"), nil
	}
	st, err := s.Replay(context.Background(), Filter{}, false, fix)
	if !errors.Is(err, boom) || st.Fixed != 1 || st.Tried != 2 {
		t.Fatalf("interrupted replay: %+v, %v", st, err)
	}
	st, err = s.Replay(context.Background(), Filter{}, true, func(ctx context.Context, e Entry) (bool, error) {
		if string(e.Raw) == "broken" {
			t.Error("resume replayed the entry before the cursor")
		}
		return fix(ctx, e)
	})
	if err != nil || st.Fixed != 1 || st.Skipped != 2 || st.Tried != 1 {
		t.Fatalf("resumed replay: %+v, %v", st, err)
	}
	left, _ := s.List(Filter{}, 0)
	if len(left) != 3 || string(left[0].Raw) != "broken" {
		t.Errorf("left: %+v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "cursor.json")); !os.IsNotExist(err) {
		t.Error("a finished replay left its cursor")
	}
	c := s.Counts()
	if len(c) != 2 || c[0].Pending != 2 || c[0].Added != 4 {
		t.Errorf("counts %+v", c)
	}
}

func TestAddFailures(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	f := &classify.Failure{Source: classify.Source{Service: "kinesis", Resource: "s"}, Raw: []byte("x"), Size: 3,
		LogType: "a:b", Rejected: []classify.Rejection{{Index: 2, Reason: "bad"}}}
	if err := s.Add(context.Background(), []*classify.Failure{f}); err != nil {
		t.Fatal(err)
	}
	list, _ := s.List(Filter{}, 0)
	if len(list) != 1 || list[0].Replayable() || list[0].Rejected[0].Index != 2 || list[0].LogType != "a:b" {
		t.Errorf("stored %+v", list)
	}
}
