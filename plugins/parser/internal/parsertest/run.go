package parsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/streamalert-go/sa/internal/testbin"
	"path/filepath"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Run feeds every corpus event whose schema uses parser name to p, checks
// the candidates against what StreamAlert produced wherever the corpus
// records it, and compares all results with the fingerprint in testdata/compat.sha256.
func Run(t *testing.T, name string, p saplugin.Parser) {
	c := Load(t)
	events := c.EventsFor(name)
	var golden bytes.Buffer
	compared := 0
	for _, e := range events {
		s := c.Schemas[e.Log]
		res, err := p.Parse(context.Background(), saplugin.ParseRequest{
			LogType: e.Log, Schema: s.Schema, Options: s.Options, Records: [][]byte{e.Data},
		})
		if err != nil {
			t.Fatalf("%s #%d (%s): %v", e.File, e.Index, e.Log, err)
		}
		golden.Write(format(e, res[0]))
		if e.Golden == nil || e.Golden.ClassifiedLog != e.Log {
			continue
		}
		compared++
		compare(t, e, s, res[0])
	}
	t.Logf("%d %s events, %d compared with StreamAlert's output", len(events), name, compared)
	testbin.Fingerprint(t, filepath.Join("testdata", "compat.sha256"), golden.Bytes(), *update)
}

func compare(t *testing.T, e Event, s Schema, r saplugin.ParseResult) {
	t.Helper()
	if r.Err != "" {
		t.Errorf("%s #%d (%s): %s; StreamAlert parsed it", e.File, e.Index, e.Log, r.Err)
		return
	}
	var valid []saplugin.Candidate
	for _, c := range r.Candidates {
		if len(c.Record) > 0 {
			valid = append(valid, c)
		}
	}
	if len(valid) != len(e.Golden.Records) || len(r.Candidates)-len(valid) != e.Golden.InvalidRecords {
		t.Errorf("%s #%d (%s): %d candidates and %d rejected, StreamAlert has %d records and %d invalid",
			e.File, e.Index, e.Log, len(valid), len(r.Candidates)-len(valid), len(e.Golden.Records), e.Golden.InvalidRecords)
		return
	}
	for i, c := range valid {
		for _, d := range Compare(s.Schema, s.Options, c.Record, c.Envelope, e.Golden.Records[i]) {
			t.Errorf("%s #%d (%s) record %d: %s", e.File, e.Index, e.Log, i, d)
		}
	}
}

// Case is one input of a golden test that does not come from the corpus.
// It is an unnamed struct type so that tables of cases can be written
// without field names.
type Case = struct {
	Name, Schema, Options, Record string
}

// RunCases parses each case with p and compares the results with the
// golden file at path, checking the parser contract on the way.
func RunCases(t *testing.T, p saplugin.Parser, cases []Case, path string) {
	var golden bytes.Buffer
	for _, c := range cases {
		records := [][]byte{[]byte(c.Record)}
		res, err := p.Parse(context.Background(), saplugin.ParseRequest{
			LogType: c.Name, Schema: []byte(c.Schema), Options: []byte(c.Options), Records: records,
		})
		if err != nil {
			t.Fatalf("case %s: %v", c.Name, err)
		}
		CheckResults(t, records, res)
		line := struct {
			Case  string `json:"case"`
			Input string `json:"input"`
			result
		}{c.Name, c.Record, summarize(res[0])}
		golden.Write(marshalLine(line))
	}
	CheckGolden(t, path, golden.Bytes())
}

// result is how golden files show a ParseResult.
type result struct {
	Candidates []candidate `json:"candidates,omitempty"`
	Err        string      `json:"error,omitempty"`
}

type candidate struct {
	Record   json.RawMessage `json:"record,omitempty"`
	Envelope json.RawMessage `json:"envelope,omitempty"`
	Rejected bool            `json:"rejected,omitempty"`
}

func summarize(r saplugin.ParseResult) result {
	out := result{Err: r.Err}
	for _, c := range r.Candidates {
		out.Candidates = append(out.Candidates, candidate{Record: compact(c.Record), Envelope: compact(c.Envelope), Rejected: len(c.Record) == 0})
	}
	return out
}

// format writes the golden line of a corpus event: its key and what the
// parser made of it, records compacted (numbers stay as written).
func format(e Event, r saplugin.ParseResult) []byte {
	return marshalLine(struct {
		File  string `json:"file"`
		Index int    `json:"index"`
		Log   string `json:"log"`
		result
	}{e.File, e.Index, e.Log, summarize(r)})
}

// marshalLine writes v as one line of JSON, leaving <, > and & readable.
func marshalLine(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func compact(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return json.RawMessage(`"invalid JSON"`)
	}
	return buf.Bytes()
}
