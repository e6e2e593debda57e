package syslogparser

import (
	"context"
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

// TestPlugin runs the real plugin binary over gRPC.
func TestPlugin(t *testing.T) {
	parser := parsertest.Start(t, "plugins/parser/syslog", "syslog")
	res, err := parser.Parse(context.Background(), &pluginv1.ParseRequest{
		SchemaJson: []byte(streamalertSchema),
		Records:    [][]byte{[]byte("Jan 10 19:35:33 host sudo: session opened"), []byte("nope")},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := res.GetResults()
	want := `{"timestamp":"Jan 10 19:35:33","host":"host","application":"sudo","message":"session opened"}`
	if len(r) != 2 || string(r[0].GetCandidates()[0].GetRecordJson()) != want || r[1].GetError() == "" {
		t.Fatalf("results = %v", r)
	}
}
