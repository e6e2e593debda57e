package jsonparser

import (
	"context"
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// fuzzOptions are the configurations FuzzParse picks from: every way the
// parser extracts records.
var fuzzOptions = []string{
	`{}`,
	`{"json_path": "Records[*]"}`,
	`{"json_path": "logEvents[*].message", "embedded_json": true, "envelope_keys": {"owner": "string", "logGroup": "string"}}`,
	`{"json_path": "[*]"}`,
	`{"json_regex_key": "message", "envelope_keys": {"host": "string"}}`,
	`{"json_path": "docs[?a == ` + "`1`" + `].b || [*]"}`,
	`{"json_path": "Records"}`,
}

// FuzzParse feeds arbitrary bytes through each configuration. Seeds are the
// compatibility corpus's json events.
func FuzzParse(f *testing.F) {
	for i, e := range parsertest.Load(f).EventsFor("json") {
		f.Add(e.Data, uint8(i))
	}
	f.Add([]byte(`{"message": "x {\"a\": [1, {\"b\": 2}]} y", "host": "h"}`), uint8(4))
	f.Add([]byte(`[{"a": 1}, null, "s", {"b": {}}]`), uint8(3))
	p := New()
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		records := [][]byte{data, data[:len(data)/2]}
		res, err := p.Parse(context.Background(), saplugin.ParseRequest{
			Options: []byte(fuzzOptions[int(mode)%len(fuzzOptions)]), Records: records,
		})
		if err != nil {
			t.Fatal(err)
		}
		parsertest.CheckResults(t, records, res)
	})
}
