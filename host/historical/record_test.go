package historical

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestAppendRecord(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean keys stay", `{"a": 1, "b": "x"}`, `{"a":1,"b":"x"}`},
		{"top level and nested", `{"a:b": {"c.d": {"e-f": true}}, "g": null}`, `{"a_b":{"c_d":{"e_f":true}},"g":null}`},
		{"not inside lists", `{"k:1": [{"x:y": 1}, {"z.w": {"p:q": 2}}]}`, `{"k_1":[{"x:y":1},{"z.w":{"p:q":2}}]}`},
		{"values untouched", `{"a": "b:c d", "n": 1.50e3, "s": "\u003c\"\\"}`, `{"a":"b:c d","n":1.50e3,"s":"\u003c\"\\"}`},
		{"order kept", `{"z": 1, "a": 2, "m:m": 3}`, `{"z":1,"a":2,"m_m":3}`},
		{"escaped key", `{"a\u003ab": 1}`, `{"a_b":1}`},
		{"collision: last value, first place", `{"a_b": 1, "c": 2, "a:b": 3}`, `{"a_b":3,"c":2}`},
		{"envelope keys", `{"x": 1, "streamalert:envelope_keys": {"account-id": "1"}}`, `{"x":1,"streamalert_envelope_keys":{"account_id":"1"}}`},
		{"empty", `{}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendRecord([]byte("prefix:"), []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if want := "prefix:" + tt.want; string(got) != want {
				t.Errorf("got %s\nwant %s", got, want)
			}
		})
	}
	for _, bad := range []string{`[1]`, `"a"`, `{"a":}`, `{"a":1`, ``} {
		if _, err := AppendRecord(nil, []byte(bad)); err == nil {
			t.Errorf("AppendRecord(%q) accepted a record that is not a JSON object", bad)
		}
	}
}

// FuzzAppendRecord: any object gives valid compact JSON whose keys, at
// every depth through objects, are sanitized; doing it again changes
// nothing.
func FuzzAppendRecord(f *testing.F) {
	for _, s := range []string{`{"a:b":{"c d":[{"e:f":1}]}}`, `{"a_b":1,"a:b":2}`, `{"é":"é"}`, `{"a":{"b":{"c":{}}}}`, `{"\u0000":0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := AppendRecord(nil, in)
		if err != nil {
			return
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%q gave invalid JSON %q: %v", in, out, err)
		}
		checkKeys(t, v)
		var buf bytes.Buffer
		if json.Compact(&buf, out) != nil || buf.String() != string(out) {
			t.Fatalf("%q is not compact", out)
		}
		again, err := AppendRecord(nil, out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("second pass over %q gave %q, %v", out, again, err)
		}
	})
}

func checkKeys(t *testing.T, v map[string]any) {
	for k, val := range v {
		if strings.TrimFunc(k, func(r rune) bool { return r < 128 && wordByte(byte(r)) }) != "" {
			t.Fatalf("key %q is not sanitized", k)
		}
		if m, ok := val.(map[string]any); ok {
			checkKeys(t, m)
		}
	}
}
