package classify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/classify"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// badSchemas load (the pattern one with a warning) but contradict
// themselves or their parser: no record can ever pass them.
const badSchemas = `{
  "contra:pattern": {"parser": "json", "schema": {"msg": {"type": "string"}},
    "configuration": {"log_patterns": {"type": "x"}}},
  "contra:path": {"parser": "json", "schema": {"a": "string"}, "configuration": {"json_path": "Records[?"}},
  "csvt:rows": {"parser": "csv", "schema": {"a": "integer", "b": "string", "c": "integer"}}
}`

const badCluster = `{"id": "bad", "data_sources": {"kinesis": {"contra-stream": ["contra"], "csv-stream": ["csvt"]}}}`

// TestBadInput sends one batch per case mixing good and bad records: each
// bad record fails with a clear reason and the rest of the batch is
// classified.
func TestBadInput(t *testing.T) {
	cfg := confWith(t, map[string]string{"schemas/zz_test.json": testSchemas, "clusters/test.json": testCluster,
		"schemas/zz_bad.json": badSchemas, "clusters/bad.json": badCluster})
	c := newClassifier(t, cfg, classify.Builtin())
	good := `{"a": "ok"}`
	tests := []struct {
		name   string
		src    classify.Source
		bad    string
		reason string
	}{
		{"invalid UTF-8", kinesis("order-stream"), "{\"a\": \"\xff\xfe\"}", "invalid UTF-8"},
		{"deep nesting", kinesis("order-stream"), strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000), "nested"},
		{"truncated JSON", kinesis("order-stream"), `{"a": "ok"`, "invalid JSON"},
		{"binary", kinesis("order-stream"), "\x1f\x8b\x08\x00garbage", "invalid"},
		{"empty", kinesis("order-stream"), ``, "empty record"},
		{"pattern on a nested key", kinesis("contra-stream"), `{"msg": {"type": "x"}}`, "log_patterns: type is absent"},
		{"unusable json_path", kinesis("contra-stream"), `{"a": "x"}`, `parser failed the batch: InvalidArgument: configuration: json_path "Records[?"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batch := [][]byte{[]byte(good), []byte(tt.bad), []byte(good)}
			res, err := c.Classify(context.Background(), tt.src, batch)
			if err != nil {
				t.Fatal(err)
			}
			if f := res[1].Failure; f == nil || len(res[1].Records) > 0 || !strings.Contains(reasons(f), tt.reason) {
				t.Errorf("bad record: records %s, reasons %q; want %q", dataOf(res[1]), reasons(f), tt.reason)
			}
			if tt.src.Resource == "order-stream" && (len(res[0].Records) != 1 || len(res[2].Records) != 1) {
				t.Errorf("the good records around it were not classified: %q %q", reasons(res[0].Failure), reasons(res[2].Failure))
			}
		})
	}
}

// TestRaggedCSV: rows with the wrong number of columns are rejected one by
// one; the schema still claims the record for its good rows.
func TestRaggedCSV(t *testing.T) {
	cfg := confWith(t, map[string]string{"schemas/zz_bad.json": badSchemas, "clusters/bad.json": badCluster})
	c := newClassifier(t, cfg, classify.Builtin())
	res := classifyOne(t, c, kinesis("csv-stream"), "1,b,3\n4,5\n6,x,8,9\n7,y,z\n10,c,11")
	if got := strings.Join(dataOf(res), " "); got != `{"a":1,"b":"b","c":3} {"a":10,"b":"c","c":11}` {
		t.Errorf("classified %s", got)
	}
	f := res.Failure
	if f == nil || f.LogType != "csvt:rows" || len(f.Rejected) != 3 {
		t.Fatalf("failure %+v", f)
	}
	for i, want := range []string{"row 2: expected 3 columns, got 2", "row 3: expected 3 columns, got 4", `c: "z" is not an integer`} {
		if r := f.Rejected[i]; !strings.Contains(r.Reason, want) {
			t.Errorf("rejection %d: %q, want %q", i, r.Reason, want)
		}
	}
}

// TestBigBatch: a batch larger than a chunk and split over shards keeps
// every result at its record's index, and calls the parser per chunk, not
// per record.
func TestBigBatch(t *testing.T) {
	cfg := confWith(t, map[string]string{"schemas/zz_test.json": testSchemas, "clusters/test.json": testCluster})
	calls := 0
	builtin := classify.Builtin()
	counting := fakeParsers(func(p string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
		calls++
		return builtin.Parse(context.Background(), p, req)
	})
	c, err := classify.New(cfg, classify.Options{Parsers: counting, Workers: 1, ChunkBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	var batch [][]byte
	for i := range 3000 {
		rec := `{"a": "` + strings.Repeat("x", i%50) + `"}`
		if i%7 == 3 {
			rec = `{"b": 1}`
		}
		batch = append(batch, []byte(rec))
	}
	res, err := c.Classify(context.Background(), kinesis("order-stream"), batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if ok := len(r.Records) == 1 && r.Failure == nil; ok == (i%7 == 3) {
			t.Fatalf("record %d: %s %q", i, dataOf(r), reasons(r.Failure))
		}
		if i%7 != 3 && !strings.Contains(string(r.Records[0].Data), strings.Repeat("x", i%50)+`"`) {
			t.Fatalf("record %d holds %s", i, r.Records[0].Data)
		}
	}
	if calls > 10 {
		t.Errorf("%d parser calls for 3000 records and two schemas", calls)
	}
}
