package secrets

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/streamalert-go/sa/sdk/schema"
)

func TestEncodeValue(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Value{}, `{}`},
		{Value{"url": "https://hooks.example/x", "token": "t0k"}, `{"token":"t0k","url":"https://hooks.example/x"}`},
		{Value{"pem": "-----BEGIN-----\nAB\tC\r\n", "q": `"\`}, `{"pem":"-----BEGIN-----\nAB\tC\r\n","q":"\"\\"}`},
		{Value{"ctl": "\x00\x1f\x7f", "uni": "ü€\u2028"}, `{"ctl":"\u0000\u001f` + "\x7f" + `","uni":"ü€` + "\u2028" + `"}`},
	}
	for _, tt := range tests {
		got, err := encodeValue(tt.v)
		if err != nil {
			t.Fatalf("encodeValue: %v", err)
		}
		if string(got) != tt.want || len(got) != cap(got) {
			t.Errorf("encodeValue = %s (len %d, cap %d), want %s", got, len(got), cap(got), tt.want)
		}
		back, err := decodeValue(got)
		if err != nil || !maps.Equal(back, tt.v) {
			t.Errorf("decodeValue(%s) = %d properties, %v; want the input back", got, len(back), err)
		}
	}
}

func TestEncodeValueRejects(t *testing.T) {
	const secret = "s3cr3t-\xff-value"
	tests := map[string]Value{
		"empty property": {"": "x"},
		"bad UTF-8":      {"token": secret},
		"too large":      {"blob": schema.Secret(strings.Repeat("x", maxValueSize))},
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := encodeValue(v)
			if err == nil {
				t.Fatal("encodeValue succeeded")
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("error shows the value: %v", err)
			}
		})
	}
}

func TestDecodeValueRejects(t *testing.T) {
	for _, in := range []string{``, `null`, `[]`, `{"token": 12345678}`, `{"token": "hunter2hunter2"`, `"hunter2hunter2"`} {
		_, err := decodeValue([]byte(in))
		if err == nil {
			t.Errorf("decodeValue(%s) succeeded", in)
		} else if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "12345678") {
			t.Errorf("decodeValue(%s) error quotes the plaintext: %v", in, err)
		}
	}
}

// FuzzCodec checks that the hand-written encoder produces JSON that
// encoding/json reads back to the same value.
func FuzzCodec(f *testing.F) {
	f.Add("token", "xoxb-123", "url", "https://x/\"y\"\n")
	f.Add("a", "\x00\x01\x1f\\", "b", "€")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		v := Value{k1: schema.Secret(v1), k2: schema.Secret(v2)}
		enc, err := encodeValue(v)
		valid := true // judged on v, where k1 == k2 leaves one property
		for k, s := range v {
			valid = valid && k != "" && utf8.ValidString(k) && utf8.ValidString(string(s))
		}
		if !valid {
			if err == nil {
				t.Fatalf("encodeValue accepted %q", v)
			}
			return
		}
		if err != nil {
			if len(k1+v1+k2+v2) > maxValueSize/6 {
				return
			}
			t.Fatalf("encodeValue: %v", err)
		}
		var plain map[string]string
		if err := json.Unmarshal(enc, &plain); err != nil {
			t.Fatalf("encoded %q is not JSON: %v", enc, err)
		}
		for k, s := range v {
			if plain[k] != string(s) {
				t.Fatalf("property %q = %q after a round trip, want %q", k, plain[k], s)
			}
		}
	})
}
