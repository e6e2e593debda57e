package threatintel

import (
	"bytes"
	"testing"
)

// FuzzLoadJSON feeds arbitrary IOC files to the loader: it must fail
// cleanly, and whatever it stored must be found again.
func FuzzLoadJSON(f *testing.F) {
	f.Add([]byte(`[{"ioc_value": "1.2.3.4", "ioc_type": "ip"}]`))
	f.Add([]byte("{\"ioc_value\": \"evil.com\", \"ioc_type\": \"domain\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := New(DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		n, _ := s.LoadJSON(bytes.NewReader(data))
		if s.Len() > n {
			t.Fatalf("stored %d IOCs from %d read", s.Len(), n)
		}
	})
}
