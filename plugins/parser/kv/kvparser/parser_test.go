package kvparser

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const schema3 = `{"type": "string", "msg": "string", "uid": "integer"}`

// TestParse holds the parser to testdata/parse.golden; rewrite it with
// -update after checking the change.
func TestParse(t *testing.T) {
	cases := []parsertest.Case{
		{"audit", schema3, `{}`, `type=USER_LOGIN msg=audit(1364481363.243:24287): uid=0`},
		{"separator in value", schema3, `{}`, `type=A msg=x=y uid=1`},
		{"empty pieces dropped", schema3, `{}`, `  type=A   msg=b uid=1  `},
		{"record order kept", schema3, `{}`, `uid=1 type=A msg=b`},
		{"unknown key left to the host", schema3, `{}`, `type=A msg=b user=1`},
		{"duplicate goes to the schema key", schema3, `{}`, `type=A type=B type=C`},
		{"piece without separator skipped", schema3, `{}`, `type=A garbage uid=1`},
		{"too few", schema3, `{}`, `type=A uid=1`},
		{"too many", schema3, `{}`, `a=1 b=2 c=3 d=4`},
		{"no separator at all", schema3, `{}`, `a b c`},
		{"custom delimiter and separator", schema3, `{"delimiter": "; ", "separator": ":"}`, `type:A; msg:b c; uid:1`},
		{"multi-byte delimiter", schema3, `{"delimiter": "¦", "separator": "→"}`, `type→A¦msg→b¦uid→1`},
		{"JSON string decoded", schema3, `{}`, `"type=A msg=b uid=1"`},
		{"JSON object refused", schema3, `{}`, `{"type": "A"}`},
		{"invalid UTF-8", schema3, `{}`, "type=A msg=\xff uid=1"},
		{"escaped output", schema3, `{}`, "type=\"q\" msg=\\ uid=\x01"},
		{"envelope needs JSON", schema3, `{"envelope_keys": {"a": "string"}}`, `type=A msg=b uid=1`},
	}
	parsertest.RunCases(t, New(), cases, filepath.Join("testdata", "parse.golden"))
}

func TestBadSchemaOrOptions(t *testing.T) {
	tests := []struct{ schema, options, msg string }{
		{`[]`, `{}`, "schema is an array, not an object"},
		{schema3, `{"delimiter": ""}`, `configuration "delimiter" must not be empty`},
		{schema3, `{"separator": ""}`, `configuration "separator" must not be empty`},
		{schema3, `{"separator": 1}`, `configuration "separator" is a number, not a string`},
	}
	for _, tt := range tests {
		_, err := New().Parse(context.Background(), saplugin.ParseRequest{Schema: []byte(tt.schema), Options: []byte(tt.options)})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("schema %s options %s: %v, want InvalidArgument with %q", tt.schema, tt.options, err, tt.msg)
		}
	}
}

// TestHugeRecord checks that a record of many delimiters is refused
// without holding a piece per delimiter.
func TestHugeRecord(t *testing.T) {
	rec := []byte(strings.Repeat("a=b ", 5<<20))
	res, err := New().Parse(context.Background(), saplugin.ParseRequest{Schema: []byte(schema3), Records: [][]byte{rec}})
	if err != nil || res[0].Err != `expected 3 fields separated by " ", got 5242880` {
		t.Fatalf("Parse = %v, %v", res, err)
	}
}
