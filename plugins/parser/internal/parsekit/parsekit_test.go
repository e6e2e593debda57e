package parsekit

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"
)

func TestRun(t *testing.T) {
	parse := func(raw []byte, out *Out) error {
		switch s := string(raw); {
		case s == "panic":
			var m map[string]int
			m["x"] = 1 // a nil map write: a runtime panic
		case s == "none":
			return nil
		case s == "error":
			return errors.New("bad record")
		case strings.HasPrefix(s, "reject"):
			out.Reject("element 1: no")
			if s == "reject+add" {
				out.Add([]byte(`{"a":1}`))
			}
			if s == "reject2" {
				out.Reject("element 2: no")
			}
		default:
			out.Envelope = []byte(`{"e":1}`)
			out.Add([]byte(`{"b":2}`))
		}
		return nil
	}
	records := []string{"ok", "panic", "none", "error", "reject", "reject2", "reject+add", strings.Repeat("x", 10)}
	raw := make([][]byte, len(records))
	for i, r := range records {
		raw[i] = []byte(r)
	}
	res, err := Run(context.Background(), raw, parse)
	if err != nil {
		t.Fatal(err)
	}
	errs := []string{"", "internal error: parser panicked: assignment to entry in nil map", "no records in input", "bad record",
		"element 1: no", "all 2 extracted records rejected; first: element 1: no", "", ""}
	for i, want := range errs {
		if res[i].Err != want {
			t.Errorf("%s: Err = %q, want %q", records[i], res[i].Err, want)
		}
	}
	if c := res[0].Candidates; len(c) != 1 || string(c[0].Record) != `{"b":2}` || string(c[0].Envelope) != `{"e":1}` {
		t.Errorf("ok: candidates %+v", c)
	}
	if c := res[6].Candidates; len(c) != 2 || c[0].Record != nil || c[0].Envelope != nil || string(c[1].Record) != `{"a":1}` {
		t.Errorf("reject+add: candidates %+v", c)
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", MaxErrLen)
	got := clip(long)
	if len(got) > MaxErrLen+len("…") || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("clip gave %d bytes: %q", len(got), got)
	}
	if clip("short") != "short" {
		t.Error("clip changed a short message")
	}
}

func TestCache(t *testing.T) {
	var builds atomic.Int32
	c := NewCache(func(schema, options []byte) (string, error) {
		builds.Add(1)
		if string(options) == "bad" {
			return "", Invalid("bad options")
		}
		return string(schema) + "|" + string(options), nil
	})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			v, err := c.Get([]byte("s"), []byte("o"))
			if err != nil || v != "s|o" {
				t.Errorf("Get %d = %q, %v", i, v, err)
			}
		})
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("%d builds for one key", n)
	}
	// ("ab", "c") and ("a", "bc") are different entries.
	a, _ := c.Get([]byte("ab"), []byte("c"))
	b, _ := c.Get([]byte("a"), []byte("bc"))
	if a == b {
		t.Errorf("keys collided: %q", a)
	}
	for range 2 {
		if _, err := c.Get(nil, []byte("bad")); err == nil {
			t.Error("a failed build was not reported")
		}
	}
	if n := builds.Load(); n != 4 {
		t.Errorf("%d builds, want 4: failures are cached too", n)
	}
	for i := range CacheSize + 10 {
		c.Get(nil, fmt.Appendf(nil, "%d", i))
	}
	if len(c.entries) != CacheSize || len(c.order) != CacheSize {
		t.Errorf("cache holds %d entries, %d in order; bound %d", len(c.entries), len(c.order), CacheSize)
	}
}

func TestCachePanic(t *testing.T) {
	c := NewCache(func(schema, options []byte) (int, error) { panic("compiler bug") })
	if _, err := c.Get(nil, nil); err == nil || !strings.Contains(err.Error(), "compiler bug") {
		t.Errorf("Get after a panicking build: %v", err)
	}
}

func TestEnvelope(t *testing.T) {
	doc := []byte(`{"a": 1, "b\u0022": [2], "c": {"d": 3}, "a": 12345678901234567890}`)
	got, err := Envelope(doc, []string{"c", "a", "b\"", "missing"})
	if err != nil || string(got) != `{"c":{"d": 3},"a":12345678901234567890,"b\"":[2]}` {
		t.Errorf("Envelope = %s, %v", got, err)
	}
	if got, err := Envelope(doc, nil); got != nil || err != nil {
		t.Errorf("Envelope without keys = %s, %v", got, err)
	}
	if _, err := Envelope([]byte(`[1]`), []string{"a"}); err == nil || err.Error() != "envelope_keys need the record to be a JSON object; it is an array" {
		t.Errorf("Envelope of an array: %v", err)
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"a,b,c", "a,b,c", ""},
		{`"a \"b\"\n"`, "a \"b\"\n", ""},
		{"\xef\xbb\xbf\"a\"", "a", ""},
		{"\xef\xbb\xbfa,b", "\ufeffa,b", ""},
		{"12", "", "record is a number in JSON, not text"},
		{`[1]`, "", "record is an array in JSON, not text"},
		{"null", "", "record is null in JSON, not text"},
		{"a\xffb", "", "invalid UTF-8 at byte 1"},
		{"", "", ""},
	}
	for _, tt := range tests {
		got, err := Text([]byte(tt.in))
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("Text(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestReadSchema(t *testing.T) {
	got, err := ReadSchema([]byte(`{"b": "string", "a": {"y": "integer", "x": {}}, "c": [], "b": {"z": "string"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Field{
		{Name: "b", Nested: true, Fields: []Field{{Name: "z"}}}, // first position, last value
		{Name: "a", Nested: true, Fields: []Field{{Name: "y"}, {Name: "x", Nested: true}}},
		{Name: "c"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadSchema = %+v, want %+v", got, want)
	}
	if names := Names(got); !reflect.DeepEqual(names, []string{"b", "a", "c"}) {
		t.Errorf("Names = %q", names)
	}
}

func TestOptions(t *testing.T) {
	o, err := ReadOptions([]byte(`{"s": "x", "s": "last", "b": true, "n": null, "k": {"z": 1, "a": 2, "z": 3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := o.String("s"); s != "last" {
		t.Errorf(`String("s") = %q`, s)
	}
	if s, err := o.String("n"); s != "" || err != nil || o.Has("n") || o.Has("missing") || !o.Has("b") {
		t.Errorf("null and absent options: %q, %v", s, err)
	}
	if b, _ := o.Bool("b"); !b {
		t.Error(`Bool("b") = false`)
	}
	if k, _ := o.Keys("k"); !reflect.DeepEqual(k, []string{"z", "a"}) {
		t.Errorf(`Keys("k") = %q`, k)
	}
	if _, err := o.Bool("s"); err == nil {
		t.Error("a string read as a boolean")
	}
}
