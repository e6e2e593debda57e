package csvparser

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const aurora = `{"timestamp": "integer", "serverhost": "string", "username": "string", "host": "string",
	"connectionid": "integer", "queryid": "integer", "operation": "string", "database": "string",
	"object": "string", "retcode": "integer"}`

type want struct {
	records  []string // "" for a rejected row
	envelope string
	err      string
}

func check(t *testing.T, schema, options, record string, w want) {
	t.Helper()
	res, err := New().Parse(context.Background(), saplugin.ParseRequest{
		Schema: []byte(schema), Options: []byte(options), Records: [][]byte{[]byte(record)},
	})
	if err != nil {
		t.Fatalf("Parse: %v", err)
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

func TestRows(t *testing.T) {
	schema := `{"a": "string", "b": "integer", "c": "string"}`
	tests := []struct {
		name, options, record string
		want
	}{
		{"row", `{}`, `x,1,"y, z"`, want{records: []string{`{"a":"x","b":"1","c":"y, z"}`}}},
		{"several rows", `{}`, "x,1,y\n\"multi\nline\",2,\"q\"\"uote\"\r\n", want{records: []string{
			`{"a":"x","b":"1","c":"y"}`, `{"a":"multi\nline","b":"2","c":"q\"uote"}`}}},
		{"ragged", `{}`, "x,1,y\nx,1\nx,1,y,z", want{records: []string{`{"a":"x","b":"1","c":"y"}`, ``, ``}}},
		{"all ragged", `{}`, "x,1", want{err: "row 1: expected 3 columns, got 2"}},
		{"blank line rejected", `{}`, "x,1,y\n\nx,2,y", want{records: []string{`{"a":"x","b":"1","c":"y"}`, ``, `{"a":"x","b":"2","c":"y"}`}}},
		{"csv error keeps earlier rows", `{}`, "x,1,y\nx\r2,y", want{records: []string{`{"a":"x","b":"1","c":"y"}`, ``}}},
		{"empty", `{}`, "", want{err: "no CSV rows"}},
		{"delimiter", `{"delimiter": "|"}`, `x|1|y,z`, want{records: []string{`{"a":"x","b":"1","c":"y,z"}`}}},
		{"tab", `{"delimiter": "\t"}`, "x\t1\ty", want{records: []string{`{"a":"x","b":"1","c":"y"}`}}},
		{"quotechar and escapechar", `{"quotechar": "'", "escapechar": "\\"}`, `'it''s',1,a\,b`,
			want{records: []string{`{"a":"it's","b":"1","c":"a,b"}`}}},
		{"JSON string is decoded", `{}`, `"x,1,y"`, want{records: []string{`{"a":"x","b":"1","c":"y"}`}}},
		{"JSON number is not text", `{}`, `12`, want{err: "record is a number in JSON, not text"}},
		{"JSON object is not text", `{}`, `{"a": 1}`, want{err: "record is an object in JSON, not text"}},
		{"bad utf8", `{}`, "x,\xff,y", want{err: "invalid UTF-8 at byte 2"}},
		{"control characters", `{}`, "x\x01,1,\"\t\"", want{records: []string{`{"a":"x\u0001","b":"1","c":"\t"}`}}},
		{"envelope needs JSON", `{"envelope_keys": {"a": "string"}}`, "x,1,y", want{err: "envelope_keys need the record to be a JSON object; it is not JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, schema, tt.options, tt.record, tt.want) })
	}
}

func TestNested(t *testing.T) {
	schema := `{"id": "string", "message": {"type": "string", "src": "string"}, "n": "integer"}`
	check(t, schema, `{}`, `1,"TRAFFIC,10.0.0.1",5`, want{records: []string{`{"id":"1","message":{"type":"TRAFFIC","src":"10.0.0.1"},"n":"5"}`}})
	check(t, schema, `{}`, "1,\"TRAFFIC,10.0.0.1\nignored\",5", want{records: []string{`{"id":"1","message":{"type":"TRAFFIC","src":"10.0.0.1"},"n":"5"}`}})
	check(t, schema, `{}`, `1,TRAFFIC,5`, want{err: "row 1: column 2 (message): expected 2 columns, got 1"})
	check(t, schema, `{}`, `1,,5`, want{err: "row 1: column 2 (message): nested CSV has no rows"})
	check(t, `{"a": {}}`, `{}`, `x`, want{err: "row 1: column 1 (a): expected 0 columns, got 1"})
}

func TestJSONPath(t *testing.T) {
	opts := `{"json_path": "logEvents[*].message", "quotechar": "'", "escapechar": "\\",
		"envelope_keys": {"logGroup": "string", "owner": "string", "subscriptionFilters": []}}`
	record := `{"owner": "123456789012", "logGroup": "g", "subscriptionFilters": ["f"], "logEvents": [
		{"message": "1526951139360429,server-name,username,localhost,70558,0,CONNECT,,,0"},
		{"message": "1527307908805999,server-name,username,127.0.0.0,19444984,155461944,QUERY,testing,'CREATE TABLE t ( id INT, PRIMARY KEY (id) )',0"},
		{"message": "too,few"}, {"message": 5}, {"message": ""}, {"other": 1}]}`
	check(t, aurora, opts, record, want{
		envelope: `{"logGroup":"g","owner":"123456789012","subscriptionFilters":["f"]}`,
		records: []string{
			`{"timestamp":"1526951139360429","serverhost":"server-name","username":"username","host":"localhost","connectionid":"70558","queryid":"0","operation":"CONNECT","database":"","object":"","retcode":"0"}`,
			`{"timestamp":"1527307908805999","serverhost":"server-name","username":"username","host":"127.0.0.0","connectionid":"19444984","queryid":"155461944","operation":"QUERY","database":"testing","object":"CREATE TABLE t ( id INT, PRIMARY KEY (id) )","retcode":"0"}`,
			``, ``,
		}})
	check(t, aurora, opts, `{"logEvents": []}`, want{err: `json_path "logEvents[*].message" selected nothing`})
	check(t, aurora, opts, `{"logEvents": [{"message": 5}]}`, want{err: "json_path element 1 is a number, not a CSV string"})
	check(t, aurora, opts, `not json`, want{err: "json_path needs a JSON record: invalid JSON: line 1 column 2: invalid character 'o' in literal null (expecting 'u')"})
}

func TestBadSchemaOrOptions(t *testing.T) {
	tests := []struct{ schema, options, msg string }{
		{`[1]`, `{}`, "schema is an array, not an object"},
		{``, `{}`, "schema: empty record"},
		{`{"a": "string"}`, `{"delimiter": ",,"}`, `configuration "delimiter" must be one character other than a newline, not ",,"`},
		{`{"a": "string"}`, `{"quotechar": ""}`, `configuration "quotechar" must be one character`},
		{`{"a": "string"}`, `{"escapechar": "\n"}`, `configuration "escapechar" must be one character other than a newline`},
		{`{"a": "string"}`, `{"delimiter": 1}`, `configuration "delimiter" is a number, not a string`},
		{`{"a": "string"}`, `{"json_path": "a[?"}`, `json_path "a[?"`},
	}
	for _, tt := range tests {
		_, err := New().Parse(context.Background(), saplugin.ParseRequest{Schema: []byte(tt.schema), Options: []byte(tt.options)})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("schema %s options %s: %v, want InvalidArgument with %q", tt.schema, tt.options, err, tt.msg)
		}
	}
}
