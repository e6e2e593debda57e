package streamquery

import (
	"encoding/json"
	"strings"
	"testing"
)

func row(t *testing.T, vals ...string) json.RawMessage {
	t.Helper()
	cols := make([]column, len(vals))
	for i := range vals {
		cols[i] = column{name: []string{"a", "b", "c"}[i], value: &vals[i]}
	}
	return encodeRow(cols)
}

// TestRecords: a small result is one record without part numbers; a row
// too big for any record is cut to fit, in a record of its own, and the
// execution's error says so; the count stays the whole result's.
func TestRecords(t *testing.T) {
	small := &Result{Execution: Execution{Name: "q", QueryExecutionID: "id"}, Headers: []string{"a"}, Rows: []json.RawMessage{row(t, "1")}}
	recs, err := small.Records("id")
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if s := string(recs[0]); !strings.Contains(s, `"data":{"headers":["a"],"rows":[{"a":"1"}],"count":1}`) ||
		!strings.Contains(s, `"query_parameters":{}`) || !strings.Contains(s, `"tags":[]`) || strings.Contains(s, `"error"`) {
		t.Errorf("record %s", s)
	}

	huge := strings.Repeat("é", 1<<20) // 2 MiB of two-byte runes
	big := &Result{Execution: Execution{Name: "q", QueryExecutionID: "id"}, Headers: []string{"a", "b"},
		Rows: []json.RawMessage{row(t, "first", "x"), row(t, huge, "keep"), row(t, "last", "y")}}
	recs, err = big.Records("id")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for i, b := range recs {
		if len(b)+len("id") > MaxRecordBytes {
			t.Errorf("record %d is %d bytes", i, len(b))
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if r.Data.Count != 3 || r.Data.Part != i+1 || r.Data.Parts != len(recs) || r.Execution.Error == nil ||
			!strings.Contains(r.Execution.Error.Description, "1 rows were each over") {
			t.Errorf("record %d: count %d part %d/%d error %+v", i, r.Data.Count, r.Data.Part, r.Data.Parts, r.Execution.Error)
		}
		for _, raw := range r.Data.Rows {
			var m map[string]string
			json.Unmarshal(raw, &m)
			rows = append(rows, m)
		}
	}
	if len(rows) != 3 || rows[0]["a"] != "first" || rows[2]["a"] != "last" || rows[1]["b"] != "keep" ||
		!strings.HasSuffix(rows[1]["a"], "…") || !strings.HasPrefix(huge, strings.TrimSuffix(rows[1]["a"], "…")) {
		t.Errorf("rows %d: first %v last %v; the big row's value should be cut, the rest kept", len(rows), rows[0], rows[len(rows)-1])
	}
}
