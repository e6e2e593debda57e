package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzLoadSchema feeds arbitrary bytes to the schema file decoder. It must
// never panic, every problem must name the file, a position and a
// message, and a file decoded without errors must give usable schemas.
func FuzzLoadSchema(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(compatDir(f), "schemas", "*.json"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		`{"x:y": {"parser": "csv", "schema": {"a": {"b": "string"}, "c": []},
			"configuration": {"delimiter": "|", "log_patterns": {"a": {"b": ["*"]}},
			"normalization": {"n": [{"path": ["a", "b"], "condition": {"path": ["c"], "in": "x"}}], "m": ["a"]}}}}`,
		`{"k": {"parser": "kv", "schema": {"a": "integer"}, "configuration": {"separator": ":", "priority": -1,
			"envelope_keys": {"e": "string"}, "log_patterns": {"streamalert:envelope_keys": {"e": "x"}}}}}`,
		`{"p": {"parser": "plugin-x", "schema": {}, "configuration": {"own": [1, {"a": null}]}}}`,
		`{"a": {"a": {"a": [[[{"a": "\u00e9"}]]]}}}`,
		`[1, 2.5e10, true, null, "x"]`,
		"{\"a\": 1, \"a\": 2}",
		`{"x": {"parser": "json", "schema": {"a": "string"}, "configuration": {"json_path": "", "embedded_json": true}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTree(t, data)
		const name = "schemas/fuzz.json"
		var ps Problems
		schemas := parseFile(name, data, &ps).decodeSchemaFile()
		for _, p := range ps {
			if p.File != name || p.Message == "" || p.Line < 1 || p.Column < 1 {
				t.Fatalf("undescriptive problem %+v", p)
			}
		}
		sortSchemas(schemas)
		if ps.HasErrors() {
			return
		}
		cfg := &Config{Schemas: schemas, Clusters: []*Cluster{{Name: "c", DataSources: map[string]map[string][]string{}}}}
		var families []string
		for _, s := range schemas {
			if s.Name == "" || s.Parser == "" || !json.Valid(s.RawSchema) || s.RawConfiguration != nil && !json.Valid(s.RawConfiguration) {
				t.Fatalf("schema decoded without errors is unusable: %+v", s)
			}
			families = append(families, s.Name.Family())
			_ = Type{Kind: KindObject, Fields: s.Fields}.String()
		}
		cfg.Clusters[0].DataSources[ServiceKinesis] = map[string][]string{"s": families}
		cfg.index()
		if got, err := cfg.SchemasForSource(ServiceKinesis, "s"); err != nil || len(got) != len(schemas) {
			t.Fatalf("SchemasForSource = %v, %v; want all %d schemas", got, err, len(schemas))
		}
	})
}

// checkTree holds the position-keeping JSON reader to encoding/json: it
// accepts exactly the valid documents (short of its depth limit), reads
// the same values, and each node's raw bytes are that value.
func checkTree(t *testing.T, data []byte) {
	n, _, _, err := parseTree(data)
	if valid := json.Valid(data); (err == nil) != valid {
		if err != nil && strings.Contains(err.Error(), "nesting deeper") {
			return
		}
		t.Fatalf("parseTree error = %v, json.Valid = %v", err, valid)
	}
	if err != nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		t.Fatal(err)
	}
	if got := nodeValue(t, n, data); !reflect.DeepEqual(got, want) {
		t.Fatalf("tree value %#v, encoding/json %#v", got, want)
	}
}

// nodeValue converts n as encoding/json decodes into any (the last of
// duplicate keys wins), checking raw bytes on the way.
func nodeValue(t *testing.T, n *node, data []byte) any {
	if !json.Valid(n.raw(data)) {
		t.Fatalf("raw bytes %q of a %s node are not JSON", n.raw(data), n.kind)
	}
	switch n.kind {
	case kindObject:
		m := map[string]any{}
		for _, mb := range n.members {
			m[mb.key] = nodeValue(t, mb.val, data)
		}
		return m
	case kindArray:
		a := []any{}
		for _, e := range n.elems {
			a = append(a, nodeValue(t, e, data))
		}
		return a
	case kindString:
		return n.text
	case kindNumber:
		return json.Number(n.text)
	case kindBool:
		return n.boolean
	}
	return nil
}
