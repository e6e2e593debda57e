package pluginhost

import (
	"strings"
	"testing"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

func TestParseResultSpans(t *testing.T) {
	raw := []byte(`{"Records":[{"a":1}]}`)
	got := parseResult(raw, &pluginv1.ParseResult{Candidates: []*pluginv1.Candidate{
		{RecordStart: 12, RecordEnd: 19},
		{RecordJson: []byte(`{"b":2}`)},
		{Error: "element 3 is not an object"},
	}})
	if got.Err != "" || string(got.Candidates[0].Record) != `{"a":1}` || string(got.Candidates[1].Record) != `{"b":2}` || got.Candidates[2].Err == "" {
		t.Fatalf("got %+v", got)
	}
	// A span the raw record cannot hold fails that record, not the host.
	for _, c := range []*pluginv1.Candidate{{RecordStart: 5, RecordEnd: 500}, {RecordStart: 9, RecordEnd: 3}} {
		bad := parseResult(raw, &pluginv1.ParseResult{Candidates: []*pluginv1.Candidate{c}})
		if !strings.Contains(bad.Err, "span") || len(bad.Candidates) != 0 {
			t.Errorf("span [%d,%d): got %+v, want a per-record error", c.RecordStart, c.RecordEnd, bad)
		}
	}
}
