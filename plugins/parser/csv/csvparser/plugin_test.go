package csvparser

import (
	"context"
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

// TestPlugin runs the real plugin binary over gRPC.
func TestPlugin(t *testing.T) {
	parser := parsertest.Start(t, "plugins/parser/csv", "csv")
	res, err := parser.Parse(context.Background(), &pluginv1.ParseRequest{
		LogType:    "test:csv",
		SchemaJson: []byte(`{"b": "string", "a": "integer"}`),
		Records:    [][]byte{[]byte("x,1\ny,2,3"), []byte(`z`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := res.GetResults()
	if len(r) != 2 || len(r[0].GetCandidates()) != 2 || r[1].GetError() != "row 1: expected 2 columns, got 1" {
		t.Fatalf("results = %v", r)
	}
	if got := string(r[0].GetCandidates()[0].GetRecordJson()); got != `{"b":"x","a":"1"}` {
		t.Errorf("first candidate = %s", got)
	}
	if got := r[0].GetCandidates()[1].GetRecordJson(); len(got) != 0 {
		t.Errorf("ragged row = %s, want a rejected candidate", got)
	}
}
