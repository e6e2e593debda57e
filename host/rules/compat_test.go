package rules

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// goldenEvent is one line of golden/streamalert-parsed.jsonl: what
// StreamAlert 3.5 classified from a test event and which rules fired.
type goldenEvent struct {
	File       string            `json:"file"`
	Index      int               `json:"index"`
	LogType    string            `json:"classified_log"`
	Records    []json.RawMessage `json:"records"`
	FiredRules []string          `json:"fired_rules"`
	Expected   []string          `json:"expected_rules"`
}

// testEvent is the part of a StreamAlert test event this test needs.
type testEvent struct {
	ClassifyOnly bool `json:"classify_only"`
	Fixtures     struct {
		LookupTables map[string]map[string]json.RawMessage `json:"lookup_tables"`
	} `json:"test_fixtures"`
}

// TestCompatGolden runs the shipped rule pack on the records StreamAlert
// 3.5 classified from its own test events and checks that exactly the
// rules that fired there fire here.
func TestCompatGolden(t *testing.T) {
	conf := compatConf(t)
	lookup := mapLookup{}
	e := packEngine(t, Options{Schemas: ConfSchemas(conf), Lookup: lookup})
	f, err := os.Open(filepath.Join(compatDir, "golden", "streamalert-parsed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		var ev goldenEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		te := fixtures(t, ev)
		if te.ClassifyOnly {
			continue // StreamAlert ran no rules on it
		}
		clear(lookup)
		for table, kv := range te.Fixtures.LookupTables {
			lookup[table] = map[string]any{}
			for k, raw := range kv {
				lookup[table][k], _ = DecodeValue(raw)
			}
		}
		var fired []string
		for _, raw := range ev.Records {
			ms, err := e.Evaluate(context.Background(), Record{LogType: ev.LogType, Raw: raw})
			if err != nil {
				t.Fatalf("%s[%d]: %v", ev.File, ev.Index, err)
			}
			for _, m := range ms {
				fired = append(fired, m.Rule.Name)
			}
		}
		slices.Sort(fired)
		want := slices.Sorted(slices.Values(ev.FiredRules))
		if !slices.Equal(fired, want) {
			t.Errorf("%s[%d] (%s): fired %v, StreamAlert fired %v", ev.File, ev.Index, ev.LogType, fired, want)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, st := range e.Stats() {
		if st.Errors > 0 {
			t.Logf("rule %s: %d errors", st.Rule, st.Errors)
		}
	}
	t.Logf("%d golden events", n)
}

// fixtures reads the test event a golden line came from.
func fixtures(t *testing.T, ev goldenEvent) testEvent {
	data, err := os.ReadFile(filepath.Join(compatDir, ev.File))
	if err != nil {
		t.Fatal(err)
	}
	var events []testEvent
	if err := json.Unmarshal(data, &events); err != nil {
		t.Fatal(err)
	}
	return events[ev.Index]
}
