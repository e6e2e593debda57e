package parsertest

import (
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	schema := []byte(`{"id": "integer", "name": "string", "ok": "boolean", "n": {"x": "float"}, "opt": "string"}`)
	options := []byte(`{"optional_top_level_keys": ["opt"], "envelope_keys": {"owner": "string"}}`)
	golden := []byte(`{"id": 12345678901234567890, "name": "a", "ok": true, "n": {"x": 1.0}, "opt": "",
		"streamalert:envelope_keys": {"owner": "123"}}`)
	same := Compare(schema, options, []byte(`{"id": "12345678901234567890", "name": "a", "ok": "TRUE", "n": {"x": "1"}}`),
		[]byte(`{"owner": 123}`), golden)
	if len(same) != 0 {
		t.Errorf("Compare of an equal record: %q", same)
	}
	diffs := Compare(schema, options, []byte(`{"id": "12345678901234567891", "name": "a", "ok": "no", "extra": 1}`),
		[]byte(`{}`), golden)
	want := []string{`key "id"`, `key "ok"`, `key "extra" is not in the schema`, `key "n" missing`, `envelope key "owner" missing`}
	joined := strings.Join(diffs, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("Compare diffs lack %q:\n%s", w, joined)
		}
	}
}
