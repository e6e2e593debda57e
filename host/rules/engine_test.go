package rules

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func newEngine(t *testing.T, rules, matchers string, opts Options) *Engine {
	t.Helper()
	opts.Rules = []File{{Name: "rules.yaml", Data: []byte(rules)}}
	if matchers != "" {
		opts.Matchers = []File{{Name: "matchers.yaml", Data: []byte(matchers)}}
	}
	if opts.Logger == nil {
		opts.Logger = quietLog
	}
	e, err := New(opts)
	if err != nil {
		t.Fatalf("New:\n%v", err)
	}
	return e
}

func fired(t *testing.T, e *Engine, logType, raw string) []string {
	t.Helper()
	ms, err := e.Evaluate(context.Background(), Record{LogType: logType, Raw: json.RawMessage(raw)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Rule.Name)
	}
	return out
}

func TestSelection(t *testing.T) {
	e := newEngine(t, `
rules:
  - name: on_events
    logs: [test:events]
    condition: record.eventName == "x"
  - name: on_all
    condition: '"eventName" in record'
  - name: disabled
    logs: [test:events]
    disabled: true
    condition: "true"
  - name: subkeys
    logs: [test:events]
    req_subkeys: {detail: [a, b]}
    condition: "true"
  - name: on_command
    datatypes: [command]
    condition: "true"
  - name: matched
    logs: [test:events]
    matchers: [is_x, has_detail]
    condition: "true"
`, `
matchers:
  - name: is_x
    condition: record.eventName == "x"
  - name: has_detail
    condition: record.detail != null
`, Options{Schemas: testSchemas})
	ev := func(name, detail string) string {
		return `{"eventName":"` + name + `","count":1,"detail":` + detail + `,"@timestamp":"t","user":{"name":"u"}}`
	}
	for _, c := range []struct {
		logType, raw string
		want         []string
	}{
		{"test:events", ev("x", `{"a":null,"b":0}`), []string{"on_events", "on_all", "subkeys", "matched"}},
		{"test:events", ev("x", `{"a":1}`), []string{"on_events", "on_all", "matched"}},
		{"test:events", ev("x", `null`), []string{"on_events", "on_all"}},
		{"test:events", ev("y", `[]`), []string{"on_all"}},
		{"test:norm", `{"cmd":"ls"}`, nil},
		{"test:norm", `{"cmd":"ls","streamalert_normalization":{"command":[{"values":["ls"]}]}}`, []string{"on_command"}},
		{"test:norm", `{"cmd":"ls","streamalert_normalization":{}}`, nil},
		// test:events cannot carry "command", so on_command is not even offered.
		{"test:events", `{"eventName":"y","streamalert:normalization":{"command":["ls"]}}`, []string{"on_all"}},
		{"unknown:log", `{"eventName":"q","streamalert:normalization":{"command":["ls"]}}`, []string{"on_all", "on_command"}},
	} {
		if got := fired(t, e, c.logType, c.raw); !slices.Equal(got, c.want) {
			t.Errorf("%s %s: fired %v, want %v", c.logType, c.raw, got, c.want)
		}
	}
}

