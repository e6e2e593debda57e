package jpath

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jmespath/go-jmespath"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

func TestParseSimple(t *testing.T) {
	tests := map[string]*simple{
		"Records[*]":                   {before: []string{"Records"}, project: true},
		"logEvents[*].message":         {before: []string{"logEvents"}, project: true, after: []string{"message"}},
		"logEvents[*].extractedFields": {before: []string{"logEvents"}, project: true, after: []string{"extractedFields"}},
		"[*]":                          {project: true},
		"[*].a.b":                      {project: true, after: []string{"a", "b"}},
		"detail":                       {before: []string{"detail"}},
		`a."b.c"[*]."d e"`:             {before: []string{"a", "b.c"}, project: true, after: []string{"d e"}},
		"_x9":                          {before: []string{"_x9"}},
		"a[*].b[*]":                    nil,
		"a[0]":                         nil,
		"a[]":                          nil,
		"a | b":                        nil,
		"a .b":                         nil,
		"a.*":                          nil,
		"9a":                           nil,
		"[*][*]":                       nil,
		"a[?b == 'c']":                 nil,
		"{a: b}":                       nil,
	}
	for expr, want := range tests {
		if got := parseSimple(expr); !reflect.DeepEqual(got, want) {
			t.Errorf("parseSimple(%q) = %+v, want %+v", expr, got, want)
		}
	}
}

func TestSelect(t *testing.T) {
	doc := `{"Records": [{"id": 123456789012345678901, "a": {"b": 1}}, null, {"id": 2.50}],
		"logEvents": [{"message": "m1"}, {"other": 1}, {"message": null}, {"message": ""}],
		"empty": [], "zero": 0, "obj": {"k": "v"}, "list": [null, 0]}`
	tests := []struct {
		expr string
		want []string
	}{
		{"Records[*]", []string{`{"id": 123456789012345678901, "a": {"b": 1}}`, `{"id": 2.50}`}},
		{"Records", []string{`{"id": 123456789012345678901, "a": {"b": 1}}`, `null`, `{"id": 2.50}`}},
		{"Records[*].a", []string{`{"b": 1}`}},
		{"logEvents[*].message", []string{`"m1"`, `""`}},
		{"empty[*]", nil},
		{"empty", nil},
		{"zero", nil},
		{"missing[*]", nil},
		{"obj[*]", nil},
		{"obj", []string{`{"k": "v"}`}},
		{"list", []string{`null`, `0`}},
		{"[*]", nil},
		// General expressions: go-jmespath over a tree, unchanged values
		// written from the input.
		{"Records[0]", []string{`{"id": 123456789012345678901, "a": {"b": 1}}`}},
		{"Records[?id > `2`]", []string{`{"id": 123456789012345678901, "a": {"b": 1}}`, `{"id": 2.50}`}},
		{"Records[*].{x: id}", []string{`{"x":123456789012345680000}`, `{"x":2.5}`}},
		{"length(logEvents)", []string{`4`}},
		{"logEvents[].message | [0]", []string{`"m1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			p, err := Compile(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Select([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			var strs []string
			for _, g := range got {
				strs = append(strs, string(g))
			}
			if !reflect.DeepEqual(strs, tt.want) {
				t.Errorf("Select(%q) = %q, want %q", tt.expr, strs, tt.want)
			}
		})
	}
}

func TestCompileError(t *testing.T) {
	_, err := Compile("Records[*")
	if err == nil || !strings.HasPrefix(err.Error(), `json_path "Records[*": `) {
		t.Fatalf("Compile error = %v", err)
	}
}

// FuzzSelect holds Select, on both its paths, to go-jmespath evaluating the
// same expression over the standard library's decoding of the document.
func FuzzSelect(f *testing.F) {
	docs := []string{
		`{"Records":[{"a":1},{"a":{"b":[1,2]}},null,{"c":3}]}`,
		`[{"message":"x"},{"message":null},[],{"message":{"m":1}}]`,
		`{"a":{"b":[{"c":"d"},{"c":0},{"c":""}]},"a":{"b":[{"c":"last"}]}}`,
		`{"logEvents":[{"message":"{\"k\":1}","id":"9"}],"owner":"1"}`,
	}
	exprs := []string{"Records[*]", "Records[*].a", "[*]", "[*].message", "a.b[*].c", "a.b", "logEvents[*].message",
		`"a".b[*]`, "Records", "a.b[0]", "Records[*].a.b", "[*].message.m", "foo[*]"}
	for i, d := range docs {
		for j, e := range exprs {
			if (i+j)%3 == 0 {
				f.Add([]byte(d), e)
			}
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, expr string) {
		doc, err := jsonx.Check(doc)
		if err != nil {
			return
		}
		if !utf8.ValidString(expr) {
			return // options arrive as JSON text, so never hold invalid UTF-8
		}
		p, err := Compile(expr)
		if err != nil {
			return
		}
		var tree any
		if json.Unmarshal(doc, &tree) != nil {
			return // a number out of float64's range
		}
		want, err := jmespath.Search(expr, tree)
		if err != nil {
			return
		}
		got, err := p.Select(doc)
		if err != nil && strings.Contains(err.Error(), "not JSON data") {
			if _, merr := json.Marshal(want); merr == nil && !strings.Contains(fmt.Sprintf("%T", want), "jmespath") {
				t.Fatalf("Select(%q) on %s: %v, but the result %v is JSON", expr, doc, err, want)
			}
			return
		}
		if err != nil {
			t.Fatalf("Select(%q) on %s: %v", expr, doc, err)
		}
		if !truthy(want) {
			if len(got) != 0 {
				t.Fatalf("Select(%q) on %s = %q, want nothing", expr, doc, got)
			}
			return
		}
		list, ok := want.([]any)
		if !ok {
			list = []any{want}
		}
		if len(got) != len(list) {
			t.Fatalf("Select(%q) on %s = %q, want %d values %v", expr, doc, got, len(list), list)
		}
		for i, g := range got {
			var v any
			if err := json.Unmarshal(g, &v); err != nil {
				t.Fatalf("Select(%q) value %d = %q: %v", expr, i, g, err)
			}
			if !reflect.DeepEqual(v, list[i]) {
				t.Fatalf("Select(%q) on %s value %d = %s, want %v", expr, doc, i, g, list[i])
			}
		}
	})
}
