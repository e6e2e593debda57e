package classify

import (
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/config"
)

func TestConvert(t *testing.T) {
	str, integer, float := config.Type{Kind: config.KindString}, config.Type{Kind: config.KindInteger}, config.Type{Kind: config.KindFloat}
	boolean, list, open := config.Type{Kind: config.KindBoolean}, config.Type{Kind: config.KindList}, config.Type{Kind: config.KindObject}
	nestedT := config.Type{Kind: config.KindObject, Fields: []config.Field{{Name: "n", Type: integer}, {Name: "s", Type: str}}}
	nested := newFieldSet(nestedT.Fields, nil)
	tests := []struct {
		name string
		t    config.Type
		sub  *fieldSet
		in   string
		want string // "!" prefix: a reason containing the rest
	}{
		// Values Python finds false are never converted.
		{"null integer", integer, nil, `null`, `null`},
		{"empty string integer", integer, nil, `""`, `""`},
		{"zero string", str, nil, `0`, `0`},
		{"false string", str, nil, `false`, `false`},
		{"empty list float", float, nil, `[]`, `[]`},
		// str()
		{"string", str, nil, `"x"`, `"x"`},
		{"int to string", str, nil, `12`, `"12"`},
		{"float to string", str, nil, `1.50`, `"1.5"`},
		{"exp float to string", str, nil, `1E16`, `"1e+16"`},
		{"true to string", str, nil, `true`, `"true"`},
		{"object to string", str, nil, `{"a": [1, 2]}`, `"{\"a\":[1,2]}"`},
		// int()
		{"int", integer, nil, `12`, `12`},
		{"int string", integer, nil, `" 12 "`, `12`},
		{"int string sign zeros", integer, nil, `"-007"`, `-7`},
		{"int underscores", integer, nil, `"1_000"`, `1000`},
		{"int bad underscores", integer, nil, `"1__0"`, `!not an integer`},
		{"int float string", integer, nil, `"1.5"`, `!"1.5" is not an integer`},
		{"int hex string", integer, nil, `"0x10"`, `!not an integer`},
		{"int truncates", integer, nil, `-1.9`, `-1`},
		{"int big float", integer, nil, `1e20`, `100000000000000000000`},
		{"int huge", integer, nil, `123456789012345678901234567890`, `123456789012345678901234567890`},
		{"int true", integer, nil, `true`, `1`},
		{"int list", integer, nil, `[1]`, `!x: [1] is not an integer`},
		// float()
		{"float", float, nil, `1.5`, `1.5`},
		{"float from int", float, nil, `2`, `2.0`},
		{"float string", float, nil, `" 1_0.5e1 "`, `105.0`},
		{"float small", float, nil, `"0.00001"`, `1e-05`},
		{"float nan", float, nil, `"nan"`, `!not a float`},
		{"float inf", float, nil, `"-Infinity"`, `!not a float`},
		{"float overflow", float, nil, `"1e400"`, `!not a float`},
		{"float true", float, nil, `true`, `1.0`},
		// str(v).lower() == "true"
		{"bool true", boolean, nil, `true`, `true`},
		{"bool TRUE string", boolean, nil, `"TRUE"`, `true`},
		{"bool yes", boolean, nil, `"yes"`, `false`},
		{"bool one", boolean, nil, `1`, `false`},
		// lists, objects
		{"list", list, nil, `[1, "a"]`, `[1, "a"]`},
		{"not a list", list, nil, `"a"`, `!x is a string, not a list`},
		{"open object takes anything", open, nil, `5`, `5`},
		{"nested", nestedT, nested, `{"s": 5, "n": "3"}`, `{"s":"5","n":3}`},
		{"nested unchanged", nestedT, nested, `{"n": 3, "s": "a"}`, `{"n": 3, "s": "a"}`},
		{"nested bad", nestedT, nested, `{"n": "x", "s": "a"}`, `!x.n: "x" is not an integer`},
	}
	for _, tt := range tests {
		got, why := convert([]byte(tt.in), tt.t, tt.sub, "x")
		if want, ok := strings.CutPrefix(tt.want, "!"); ok {
			if why == "" || !strings.Contains(why, want) {
				t.Errorf("%s: convert(%s) = %s, %q; want reason %q", tt.name, tt.in, got, why, want)
			}
			continue
		}
		if why != "" || string(got) != tt.want {
			t.Errorf("%s: convert(%s) = %s, %q; want %s", tt.name, tt.in, got, why, tt.want)
		}
	}
}

func TestPyFloatRepr(t *testing.T) {
	for f, want := range map[float64]string{
		0.1: "0.1", 1: "1.0", 1e15: "1000000000000000.0", 1e16: "1e+16", 1.5e300: "1.5e+300",
		0.0001: "0.0001", 0.00001: "1e-05", -2.5: "-2.5", 123456789.125: "123456789.125",
	} {
		if got := pyFloatRepr(f); got != want {
			t.Errorf("pyFloatRepr(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"*", "", true},
		{"*", "any\nthing", true},
		{"alert.*", "alert.watchlist", true},
		{"alert.*", "Alert.watchlist", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"[abc]x", "bx", true},
		{"[!abc]x", "bx", false},
		{"[!abc]x", "dx", true},
		{"[a-c]*", "cat", true},
		{"[]]", "]", true},
		{"[!]]", "a", true},
		{"[", "[", true},
		{"[a", "[a", true},
		{"1.*.*", "1.2.3", true},
		{"*.json.gz", "logs/a.json.gz", true},
		{"*a*b*c", "xaxxbxxxc", true},
		{"*a*b*c", "xaxxbxxx", false},
		{"[z-a]", "m", false},
		{"é?", "éü", true},
	}
	for _, tt := range tests {
		if got := compileGlob(tt.pattern).match(tt.value); got != tt.want {
			t.Errorf("glob %q on %q = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}
