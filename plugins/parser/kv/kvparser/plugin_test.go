package kvparser

import (
	"context"
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

// TestPlugin runs the real plugin binary over gRPC.
func TestPlugin(t *testing.T) {
	parser := parsertest.Start(t, "plugins/parser/kv", "kv")
	res, err := parser.Parse(context.Background(), &pluginv1.ParseRequest{
		SchemaJson:  []byte(`{"a": "string", "b": "integer"}`),
		OptionsJson: []byte(`{"delimiter": ",", "separator": ":"}`),
		Records:     [][]byte{[]byte(`a:x,b:1`), []byte(`a:x`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := res.GetResults()
	if len(r) != 2 || string(r[0].GetCandidates()[0].GetRecordJson()) != `{"a":"x","b":"1"}` ||
		r[1].GetError() != `expected 2 fields separated by ",", got 1` {
		t.Fatalf("results = %v", r)
	}
}
