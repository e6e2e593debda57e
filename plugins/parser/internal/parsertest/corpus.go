// Package parsertest holds what the parsers' tests share: StreamAlert's
// compatibility corpus (../shared/compat beside the repository) with the
// schemas of its conf/, its test events and what StreamAlert 3.5 itself
// parsed out of each; golden files rewritten with -update; and a harness
// that runs a parser's real plugin binary.
package parsertest

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/testbin"
	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Schema is one log schema of conf/schemas, its objects as written.
type Schema struct {
	Name, Parser string
	// Schema and Options are the "schema" and "configuration" objects.
	Schema, Options []byte
}

// Event is one test event of rules/**.json.
type Event struct {
	// File is the event file's path below the corpus root; Index is the
	// event's position in it. Together they key the StreamAlert golden.
	File  string
	Index int
	Log   string
	// Data is the raw record: the event's data as written when it is a JSON
	// value, the string itself when it is a string.
	Data []byte
	// Golden is what StreamAlert made of the event, when the corpus says.
	Golden *Golden
}

// Golden is one line of golden/streamalert-parsed.jsonl.
type Golden struct {
	ClassifiedLog  string            `json:"classified_log"`
	Records        []json.RawMessage `json:"records"`
	InvalidRecords int               `json:"invalid_records"`
}

// Corpus is the loaded compatibility corpus.
type Corpus struct {
	Schemas map[string]Schema
	Events  []Event
}

// Load reads the corpus, skipping the test when it is not beside the
// repository.
func Load(t testing.TB) *Corpus {
	t.Helper()
	root := filepath.Join(testbin.Root(t), "..", "shared", "compat")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("StreamAlert compatibility corpus not found: %v", err)
	}
	c := &Corpus{Schemas: loadSchemas(t, root)}
	golden := loadGolden(t, root)
	err := filepath.WalkDir(filepath.Join(root, "rules"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		c.Events = append(c.Events, loadEvents(t, path, filepath.ToSlash(rel), golden)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// EventsFor returns the events whose log type is parsed by parser, with
// their schemas.
func (c *Corpus) EventsFor(parser string) []Event {
	var out []Event
	for _, e := range c.Events {
		if c.Schemas[e.Log].Parser == parser {
			out = append(out, e)
		}
	}
	return out
}

func loadSchemas(t testing.TB, root string) map[string]Schema {
	files, err := filepath.Glob(filepath.Join(root, "conf", "schemas", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in %s: %v", root, err)
	}
	out := map[string]Schema{}
	for _, f := range files {
		doc := readJSON(t, f)
		for k, v := range jsonx.Members(doc) {
			s := Schema{Name: jsonx.Unquote(k)}
			p, _ := jsonx.Get(v, "parser")
			s.Parser = jsonx.Unquote(p)
			s.Schema, _ = jsonx.Get(v, "schema")
			s.Options, _ = jsonx.Get(v, "configuration")
			out[s.Name] = s
		}
	}
	return out
}

func loadEvents(t testing.TB, path, rel string, golden map[string]*Golden) []Event {
	var out []Event
	i := 0
	for e := range jsonx.Elements(readJSON(t, path)) {
		ev := Event{File: rel, Index: i, Golden: golden[key(rel, i)]}
		i++
		l, _ := jsonx.Get(e, "log")
		ev.Log = jsonx.Unquote(l)
		data, ok := jsonx.Get(e, "data")
		if !ok {
			continue // built by the test framework from override_record
		}
		if jsonx.KindOf(data) == jsonx.String {
			ev.Data = []byte(jsonx.Unquote(data))
		} else {
			ev.Data = data
		}
		out = append(out, ev)
	}
	return out
}

func loadGolden(t testing.TB, root string) map[string]*Golden {
	data, err := os.ReadFile(filepath.Join(root, "golden", "streamalert-parsed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Golden{}
	for line := range bytes.Lines(data) {
		var g struct {
			Golden
			File  string `json:"file"`
			Index int    `json:"index"`
		}
		if err := json.Unmarshal(line, &g); err != nil {
			t.Fatalf("golden line %q: %v", line, err)
		}
		out[key(g.File, g.Index)] = &g.Golden
	}
	return out
}

func key(file string, index int) string { return file + "#" + strconv.Itoa(index) }

func readJSON(t testing.TB, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonx.Check(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

// CheckGolden compares got with the golden file at path (below the test's
// directory), or rewrites the file when the test runs with -update.
func CheckGolden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := at(gl, i), at(wl, i)
			if g != w {
				t.Fatalf("%s differs at line %d (run with -update if the change is intended)\n got: %s\nwant: %s", path, i+1, g, w)
			}
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of file>"
}
