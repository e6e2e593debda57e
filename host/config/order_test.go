package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestSortSchemas pins StreamAlert's SchemaSorter semantics, quirks
// included: an unset priority takes the highest priority seen so far
// (starting at -1), an explicit -1 counts as unset, and ties keep input
// order.
func TestSortSchemas(t *testing.T) {
	tests := []struct {
		name string
		in   string // name=priority, "_" for unset, in input order
		want string
	}{
		{"all unset keep input order", "a=_ b=_ c=_", "a b c"},
		{"plain priorities", "a=2 b=0 c=1", "b c a"},
		{"unset before any priority sorts first", "a=_ b=0 c=_", "a b c"},
		{"unset after a priority ties with the highest so far", "a=5 b=_ c=3 d=_ e=4", "c e a b d"},
		{"explicit -1 is unset", "a=1 b=-1 c=0", "c a b"},
		{"negative priorities go first", "a=_ b=-5", "b a"},
		{"the highest so far never decreases", "a=9 b=1 c=_", "b a c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ss []*Schema
			for _, f := range strings.Fields(tc.in) {
				name, pr, _ := strings.Cut(f, "=")
				s := &Schema{Name: LogType(name)}
				if pr != "_" {
					var v int
					fmt.Sscan(pr, &v)
					s.Options.Priority = &v
				}
				ss = append(ss, s)
			}
			sortSchemas(ss)
			var got []string
			for _, s := range ss {
				got = append(got, string(s.Name))
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("order = %v, want %s", got, tc.want)
			}
		})
	}
}

// TestCandidates checks data_sources selection: families expand to every
// log type in schema order, full names select one, list order is ignored.
func TestCandidates(t *testing.T) {
	cfg := mustLoad(t, writeConf(t, map[string]string{
		"schemas/a.json": `{"b:one": {"parser": "json", "schema": {}}, "a:two": {"parser": "json", "schema": {}, "configuration": {"priority": 1}}}`,
		"schemas/b.json": `{"a:one": {"parser": "json", "schema": {}, "configuration": {"priority": 0}}, "c": {"parser": "json", "schema": {}}}`,
		"clusters/prod.json": `{"data_sources": {"kinesis": {"stream": ["c", "a"]}, "sns": {"topic": ["b:one", "c"]},
			"streamalert_app": {"fn": ["b"]}}}`,
	}))
	for _, tc := range []struct {
		service, resource string
		want              []LogType
	}{
		{ServiceKinesis, "stream", []LogType{"a:one", "a:two", "c"}},
		{ServiceSNS, "topic", []LogType{"b:one", "c"}},
		{ServiceStreamAlertApp, "fn", []LogType{"b:one"}},
	} {
		got, err := cfg.SchemasForSource(tc.service, tc.resource)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("SchemasForSource(%s, %s) = %v, %v; want %v", tc.service, tc.resource, got, err, tc.want)
		}
	}
	// The result is the caller's to change.
	got, _ := cfg.SchemasForSource(ServiceKinesis, "stream")
	got[0] = "x"
	if again, _ := cfg.SchemasForSource(ServiceKinesis, "stream"); again[0] != "a:one" {
		t.Error("SchemasForSource returned shared state")
	}
	if _, ok := find(cfg.Warnings, want{"clusters/prod.json", "data_sources.sns.topic[0]", "selects schemas by log family only", SeverityWarning}); !ok {
		t.Errorf("no warning for a full log type in data_sources: %v", cfg.Warnings)
	}
}

// TestLegacyLogsJSON checks the single-file layout: it wins over
// schemas/, and keeps its file order because StreamAlert sorts by
// priority only when merging schemas/.
func TestLegacyLogsJSON(t *testing.T) {
	cfg := mustLoad(t, writeConf(t, map[string]string{
		"logs.json": `{"app:z": {"parser": "json", "schema": {}, "configuration": {"priority": 5}},
			"app:y": {"parser": "json", "schema": {}, "configuration": {"priority": 0}}}`,
	}))
	if !cfg.LegacyLogsJSON {
		t.Error("LegacyLogsJSON = false")
	}
	got, _ := cfg.SchemasForSource(ServiceKinesis, "stream")
	if !slices.Equal(got, []LogType{"app:z", "app:y"}) {
		t.Errorf("candidates = %v, want logs.json order", got)
	}
	if _, ok := cfg.Schema("app:events"); ok {
		t.Error("schemas/ was loaded as well as logs.json")
	}
	for _, w := range []want{
		{"schemas/", "", "ignored because logs.json exists", SeverityWarning},
		{"logs.json", "app:z", "configuration.priority is ignored in logs.json", SeverityWarning},
	} {
		if _, ok := find(cfg.Warnings, w); !ok {
			t.Errorf("no warning %+v in %v", w, cfg.Warnings)
		}
	}
}

func TestLogType(t *testing.T) {
	for _, tc := range []struct{ name, family, subtype string }{
		{"cloudtrail:events", "cloudtrail", "events"},
		{"binaryalert", "binaryalert", ""},
		{"carbonblack:alert.status.updated", "carbonblack", "alert.status.updated"},
		{"a:b:c", "a", "c"},
	} {
		if lt := LogType(tc.name); lt.Family() != tc.family || lt.Subtype() != tc.subtype {
			t.Errorf("%s: Family, Subtype = %q, %q", tc.name, lt.Family(), lt.Subtype())
		}
	}
}
