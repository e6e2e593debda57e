package rules

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// staticSchemas is a Schemas over a fixed map.
type staticSchemas map[string]Schema

func (s staticSchemas) LogTypes() []string {
	var out []string
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s staticSchemas) Schema(lt string) (Schema, bool) {
	v, ok := s[lt]
	return v, ok
}

// testSchemas are the log types of the loader tests.
var testSchemas = staticSchemas{
	"test:events": {Fields: []Field{
		{Name: "eventName", Kind: KindString},
		{Name: "count", Kind: KindInteger},
		{Name: "detail"},
		{Name: "@timestamp", Kind: KindString},
		{Name: "detail-type", Kind: KindString},
		{Name: "user", Kind: KindObject, Fields: []Field{{Name: "name", Kind: KindString}}},
	}},
	"test:norm": {Fields: []Field{{Name: "cmd", Kind: KindString}}, Normalized: []string{"command"}},
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestLoadProblems loads a rule pack full of mistakes: every one must be
// reported, at once, with its file and line.
func TestLoadProblems(t *testing.T) {
	_, err := New(Options{
		Rules:       readDir(t, "testdata/bad/rules"),
		Matchers:    readDir(t, "testdata/bad/matchers"),
		Schemas:     testSchemas,
		KnownOutput: func(o string) bool { return o != "pagerduty:x" },
	})
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v, want Problems", err)
	}
	golden(t, "bad.golden", probs.Error()+"\n")
}

func TestReadDirSkipsHidden(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"b.yaml", "a/x.yml", ".hidden/y.yaml", "_draft.yaml", "notes.txt"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("rules: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, f := range readDir(t, dir) {
		names = append(names, strings.TrimPrefix(f.Name, filepath.ToSlash(dir)+"/"))
	}
	if want := []string{"a/x.yml", "b.yaml"}; !slices.Equal(names, want) {
		t.Errorf("files = %v, want %v", names, want)
	}
}

// TestCommunityPackLoads checks the shipped pack loads cleanly with the
// compat schemas, warnings included.
func TestCommunityPackLoads(t *testing.T) {
	e := packEngine(t, Options{})
	spec, err := os.ReadFile(filepath.Join(compatDir, "RULES.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Every rule RULES.md specifies (its "### 4.N `name`" headings) ships.
	n := 0
	for _, m := range regexp.MustCompile("(?m)^### 4\\.\\d+ `(\\w+)`").FindAllStringSubmatch(string(spec), -1) {
		n++
		if _, ok := e.Rule(m[1]); !ok {
			t.Errorf("rule %s of RULES.md is missing", m[1])
		}
	}
	if n != 41 {
		t.Errorf("found %d rules in RULES.md, want 41", n)
	}
	for _, w := range e.Warnings {
		if !strings.Contains(w.Message, `"file_name"`) {
			t.Errorf("unexpected warning: %s", w)
		}
	}
}
