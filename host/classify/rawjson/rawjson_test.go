package rawjson

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		in  string
		err string // substring; "" for valid
	}{
		{`{"a": [1, -2.5e+3, "x\u00e9\n", true, false, null, {}]}`, ""},
		{` "é" `, ""},
		{`0`, ""},
		{`-0.0E-0`, ""},
		{``, "unexpected end of input"},
		{`{"a":1,}`, "expected a string key"},
		{`[1,]`, "unexpected character ']'"},
		{`{"a" 1}`, "expected ':'"},
		{`01`, "data after the value"},
		{`1.`, "no digits after '.'"},
		{`1e`, "no digits in the exponent"},
		{`NaN`, "unexpected character 'N'"},
		{`tru`, "invalid literal"},
		{"\"a\x01\"", "control character"},
		{`"\q"`, "invalid escape"},
		{`"\u12g4"`, "invalid escape"},
		{"\"\xff\"", "invalid UTF-8"},
		{`"abc`, "unterminated string"},
		{`{} {}`, "data after the value"},
		{strings.Repeat("[", 513) + strings.Repeat("]", 513), "nested deeper than the limit"},
		{strings.Repeat("[", 512) + strings.Repeat("]", 512), ""},
	}
	for _, tt := range tests {
		err := Validate([]byte(tt.in), 0)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("Validate(%.40q) = %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestSplitObject(t *testing.T) {
	members, spaced, err := SplitObject(nil, []byte(` {"a":1, "b" : {"c": [2]},"a":"x"} `), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{`"a"`, `1`}, {`"b"`, `{"c": [2]}`}, {`"a"`, `"x"`}}
	if len(members) != len(want) {
		t.Fatalf("got %d members", len(members))
	}
	for i, m := range members {
		if string(m.Key) != want[i][0] || string(m.Value) != want[i][1] {
			t.Errorf("member %d = %s:%s, want %s:%s", i, m.Key, m.Value, want[i][0], want[i][1])
		}
	}
	if !spaced {
		t.Error("whitespace inside the object not reported")
	}
	if _, spaced, _ := SplitObject(nil, []byte(` {"a":1} `), 0); spaced {
		t.Error("whitespace around the object reported as inside")
	}
	_, _, err = SplitObject(nil, []byte(`[1]`), 0)
	var ke *KindError
	if !errors.As(err, &ke) || err.Error() != "is an array, not an object" {
		t.Errorf("SplitObject of an array: %v", err)
	}
	if _, _, err := SplitObject(nil, []byte(`{"a":}`), 0); err == nil {
		t.Error("invalid object accepted")
	}
	elems, _, err := SplitArray(nil, []byte(`[1, "a", {"b": null}]`), 0)
	if err != nil || len(elems) != 3 || string(elems[2]) != `{"b": null}` {
		t.Errorf("SplitArray = %q, %v", elems, err)
	}
}

func TestWalk(t *testing.T) {
	obj := []byte(`{"a": 1, "b": {"c": "x\"}", "d": [{"e": 2}]}, "a": 3, "f": {}}`)
	var got []string
	WalkObjects(obj, func(k, v []byte) { got = append(got, string(k)+"="+string(v)) })
	want := `"a"=1 "c"="x\"}" "d"=[{"e": 2}] "a"=3`
	if strings.Join(got, " ") != want {
		t.Errorf("WalkObjects: %s, want %s", strings.Join(got, " "), want)
	}
	if v, ok := Lookup(obj, "a"); !ok || string(v) != "3" {
		t.Errorf("Lookup takes the last duplicate: %s %v", v, ok)
	}
	if _, ok := Lookup(obj, "c"); ok {
		t.Error("Lookup found a nested key")
	}
	var elems []string
	for e := range Elements([]byte(`[ 1 , "a,]" ,[2, 3] ]`)) {
		elems = append(elems, string(e))
	}
	if strings.Join(elems, "|") != `1|"a,]"|[2, 3]` {
		t.Errorf("Elements: %q", elems)
	}
}

func TestStrings(t *testing.T) {
	unq := map[string]string{
		`"plain"`:                 "plain",
		`"a\"b\\c\/d\b\f\n\r\t"`:  "a\"b\\c/d\b\f\n\r\t",
		`"\u00e9\ud83d\ude00"`:    "é😀",
		`"lone \ud800 surrogate"`: "lone \ufffd surrogate",
		`"\ude00\ud83d"`:          "\ufffd\ufffd",
	}
	for in, want := range unq {
		if got := Unquote([]byte(in)); got != want {
			t.Errorf("Unquote(%s) = %q, want %q", in, got, want)
		}
	}
	quote := map[string]string{
		"a\"b\\c\n\x01é": `"a\"b\\c\n\u0001é"`,
		"bad\xffutf8":    `"bad\ufffdutf8"`,
	}
	for in, want := range quote {
		if got := string(AppendQuote(nil, in)); got != want {
			t.Errorf("AppendQuote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := string(AppendCompact(nil, []byte("{ \"a b\" :\n [1, 2] }"))); got != `{"a b":[1,2]}` {
		t.Errorf("AppendCompact = %s", got)
	}
	if !KeyIs([]byte(`"\u0061"`), "a") || KeyIs([]byte(`"a"`), "b") {
		t.Error("KeyIs")
	}
}

func TestTruthy(t *testing.T) {
	for in, want := range map[string]bool{
		`null`: false, `false`: false, `0`: false, `-0.0`: false, `0e10`: false, `""`: false, `[]`: false, `{ }`: false,
		`true`: true, `0.1`: true, `-1`: true, `" "`: true, `[0]`: true, `{"a":null}`: true, `10e-400`: true,
	} {
		if got := Truthy([]byte(in)); got != want {
			t.Errorf("Truthy(%s) = %v", in, got)
		}
	}
}