func TestMatchContents(t *testing.T) {
	staged := stagingFunc(func(r string) bool { return r == "staged_by_table" })
	e := newEngine(t, `
rules:
  - name: full
    description: d
    severity: high
    tags: [a, b]
    outputs: [slack:sec, pagerduty:oncall]
    dynamic_outputs:
      - '"jira:" + record.team'
      - 'record.extra'
      - '42 == 42 ? "not-an-output" : ""'
      - 'record.nope'
    publishers:
      slack: [summary]
      slack:sec: [attach]
      jira: [ticket]
    context: {owner: sec, limits: [1, 2]}
    merge_by_keys: [user]
    merge_window_mins: 30
    condition: context.owner == "sec"
  - name: staged_in_file
    staged: true
    outputs: [slack:sec]
    condition: "true"
  - name: staged_by_table
    outputs: [slack:sec]
    publishers: all_one
    condition: "true"
`, "", Options{Staging: staged})
	raw := `{"team":"infra","extra":["slack:sec","s3:bucket", 5]}`
	ms, err := e.Evaluate(context.Background(), Record{LogType: "l", Parser: "json", Service: "s3", Source: "b", Cluster: "prod", Raw: json.RawMessage(raw)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("%d matches, want 3", len(ms))
	}
	m := ms[0]
	if want := []string{"slack:sec", "pagerduty:oncall", "jira:infra", "s3:bucket"}; !slices.Equal(m.Outputs, want) {
		t.Errorf("outputs = %v, want %v", m.Outputs, want)
	}
	pubs, _ := json.Marshal(m.Publishers)
	if want := `{"jira:infra":["ticket"],"slack:sec":["summary","attach"]}`; string(pubs) != want {
		t.Errorf("publishers = %s, want %s", pubs, want)
	}
	if string(m.Context) != `{"limits":[1,2],"owner":"sec"}` || string(m.Record) != raw {
		t.Errorf("context %s record %s", m.Context, m.Record)
	}
	if m.MergeWindow != 30*time.Minute || !slices.Equal(m.MergeByKeys, []string{"user"}) || m.Staged {
		t.Errorf("merge %v %v staged %v", m.MergeByKeys, m.MergeWindow, m.Staged)
	}
	if m.LogType != "l" || m.Parser != "json" || m.Service != "s3" || m.Source != "b" || m.Cluster != "prod" {
		t.Errorf("source fields: %+v", m)
	}
	for _, s := range ms[1:] {
		if !s.Staged || s.Outputs != nil || s.Publishers != nil {
			t.Errorf("%s: staged %v outputs %v publishers %v", s.Rule.Name, s.Staged, s.Outputs, s.Publishers)
		}
	}
	// The failing dynamic output was counted against the rule.
	if st := e.Stats()[0]; st.Errors != 1 || st.Matched != 1 || st.Evaluated != 1 {
		t.Errorf("stats = %+v", st)
	}
}

type stagingFunc func(string) bool

func (f stagingFunc) Staged(r string) bool { return f(r) }

func TestPublishersFor(t *testing.T) {
	p := Publishers{ByOutput: map[string][]string{"slack": {"a"}, "slack:x": {"b"}, "pagerduty:y": {"c"}}}
	for _, c := range []struct {
		out  string
		want []string
	}{{"slack:x", []string{"a", "b"}}, {"slack:z", []string{"a"}}, {"pagerduty:y", []string{"c"}}, {"jira:q", nil}} {
		if got := p.For(c.out); !slices.Equal(got, c.want) {
			t.Errorf("For(%s) = %v, want %v", c.out, got, c.want)
		}
	}
	all := Publishers{All: []string{"x"}}
	if got := all.For("any:thing"); !slices.Equal(got, []string{"x"}) {
		t.Errorf("All: %v", got)
	}
}

// TestRuleErrorsIsolated: a failing rule does not match, does not stop
// the others, is counted every time and reported once per interval.
func TestRuleErrorsIsolated(t *testing.T) {
	now := fixedNow
	var errs errorLog
	e := newEngine(t, `
rules:
  - name: fails
    condition: record.missing == 1
  - name: loops
    condition: 'record.items.all(x, record.items.all(y, record.items.all(z, x + y + z >= 0)))'
  - name: fine
    condition: "true"
`, "", Options{Errors: &errs, Now: func() time.Time { return now }, CostLimit: 10_000})
	items := strings.Repeat("1,", 99) + "1"
	raw := `{"items":[` + items + `]}`
	for range 3 {
		if got := fired(t, e, "l", raw); !slices.Equal(got, []string{"fine"}) {
			t.Fatalf("fired %v, want [fine]", got)
		}
	}
	now = now.Add(2 * DefaultErrorInterval)
	fired(t, e, "l", raw)
	got := errs.all()
	if len(got) != 4 {
		t.Fatalf("%d reports, want 2 per failing rule: %+v", len(got), got)
	}
	if got[0].Rule != "fails" || got[0].Count != 1 || got[0].Stage != "condition" || got[0].File != "rules.yaml" {
		t.Errorf("first report %+v", got[0])
	}
	if !got[1].CostExceeded || got[1].Rule != "loops" {
		t.Errorf("second report %+v", got[1])
	}
	if got[2].Count != 3 || got[3].Count != 3 {
		t.Errorf("later reports count %d and %d, want 3 each", got[2].Count, got[3].Count)
	}
	st := e.Stats()
	if st[0].Errors != 4 || st[1].CostExceeded != 4 || st[2].Matched != 4 {
		t.Errorf("stats %+v", st)
	}
}

func TestEvaluateCancelled(t *testing.T) {
	e := newEngine(t, "rules:\n  - name: r\n    condition: \"true\"\n", "", Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Evaluate(ctx, Record{Raw: json.RawMessage(`{}`)}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestEvaluateBadRecord(t *testing.T) {
	e := newEngine(t, "rules:\n  - name: r\n    condition: \"true\"\n", "", Options{})
	if _, err := e.Evaluate(context.Background(), Record{Raw: json.RawMessage(`[1]`)}); err == nil {
		t.Error("a JSON array was accepted as a record")
	}
}

func TestDecodeObjectNumbers(t *testing.T) {
	m, err := DecodeObject([]byte(`{"i":1,"f":1.0,"e":1e3,"big":12345678901234567890,"n":[-2]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m["i"].(int64); !ok {
		t.Errorf("i is %T", m["i"])
	}
	for _, k := range []string{"f", "e", "big"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("%s is %T", k, m[k])
		}
	}
	if m["n"].([]any)[0] != int64(-2) {
		t.Errorf("n = %v", m["n"])
	}
}

// TestTypedAccess covers the ways to reach keys of a typed record that
// are not identifiers, and the keys sa adds.
func TestTypedAccess(t *testing.T) {
	e := newEngine(t, `
rules:
  - name: backticks
    logs: [test:events]
    condition: record.`+"`detail-type`"+` == "GuardDuty Finding"
  - name: index
    logs: [test:events]
    condition: record["@timestamp"] == "t" && record["detail-type"] != ""
  - name: presence
    logs: [test:events]
    condition: '"streamalert:ioc" in record && record["streamalert:ioc"].ip == ["1.2.3.4"]'
  - name: optional
    logs: [test:events]
    condition: record.?streamalert_normalization.orValue({}) == {} && record[?"nope"].orValue(1) == 1
`, "", Options{Schemas: testSchemas})
	raw := `{"eventName":"x","count":1,"detail":{},"@timestamp":"t","detail-type":"GuardDuty Finding","user":{"name":"u"},"streamalert:ioc":{"ip":["1.2.3.4"]}}`
	if got, want := fired(t, e, "test:events", raw), []string{"backticks", "index", "presence", "optional"}; !slices.Equal(got, want) {
		t.Errorf("fired %v, want %v", got, want)
	}
}

// TestConcurrentEvaluate runs the pack from several goroutines at once;
// with -race it checks the engine's shared state.
func TestConcurrentEvaluate(t *testing.T) {
	e := packEngine(t, Options{Logger: quietLog})
	raw := `{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","userIdentity":{},"requestParameters":{},
		"errorCode":"","eventType":"AwsApiCall"}`
	done := make(chan []string)
	for range 4 {
		go func() {
			var last []string
			for range 200 {
				ms, err := e.Evaluate(context.Background(), Record{LogType: "cloudtrail:events", Raw: json.RawMessage(raw)})
				if err != nil {
					t.Error(err)
				}
				last = last[:0]
				for _, m := range ms {
					last = append(last, m.Rule.Name)
				}
			}
			done <- last
		}()
	}
	for range 4 {
		if got := <-done; !slices.Equal(got, []string{"cloudtrail_critical_api_calls"}) {
			t.Errorf("fired %v", got)
		}
	}
}
