package rawjson

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzRawJSON checks the scanner against encoding/json: they agree on what
// is valid (for UTF-8 input nested less than the limit), and a split and
// compacted document decodes to the same value.
func FuzzRawJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.5e3, "x\u00e9"], "b": {"c": null}}`, `[true, false, ""]`, `"\ud83d\ude00"`,
		`{"a":1,"a":2}`, ` 0 `, `{"a" : [ ] , "b" : { } }`, `[[[[]]]]`, `{"a":"\""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Validate(data, 64)
		if utf8.Valid(data) && depth(data) < 64 {
			if (err == nil) != json.Valid(data) {
				t.Fatalf("Validate = %v, json.Valid = %v for %q", err, json.Valid(data), data)
			}
		}
		if err != nil {
			return
		}
		var want any
		if json.Unmarshal(data, &want) != nil {
			return // invalid UTF-8 that encoding/json accepted differently
		}
		var got any
		if err := json.Unmarshal(AppendCompact(nil, Trim(data)), &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("compact copy of %q decodes to %v (%v), want %v", data, got, err, want)
		}
		checkSplit(t, data)
	})
}

// checkSplit rebuilds objects from their members and compares.
func checkSplit(t *testing.T, data []byte) {
	members, _, err := SplitObject(nil, data, 64)
	if err != nil {
		return
	}
	var b []byte
	b = append(b, '{')
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, m.Key...), ':'), m.Value...)
		if v, ok := Lookup(data, m.Name()); !ok || Validate(v, 64) != nil {
			t.Fatalf("Lookup(%q) = %q, %v", m.Name(), v, ok)
		}
	}
	b = append(b, '}')
	var x, y any
	_ = json.Unmarshal(data, &x)
	if json.Unmarshal(b, &y) != nil || !reflect.DeepEqual(x, y) {
		t.Fatalf("members of %q rebuild as %q", data, b)
	}
}

// depth is a rough nesting depth, counting brackets outside strings.
func depth(data []byte) int {
	d, deepest := 0, 0
	in := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '[' || c == '{'):
			d++
			deepest = max(deepest, d)
		case !in && (c == ']' || c == '}'):
			d--
		}
	}
	return deepest
}
