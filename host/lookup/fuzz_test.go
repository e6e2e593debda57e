package lookup

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// FuzzDecode feeds arbitrary table documents, compressed or not, to the
// decoder: it must fail cleanly, never panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"k": [1, "a", null]}`))
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(`{"k": 1}`))
	w.Close()
	f.Add(gz.Bytes())
	f.Add([]byte{0x78, 0x9c, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err == nil && m == nil {
			t.Fatal("no table and no error")
		}
	})
}
