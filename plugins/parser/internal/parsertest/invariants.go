package parsertest

import (
	"encoding/json"
	"strings"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// CheckResults holds a parser's results for records to the contract every
// parser keeps (see package parsekit): one result per record; an error and
// no candidates, or candidates and no error with at least one record; each
// record and envelope a JSON object; short errors; no recovered panics.
func CheckResults(t testing.TB, records [][]byte, results []saplugin.ParseResult) {
	t.Helper()
	if len(results) != len(records) {
		t.Fatalf("%d results for %d records", len(results), len(records))
	}
	for i, r := range results {
		if strings.HasPrefix(r.Err, "internal error") {
			t.Fatalf("record %d (%q): %s", i, clipped(records[i]), r.Err)
		}
		if len(r.Err) > 400 {
			t.Fatalf("record %d: error of %d bytes", i, len(r.Err))
		}
		if (r.Err == "") == (len(r.Candidates) == 0) {
			t.Fatalf("record %d: error %q with %d candidates", i, r.Err, len(r.Candidates))
		}
		usable := 0
		for _, c := range r.Candidates {
			if len(c.Record) == 0 {
				continue
			}
			usable++
			for _, obj := range [][]byte{c.Record, c.Envelope} {
				var m map[string]any
				if obj != nil && json.Unmarshal(obj, &m) != nil {
					t.Fatalf("record %d (%q): candidate part %q is not a JSON object", i, clipped(records[i]), clipped(obj))
				}
			}
		}
		if r.Err == "" && usable == 0 {
			t.Fatalf("record %d: only rejected candidates and no error", i)
		}
	}
}

func clipped(b []byte) []byte { return b[:min(len(b), 200)] }
