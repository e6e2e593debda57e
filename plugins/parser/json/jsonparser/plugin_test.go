package jsonparser

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

// TestPlugin runs the real plugin binary over gRPC.
func TestPlugin(t *testing.T) {
	parser := parsertest.Start(t, "plugins/parser/json", "json")
	ctx := context.Background()
	req := &pluginv1.ParseRequest{
		LogType:     "cloudwatch:flow_logs",
		SchemaJson:  []byte(`{"account": "integer"}`),
		OptionsJson: []byte(`{"json_path": "logEvents[*].extractedFields", "envelope_keys": {"owner": "integer"}}`),
		Records: [][]byte{
			[]byte(`{"owner": 123456789012, "logEvents": [{"extractedFields": {"account": 123456789012}}, {"id": 1}, {"extractedFields": 7}]}`),
			[]byte(`{"owner": 1, "logEvents": [`),
		},
	}
	res, err := parser.Parse(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.GetResults()); n != 2 {
		t.Fatalf("%d results for 2 records", n)
	}
	first := res.GetResults()[0]
	if first.GetError() != "" || len(first.GetCandidates()) != 2 {
		t.Fatalf("first result = %v", first)
	}
	c := first.GetCandidates()
	// Records extracted in place come back as a span of the raw record.
	raw := req.Records[0]
	if len(c[0].GetRecordJson()) != 0 || string(raw[c[0].GetRecordStart():c[0].GetRecordEnd()]) != `{"account": 123456789012}` || string(c[0].GetEnvelopeJson()) != `{"owner":123456789012}` {
		t.Errorf("candidate = %q [%d,%d) / %s", c[0].GetRecordJson(), c[0].GetRecordStart(), c[0].GetRecordEnd(), c[0].GetEnvelopeJson())
	}
	if len(c[1].GetRecordJson()) != 0 || c[1].GetRecordEnd() != 0 || c[1].GetError() == "" {
		t.Errorf("rejected element = %v, want an empty record with its reason", c[1])
	}
	if got := res.GetResults()[1].GetError(); got != "invalid JSON: line 1 column 27: unexpected end of JSON input" {
		t.Errorf("second result error = %q", got)
	}

	_, err = parser.Parse(ctx, &pluginv1.ParseRequest{OptionsJson: []byte(`{"json_path": "[*"}`)})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad json_path: %v, want InvalidArgument", err)
	}
}
