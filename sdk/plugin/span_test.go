package plugin

import "testing"

func TestSpan(t *testing.T) {
	raw := []byte(`{"Records":[{"a":1},{"b":2}]}`)
	copied := append([]byte(nil), raw[12:19]...)
	tests := []struct {
		name       string
		sub        []byte
		start, end uint64
		ok         bool
	}{
		{"inside", raw[12:19], 12, 19, true},
		{"whole", raw, 0, uint64(len(raw)), true},
		{"copy elsewhere", copied, 0, 0, false},
		{"empty", raw[3:3], 0, 0, false},
	}
	for _, tt := range tests {
		start, end, ok := span(raw, tt.sub)
		if start != tt.start || end != tt.end || ok != tt.ok {
			t.Errorf("%s: got %d %d %v, want %d %d %v", tt.name, start, end, ok, tt.start, tt.end, tt.ok)
		}
	}
}
