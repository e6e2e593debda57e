package jsonparser

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// want is the expected outcome for one record: records (empty string for a
// rejected element), the envelope, or an error.
type want struct {
	records  []string
	envelope string
	err      string
}

func check(t *testing.T, options, record string, w want) {
	t.Helper()
	res, err := New().Parse(context.Background(), saplugin.ParseRequest{
		LogType: "test", Schema: []byte(`{}`), Options: []byte(options), Records: [][]byte{[]byte(record)},
	})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(res) != 1 {
		t.Fatalf("Parse returned %d results for 1 record", len(res))
	}
	r := res[0]
	if r.Err != w.err {
		t.Fatalf("Err = %q, want %q", r.Err, w.err)
	}
	var got []string
	for _, c := range r.Candidates {
		got = append(got, string(c.Record))
		if len(c.Record) > 0 && string(c.Envelope) != w.envelope {
			t.Errorf("envelope = %s, want %s", c.Envelope, w.envelope)
		}
	}
	if strings.Join(got, "\n") != strings.Join(w.records, "\n") || len(got) != len(w.records) {
		t.Errorf("records =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(w.records, "\n"))
	}
}

func TestPlain(t *testing.T) {
	tests := []struct {
		name, record string
		want
	}{
		{"object", ` {"a": 1, "b": {"c": [1, 2]}}` + "\n", want{records: []string{`{"a": 1, "b": {"c": [1, 2]}}`}}},
		{"big numbers kept", `{"account": 123456789012345678901234567890, "f": 1.000000000000000000001}`,
			want{records: []string{`{"account": 123456789012345678901234567890, "f": 1.000000000000000000001}`}}},
		{"duplicate keys kept", `{"a": 1, "a": 2}`, want{records: []string{`{"a": 1, "a": 2}`}}},
		{"array not split", `[{"a": 1}]`, want{err: `record is an array, not an object (json_path "[*]" would split it)`}},
		{"string", `"text"`, want{err: "record is a string, not an object"}},
		{"not JSON", `Jan 10 19:35:33 host sudo: x`, want{err: "invalid JSON: line 1 column 1: invalid character 'J' looking for beginning of value"}},
		{"truncated", `{"a": [1, 2`, want{err: "invalid JSON: line 1 column 11: unexpected end of JSON input"}},
		{"bad utf8", "{\"a\": \"\xc3\x28\"}", want{err: "invalid UTF-8 at byte 7"}},
		{"empty", "", want{err: "empty record"}},
		{"deep", strings.Repeat(`{"a":`, 600) + "1" + strings.Repeat("}", 600), want{err: "JSON nested deeper than 512 levels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, `{}`, tt.record, tt.want) })
	}
}

func TestJSONPath(t *testing.T) {
	trail := `{"Records": [{"eventName": "A", "recipientAccountId": 123456789012}, {"eventName": "B"}]}`
	tests := []struct {
		name, options, record string
		want
	}{
		{"records", `{"json_path": "Records[*]"}`, trail,
			want{records: []string{`{"eventName": "A", "recipientAccountId": 123456789012}`, `{"eventName": "B"}`}}},
		{"top-level array", `{"json_path": "[*]"}`, `[{"a": 1}, {"b": 2}]`, want{records: []string{`{"a": 1}`, `{"b": 2}`}}},
		{"selected nothing", `{"json_path": "Records[*]"}`, `{"Other": []}`, want{err: `json_path "Records[*]" selected nothing`}},
		{"empty list", `{"json_path": "Records[*]"}`, `{"Records": []}`, want{err: `json_path "Records[*]" selected nothing`}},
		{"some elements rejected", `{"json_path": "Records"}`, `{"Records": [{"a": 1}, "x", 3, {"b": 2}]}`,
			want{records: []string{`{"a": 1}`, ``, ``, `{"b": 2}`}}},
		{"all elements rejected", `{"json_path": "Records[*]"}`, `{"Records": ["x", 3]}`,
			want{err: "all 2 extracted records rejected; first: json_path element 1 is a string, not an object"}},
		{"one element rejected", `{"json_path": "Records[*]"}`, `{"Records": ["x"]}`,
			want{err: "json_path element 1 is a string, not an object"}},
		{"single object", `{"json_path": "detail"}`, `{"detail": {"a": 1}}`, want{records: []string{`{"a": 1}`}}},
		{"general expression", `{"json_path": "Records[?eventName == 'B']"}`, trail, want{records: []string{`{"eventName": "B"}`}}},
		{"empty json_path is none", `{"json_path": ""}`, `{"a": 1}`, want{records: []string{`{"a": 1}`}}},
		{"not JSON", `{"json_path": "Records[*]"}`, `a,b,c`, want{err: "invalid JSON: line 1 column 1: invalid character 'a' looking for beginning of value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.options, tt.record, tt.want) })
	}
}

func TestEmbeddedJSON(t *testing.T) {
	opts := `{"json_path": "logEvents[*].message", "embedded_json": true}`
	tests := []struct {
		name, record string
		want
	}{
		{"objects", `{"logEvents": [{"message": "{\"a\": 12345678901234567890}"}, {"message": " {\"b\": \"\\u00e9\"} "}]}`,
			want{records: []string{`{"a": 12345678901234567890}`, `{"b": "\u00e9"}`}}},
		{"mixed", `{"logEvents": [{"message": "not json"}, {"message": "[1]"}, {"message": {"a": 1}}, {"message": "{}"}]}`,
			want{records: []string{``, ``, ``, `{}`}}},
		{"none usable", `{"logEvents": [{"message": "{\"a\": "}]}`,
			want{err: "json_path element 1: embedded JSON: invalid JSON: line 1 column 6: unexpected end of JSON input"}},
		{"not a string", `{"logEvents": [{"message": 5}, {"message": [1]}]}`,
			want{err: "all 2 extracted records rejected; first: json_path element 1 is a number, not a string of embedded JSON"}},
		{"not an object", `{"logEvents": [{"message": "[1, 2]"}]}`, want{err: "json_path element 1: embedded JSON is an array, not an object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, opts, tt.record, tt.want) })
	}
	// Without json_path, embedded_json does nothing, as in StreamAlert.
	check(t, `{"embedded_json": true}`, `{"a": "{}"}`, want{records: []string{`{"a": "{}"}`}})
}

func TestJSONRegexKey(t *testing.T) {
	opts := `{"json_regex_key": "message"}`
	ghe := `{"message": "<190>Jan 1 github_audit: {\"actor\":\"x\",\"action\":\"repo.create\",\"id\":123456789012345678}", "host": "h"}`
	tests := []struct {
		name, options, record string
		want
	}{
		{"found", opts, ghe, want{records: []string{`{"actor":"x","action":"repo.create","id":123456789012345678}`}}},
		{"greedy to the last brace", opts, `{"message": "x {\"a\": {\"b\": 1}} y} z"}`,
			want{err: `json_regex_key "message": invalid JSON: line 1 column 17: invalid character 'y' after top-level value`}},
		{"array", opts, `{"message": "[1, 2]"}`, want{err: `json_regex_key "message": found an array, not an object`}},
		{"missing", opts, `{"other": "{\"a\": 1}"}`, want{err: `json_regex_key "message": key missing or empty`}},
		{"empty", opts, `{"message": ""}`, want{err: `json_regex_key "message": key missing or empty`}},
		{"no blob", opts, `{"message": "plain text"}`, want{err: `json_regex_key "message": no JSON object in the value`}},
		{"not a string", opts, `{"message": {"a": 1}}`, want{err: `json_regex_key "message" is an object, not a string`}},
		{"record not an object", opts, `[1]`, want{err: `json_regex_key needs the record to be a JSON object; it is an array`}},
		{"json_path wins", `{"json_regex_key": "message", "json_path": "r"}`, `{"r": {"a": 1}, "message": "{\"b\": 2}"}`,
			want{records: []string{`{"a": 1}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.options, tt.record, tt.want) })
	}
}

func TestEnvelope(t *testing.T) {
	opts := `{"json_path": "logEvents[*]", "envelope_keys": {"owner": "integer", "logGroup": "string", "missing": "string"}}`
	check(t, opts, `{"logGroup": "g", "owner": 123456789012345678901, "logEvents": [{"a": 1}, {"b": 2}], "logGroup": "g2"}`,
		want{records: []string{`{"a": 1}`, `{"b": 2}`}, envelope: `{"owner":123456789012345678901,"logGroup":"g2"}`})
	check(t, opts, `{"logEvents": [{"a": 1}]}`, want{records: []string{`{"a": 1}`}, envelope: `{}`})
	check(t, opts, `[{"a": 1}]`, want{err: "envelope_keys need the record to be a JSON object; it is an array"})
	check(t, `{}`, `{"a": 1}`, want{records: []string{`{"a": 1}`}}) // no envelope_keys: nil envelope
}

func TestBadOptions(t *testing.T) {
	tests := map[string]string{
		`{"json_path": "Records[*"}`:        `json_path "Records[*": `,
		`{"json_path": 5}`:                  `configuration "json_path" is a number, not a string`,
		`{"embedded_json": "false"}`:        `configuration "embedded_json" is a string, not a boolean`,
		`{"envelope_keys": ["a"]}`:          `configuration "envelope_keys" is an array, not an object`,
		`{"json_regex_key": {"a": 1}}`:      `configuration "json_regex_key" is an object, not a string`,
		`[1]`:                               `configuration is an array, not an object`,
		`{"json_path": "a", "json_path" x}`: `configuration: invalid JSON`,
	}
	for options, msg := range tests {
		// A batch without records is how the host checks a schema.
		_, err := New().Parse(context.Background(), saplugin.ParseRequest{Options: []byte(options)})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), msg) {
			t.Errorf("options %s: error %v, want InvalidArgument with %q", options, err, msg)
		}
	}
	for _, options := range []string{``, `null`, `{}`, `{"log_patterns": {"a": ["b"]}, "priority": 1, "json_path": null}`} {
		if _, err := New().Parse(context.Background(), saplugin.ParseRequest{Options: []byte(options)}); err != nil {
			t.Errorf("options %q: %v", options, err)
		}
	}
}

// TestBatch checks one result per record in order, failures in between not
// disturbing the others, and concurrent batches sharing the parser.
func TestBatch(t *testing.T) {
	p := New()
	req := saplugin.ParseRequest{Options: []byte(`{"json_path": "Records[*]"}`), Records: [][]byte{
		[]byte(`{"Records": [{"n": 1}]}`), []byte(`garbage`), nil, []byte(`{"Records": [{"n": 2}, {"n": 3}]}`),
	}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			res, err := p.Parse(context.Background(), req)
			if err != nil {
				t.Error(err)
				return
			}
			if len(res) != 4 || len(res[0].Candidates) != 1 || res[1].Err == "" || res[2].Err != "empty record" || len(res[3].Candidates) != 2 {
				t.Errorf("results = %+v", res)
			}
		})
	}
	wg.Wait()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Parse(ctx, req); err != context.Canceled {
		t.Errorf("Parse with a cancelled context: %v", err)
	}
}

// TestCandidatesAreJSONObjects decodes every candidate of a mixed batch.
func TestCandidatesAreJSONObjects(t *testing.T) {
	res, err := New().Parse(context.Background(), saplugin.ParseRequest{
		Options: []byte(`{"json_path": "[*]"}`),
		Records: [][]byte{[]byte(`[{"a": "\u0000"}, {"b": [1, {"c": null}]}, 1]`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res[0].Candidates {
		if len(c.Record) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(c.Record, &m); err != nil {
			t.Errorf("candidate %s: %v", c.Record, err)
		}
	}
}
