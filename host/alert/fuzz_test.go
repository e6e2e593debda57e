package alert

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzJSON checks that whatever decodes encodes to a fixed point: decoding
// the encoding and encoding again gives the same bytes, in both forms.
func FuzzJSON(f *testing.F) {
	goldens, _ := filepath.Glob(filepath.Join("testdata", "*.golden"))
	for _, g := range goldens {
		b, _ := os.ReadFile(g)
		f.Add(b)
	}
	f.Add([]byte(`{"created":"0001-01-01T00:30:00+01:00"}`))
	f.Add([]byte(`{"merge_window_secs":99999999999999,"publishers":{"a":null},"outputs":["b","a","a"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var a Alert
		if json.Unmarshal(data, &a) != nil {
			return
		}
		full1, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("decoded but does not encode: %v", err)
		}
		var b Alert
		if err := json.Unmarshal(full1, &b); err != nil {
			t.Fatalf("own encoding does not decode: %v\n%s", err, full1)
		}
		full2, _ := json.Marshal(b)
		if !bytes.Equal(full1, full2) {
			t.Fatalf("not a fixed point:\n%s\n%s", full1, full2)
		}
		p1, _ := a.Payload()
		p2, _ := b.Payload()
		if !bytes.Equal(p1, p2) {
			t.Fatalf("payload not a fixed point:\n%s\n%s", p1, p2)
		}
	})
}

// FuzzFirstKey checks that the key search never fails on valid JSON and
// always returns a value that is valid JSON and has a canonical form.
func FuzzFirstKey(f *testing.F) {
	f.Add([]byte(`{"a":{"k":1},"b":[{"k":2}],"k":3}`), "k")
	f.Add([]byte(`[[[{"k":{"k":"x"}}]]]`), "k")
	f.Add([]byte(`{"k":1,"k":[1.5e3,-0,null]}`), "k")
	f.Fuzz(func(t *testing.T, doc []byte, key string) {
		if !json.Valid(doc) {
			return
		}
		v, found, err := FirstKey(doc, key)
		if err != nil {
			t.Fatalf("FirstKey on valid JSON: %v", err)
		}
		if !found {
			return
		}
		if !json.Valid(v) {
			t.Fatalf("value %q is not JSON", v)
		}
		c, err := Canonical(v)
		if err != nil {
			t.Fatalf("Canonical(%s): %v", v, err)
		}
		if c2, _ := Canonical(c); !bytes.Equal(c, c2) {
			t.Fatalf("canonical form is not a fixed point: %s -> %s", c, c2)
		}
	})
}
