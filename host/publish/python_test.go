package publish

import (
	"encoding/json"
	"strings"
	"testing"
)

// Expected values are what CPython 3.7 prints.
func TestPyFloat(t *testing.T) {
	tests := map[string]string{
		"1.0": "1.0", "1.5": "1.5", "1e16": "1e+16", "1e15": "1000000000000000.0", "0.0001": "0.0001",
		"0.00001": "1e-05", "-2.5e-10": "-2.5e-10", "123456789.123": "123456789.123", "1e400": "inf",
		"0.1": "0.1", "1E2": "100.0", "-0.0": "-0.0",
	}
	for lit, want := range tests {
		if got := pyNumber(json.Number(lit)); got != want {
			t.Errorf("pyNumber(%s) = %s, want %s", lit, got, want)
		}
	}
	if got := pyNumber("12345678901234567890123"); got != "12345678901234567890123" {
		t.Errorf("big int = %s", got)
	}
}

func TestPyRepr(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"plain", "'plain'"},
		{"it's", `"it's"`},
		{`it's "q"`, `'it\'s "q"'`},
		{"tab\tnl\n\x01\x7f\u00a0é✓", `'tab\tnl\n\x01\x7f\xa0é✓'`},
		{map[string]any{"b": []any{json.Number("1"), nil, true}, "a": "x"}, "{'a': 'x', 'b': [1, None, True]}"},
		{[]any{}, "[]"},
	}
	for _, tt := range tests {
		if got := pyRepr(tt.v); got != tt.want {
			t.Errorf("pyRepr(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestPyJSON(t *testing.T) {
	v := map[string]any{"b": []any{json.Number("1.0"), map[string]any{}}, "a": "é\"<", "c": []any{}}
	want := "{\n  \"a\": \"\\u00e9\\\"<\",\n  \"b\": [\n    1.0,\n    {}\n  ],\n  \"c\": []\n}"
	if got := pyJSON(v); got != want {
		t.Errorf("pyJSON = %q, want %q", got, want)
	}
	if got := pyJSON("🔒"); got != `"\ud83d\udd12"` {
		t.Errorf("pyJSON(astral) = %s", got)
	}
}

func TestPyFormat(t *testing.T) {
	args := map[string]any{"name": "alice", "n": json.Number("42"), "rec": map[string]any{"l": []any{"x", "y"}}}
	tests := []struct{ tmpl, want, err string }{
		{"hi {name}", "hi alice", ""},
		{"{{{name}}}", "{alice}", ""},
		{"{name!r} {n!s} {name!a}", "'alice' 42 'alice'", ""},
		{"[{name:>7}] [{name:*^9}] [{n:5}] [{name:.3}]", "[  alice] [**alice**] [   42] [ali]", ""},
		{"{rec[l][1]} {rec}", "y {'l': ['x', 'y']}", ""},
		{"{missing}", "", `no key "missing"`},
		{"{rec[l][5]}", "", "out of range"},
		{"{name.upper}", "", "attribute"},
		{"{0}", "", "positional"},
		{"{name:d}", "", "not supported"},
		{"open {", "", "single '{'"},
		{"close }", "", "single '}'"},
	}
	for _, tt := range tests {
		got, err := pyFormat(tt.tmpl, args)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("pyFormat(%q) error = %v, want %q", tt.tmpl, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("pyFormat(%q) = %q, %v; want %q", tt.tmpl, got, err, tt.want)
		}
	}
}

func TestHTMLEscape(t *testing.T) {
	if got := htmlEscape(`<a href="x">&amp;</a>`); got != `&lt;a href="x"&gt;&amp;amp;&lt;/a&gt;` {
		t.Errorf("htmlEscape = %s", got)
	}
}
