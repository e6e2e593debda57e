package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

var testSchema = Schema{Properties: []Property{
	{Name: "descriptor", Required: true, Descriptor: true, Pattern: `[a-z]+`},
	{Name: "url", Required: true, Secret: true, Credential: true, Pattern: `https://\S+`, ForbiddenChars: " "},
	{Name: "timeout", Type: Integer, Default: "10"},
	{Name: "ratio", Type: Number},
	{Name: "verify", Type: Boolean, Default: "true"},
	{Name: "tags", Type: StringList},
}}

func TestApply(t *testing.T) {
	tests := []struct {
		name     string
		raw      map[string]any
		want     Config
		problems []string
	}{
		{
			name: "defaults and conversions",
			raw:  map[string]any{"descriptor": "soc", "url": "https://x/y", "ratio": "0.5", "tags": "a, b,,c"},
			want: Config{"descriptor": "soc", "url": Secret("https://x/y"), "timeout": int64(10), "ratio": 0.5, "verify": true, "tags": []string{"a", "b", "c"}},
		},
		{
			name: "typed JSON values",
			raw:  map[string]any{"descriptor": "soc", "url": "https://x", "timeout": float64(30), "verify": false, "tags": []any{"x"}},
			want: Config{"descriptor": "soc", "url": Secret("https://x"), "timeout": int64(30), "verify": false, "tags": []string{"x"}},
		},
		{
			name:     "every problem at once",
			raw:      map[string]any{"descriptor": "SOC", "timeout": 1.5, "verify": "maybe", "tags": []any{1}, "extra": true},
			problems: []string{"descriptor: does not match pattern [a-z]+", "url: required", "timeout: must be a whole number", "verify: must be true or false", "tags: must be a list of strings", "extra: unknown property"},
		},
		{
			name:     "forbidden characters",
			raw:      map[string]any{"descriptor": "soc", "url": "https://x y"},
			problems: []string{`url: may not contain any of " "`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, problems := testSchema.Apply(tt.raw)
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tt.problems) {
				t.Fatalf("problems:\n got %q\nwant %q", got, tt.problems)
			}
			if tt.problems == nil && !reflect.DeepEqual(cfg, tt.want) {
				t.Errorf("config:\n got %#v\nwant %#v", cfg, tt.want)
			}
		})
	}
}

// TestProblemsNeverQuoteValues: a credential typed into the wrong field must
// not be echoed back in the problem about it.
func TestProblemsNeverQuoteValues(t *testing.T) {
	const value = "xoxb-very-secret-value"
	_, problems := testSchema.Apply(map[string]any{"descriptor": value, "url": value, "timeout": value})
	if len(problems) != 3 {
		t.Fatalf("problems %v, want 3", problems)
	}
	for _, p := range problems {
		if strings.Contains(p.String(), value) {
			t.Errorf("problem %q quotes the value", p)
		}
	}
}

func TestCheck(t *testing.T) {
	bad := Schema{Properties: []Property{
		{Name: "a", Pattern: "("},
		{Name: "a"},
		{Name: ""},
		{Name: "b", Secret: true, Default: "x"},
		{Name: "c", Type: Integer, Default: "ten"},
		{Name: "d", Pattern: "[0-9]+", Example: "abc"},
		{Name: "e", Descriptor: true},
		{Name: "f", Descriptor: true},
	}}
	err := bad.Check()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`"a": pattern`, `"a": declared twice`, "property 2: empty name", `"b": a secret cannot have a default`, `"c": default must be a whole number`, `"d": example does not match`, "more than one descriptor"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q missing from:\n%v", want, err)
		}
	}
	if err := testSchema.Check(); err != nil {
		t.Errorf("valid schema: %v", err)
	}
}

func TestSecretMasks(t *testing.T) {
	s := Secret("hunter2-value")
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "s", s)
	j, _ := json.Marshal(map[string]any{"s": s})
	text := fmt.Sprintf("%v %+v %#v %s %q", s, s, s, s, s) + string(j) + logs.String() + fmt.Sprint(Config{"s": s})
	if strings.Contains(text, "hunter2") {
		t.Errorf("secret shown: %s", text)
	}
	if !strings.Contains(text, Masked) || s.Reveal() != "hunter2-value" {
		t.Errorf("mask or Reveal wrong: %s", text)
	}
}

func TestTypeText(t *testing.T) {
	for _, typ := range []Type{String, Integer, Number, Boolean, StringList} {
		b, _ := typ.MarshalText()
		var back Type
		if err := back.UnmarshalText(b); err != nil || back != typ {
			t.Errorf("%v: round trip gave %v, %v", typ, back, err)
		}
	}
	var bad Type
	if err := bad.UnmarshalText([]byte("map")); err == nil {
		t.Error("unknown type accepted")
	}
}
