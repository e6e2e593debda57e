package jsonx

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	tests := []struct {
		name, in, want, err string
	}{
		{name: "object", in: ` {"a": 1} `, want: `{"a": 1}`},
		{name: "bom", in: "\xef\xbb\xbf{}", want: `{}`},
		{name: "scalar", in: `12345678901234567890`, want: `12345678901234567890`},
		{name: "max depth", in: ok, want: ok},
		{name: "empty", in: " \n", err: "empty record"},
		{name: "too deep", in: deep, err: "JSON nested deeper than 512 levels"},
		{name: "too deep garbage", in: strings.Repeat("[", 100000), err: "JSON nested deeper than 512 levels"},
		{name: "syntax", in: `{"a" x}`, err: "invalid JSON: line 1 column 6: invalid character 'x' after object key"},
		{name: "syntax line 2", in: "{\n  \"a\": tru\n}", err: "invalid JSON: line 2 column 11: invalid character '\\n' in literal true (expecting 'e')"},
		{name: "truncated", in: `{"a": [1, 2`, err: "invalid JSON: line 1 column 11: unexpected end of JSON input"},
		{name: "two values", in: `{} {}`, err: "invalid JSON: line 1 column 4: invalid character '{' after top-level value"},
		{name: "bad utf8", in: "{\"a\": \"\xff\"}", err: "invalid UTF-8 at byte 7"},
		{name: "nan", in: `{"a": NaN}`, err: "invalid JSON: line 1 column 7: invalid character 'N' looking for beginning of value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check([]byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Check error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("Check = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestWalk(t *testing.T) {
	doc := []byte(`{ "a" : [1, "x\"]", {"b": [ ] }, null ] , "k\u00e9y": "v", "a": 2 }`)
	var keys, vals []string
	for k, v := range Members(doc) {
		keys = append(keys, Unquote(k))
		vals = append(vals, string(v))
	}
	if want := []string{"a", "kéy", "a"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %q, want %q", keys, want)
	}
	if want := []string{`[1, "x\"]", {"b": [ ] }, null ]`, `"v"`, `2`}; !reflect.DeepEqual(vals, want) {
		t.Errorf("values = %q, want %q", vals, want)
	}
	var elems []string
	for e := range Elements([]byte(vals[0])) {
		elems = append(elems, string(e))
	}
	if want := []string{`1`, `"x\"]"`, `{"b": [ ] }`, `null`}; !reflect.DeepEqual(elems, want) {
		t.Errorf("elements = %q, want %q", elems, want)
	}
	if v, ok := Get(doc, "a"); !ok || string(v) != "2" {
		t.Errorf(`Get "a" = %q, %v; want the last value 2`, v, ok)
	}
	if v, ok := Get(doc, "kéy"); !ok || string(v) != `"v"` {
		t.Errorf(`Get "kéy" = %q, %v`, v, ok)
	}
	if _, ok := Get(doc, "missing"); ok {
		t.Error(`Get "missing" found something`)
	}
	for range Elements([]byte(`[ ]`)) {
		t.Error("empty array yielded an element")
	}
	for range Members([]byte(`{ }`)) {
		t.Error("empty object yielded a member")
	}
}

func TestTruthy(t *testing.T) {
	for in, want := range map[string]bool{
		`null`: false, `false`: false, `true`: true, `0`: false, `-0.0`: false, `0e10`: false,
		`1e-400`: false, `1e400`: true, `0.5`: true, `""`: false, `" "`: true,
		`[]`: false, `[ ]`: false, `[0]`: true, `{}`: false, "{\n}": false, `{"a":1}`: true,
	} {
		if got := Truthy([]byte(in)); got != want {
			t.Errorf("Truthy(%s) = %v, want %v", in, got, want)
		}
	}
}

func TestBuilder(t *testing.T) {
	b := NewBuilder(0)
	b.String("a\"b", "line\nbreak\x01\ttab é \\")
	b.Raw("n", []byte(`12345678901234567890`))
	got := string(b.Bytes())
	want := `{"a\"b":"line\nbreak\u0001\ttab é \\","n":12345678901234567890}`
	if got != want {
		t.Errorf("Builder = %s, want %s", got, want)
	}
	if s := string(AppendString(nil, "bad \xff byte")); s != "\"bad \ufffd byte\"" {
		t.Errorf("AppendString(invalid UTF-8) = %q", s)
	}
}

// FuzzCheck holds Check to the standard library's idea of valid JSON, with
// the depth limit on top, and checks that walking an accepted document
// visits exactly what the standard decoder sees.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":null}],"c":"\u00e9\"x"}`, `[1, 2.5e3, true, false, null, "s"]`,
		`{"a":1,"a":2}`, `"\\\\"`, `{"a":"\\"}`, "\xef\xbb\xbf{}", `[[[]]]`, `{"a" 1}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := Check(b)
		trimmed := bytes.TrimPrefix(b, bom)
		valid := json.Valid(trimmed) && utf8.Valid(trimmed)
		if err == nil && !valid {
			t.Fatalf("Check accepted %q, which the standard library rejects", b)
		}
		if err != nil {
			if valid && !strings.Contains(err.Error(), "nested deeper") {
				t.Fatalf("Check rejected valid %q: %v", b, err)
			}
			return
		}
		var want any
		if err := json.Unmarshal(doc, &want); err != nil {
			t.Fatal(err)
		}
		if got := walk(t, doc); !reflect.DeepEqual(got, want) {
			t.Fatalf("walk(%s) = %#v, want %#v", doc, got, want)
		}
		if Truthy(doc) != pythonTruthy(want) {
			t.Fatalf("Truthy(%s) = %v", doc, Truthy(doc))
		}
	})
}

// walk rebuilds a document through Members, Elements and Unquote.
func walk(t *testing.T, v []byte) any {
	switch KindOf(v) {
	case Object:
		m := map[string]any{}
		for k, val := range Members(v) {
			m[Unquote(k)] = walk(t, val)
		}
		return m
	case Array:
		a := []any{}
		for e := range Elements(v) {
			a = append(a, walk(t, e))
		}
		return a
	case String:
		return Unquote(v)
	}
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		t.Fatalf("walk: %q is no scalar: %v", v, err)
	}
	return x
}

func pythonTruthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

func FuzzAppendString(f *testing.F) {
	f.Add("plain")
	f.Add("\"quoted\\\" \n\r\t\x00\x1f é \u2028 \xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("AppendString(%q) = %s: %v", s, out, err)
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); utf8.ValidString(s) && back != want {
			t.Fatalf("round trip of %q gave %q", s, back)
		}
	})
}

func TestValidate(t *testing.T) {
	valid := []string{`0`, `-0.5e+10`, `1E5`, `"\u00e9\/\b"`, `{"a":[]}`, `[{}, [], "", 0, true, false, null]`, " [ 1 , 2 ] "}
	invalid := []string{`01`, `-`, `1.`, `.5`, `1e`, `+1`, `"\x"`, `"\u12"`, "\"\t\"", `[1,]`, `{"a"}`, `{"a":1,}`, `{,}`,
		`[1 2]`, `tru`, `nul`, `"abc`, `{"a":1]`, `[1}`, `{1:2}`, `[`, `]`, `1 2`}
	for _, s := range valid {
		if r := validate([]byte(s)); r != scanOK {
			t.Errorf("validate(%s) = %d, want OK", s, r)
		}
	}
	for _, s := range invalid {
		if r := validate([]byte(s)); r != scanSyntax {
			t.Errorf("validate(%s) = %d, want a syntax error", s, r)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	doc := []byte(`{"Records":[` + strings.Repeat(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/Admin/s"},"eventTime":"2026-11-23T01:02:03Z","n":[1,2.5,-3e4,true,null],"policy":"{\"Version\":\"2012-10-17\"}"},`, 100) + `{}]}`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Check(doc); err != nil {
			b.Fatal(err)
		}
	}
}
