package streamquery

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const goodQuery = `name: failed_logins
description: Console logins that failed in the last hour
query: |
  SELECT useridentity.arn, count(*) AS failures
  FROM cloudtrail
  WHERE dt >= '{utcdatehour_minus1hour}' AND errormessage IS NOT NULL
  GROUP BY useridentity.arn
params:
  - utcdatehour_minus1hour
tags: [hourly, cloudtrail]
`

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  *Query
		wants []string // problems, as file:line: message substrings
	}{
		{"good", goodQuery, &Query{Name: "failed_logins", Description: "Console logins that failed in the last hour",
			Query:  "SELECT useridentity.arn, count(*) AS failures\nFROM cloudtrail\nWHERE dt >= '{utcdatehour_minus1hour}' AND errormessage IS NOT NULL\nGROUP BY useridentity.arn\n",
			Params: []string{"utcdatehour_minus1hour"}, Tags: []string{"hourly", "cloudtrail"}, File: "q.yaml", Line: 1}, nil},
		{"no params, braces escaped", "name: n\nquery: \"SELECT '{{x}}'\"\ntags: [t]\n",
			&Query{Name: "n", Query: "SELECT '{{x}}'", Tags: []string{"t"}, File: "q.yaml", Line: 1}, nil},
		{"missing fields", "description: d\n", nil, []string{"q.yaml:1: name is required", "q.yaml:1: query is required", "q.yaml:1: tags is required"}},
		{"null and empty", "name:\nquery: ''\ntags: []\n", nil, []string{"q.yaml:1: name is required", "q.yaml:2: query is empty", "q.yaml:3: tags: at least one tag"}},
		{"unknown key", "name: n\nquery: SELECT 1\ntags: [t]\nschedule: hourly\n", nil, []string{`q.yaml:4: unknown key "schedule"`}},
		{"duplicate key", "name: n\nname: m\nquery: SELECT 1\ntags: [t]\n", nil, []string{"q.yaml:2: name is given twice"}},
		{"unknown param", "name: n\nquery: SELECT 1\nparams: [utcdatehour, utc_tomorrow]\ntags: [t]\n", nil,
			[]string{`q.yaml:3: params: unknown parameter "utc_tomorrow"`}},
		{"placeholder without param", "name: n\nquery: |\n  SELECT 1\n  WHERE dt = '{utcdatehour}'\n  AND x = '{region}'\ntags: [t]\n", nil,
			[]string{"q.yaml:4: query: placeholder {utcdatehour} is not in params", "q.yaml:5: query: placeholder {region} names no parameter"}},
		{"malformed placeholders", "name: n\nquery: |\n  SELECT '{utcdatehour:x}'\n  , '}'\n  , '{'\nparams: [utcdatehour]\ntags: [t]\n", nil,
			[]string{"q.yaml:3: query: placeholder {utcdatehour:x}", "q.yaml:4: query: single '}'", "q.yaml:5: query: '{' without a closing '}'"}},
		{"wrong types", "name: 12\nquery: [SELECT]\nparams: utcdatehour\ntags: [t, t, '']\n", nil,
			[]string{"q.yaml:1: name: want a string, got a number (quote it)", "q.yaml:2: query: want a string, got a list",
				"q.yaml:3: params: want a list of strings", `q.yaml:4: tags: "t" is listed twice`, "q.yaml:4: tags: empty string"}},
		{"bad name", "name: has space\nquery: SELECT 1\ntags: [t]\n", nil, []string{`q.yaml:1: name "has space"`}},
		{"not a mapping", "- name: n\n", nil, []string{"q.yaml:1: a query file is a mapping"}},
		{"two documents", "name: n\nquery: SELECT 1\ntags: [t]\n---\nname: m\n", nil, []string{"q.yaml:5: a query file holds one query"}},
		{"syntax error", "name: n\nquery: [\n", nil, []string{"q.yaml:"}},
		{"empty", "", nil, []string{"q.yaml: empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery("q.yaml", []byte(tt.in))
			if tt.wants == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got  %#v\nwant %#v", got, tt.want)
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v, want Problems", err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nlacks %q", err, w)
				}
			}
		})
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func query(name string, tags ...string) string {
	return "name: " + name + "\nquery: SELECT 1\ntags: [" + strings.Join(tags, ", ") + "]\n"
}

// TestLoadQueries: files below every location load in name order; names
// must be unique across files; a missing default location is no queries,
// a missing named one an error.
func TestLoadQueries(t *testing.T) {
	home := t.TempDir()
	write(t, filepath.Join(home, "scheduled_queries", "b.yaml"), query("b", "hourly"))
	write(t, filepath.Join(home, "scheduled_queries", "a", "a.yaml"), query("a", "hourly", "cloudtrail"))
	write(t, filepath.Join(home, "scheduled_queries", "notes.txt"), "not a query")
	write(t, filepath.Join(home, "scheduled_queries", ".hidden.yaml"), "not: loaded")
	write(t, filepath.Join(home, "more", "c.yaml"), query("c", "daily"))
	qs, err := LoadQueries(home, []string{"scheduled_queries", "more"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, q := range qs {
		names = append(names, q.Name+"@"+q.File)
	}
	if want := []string{"a@scheduled_queries/a/a.yaml", "b@scheduled_queries/b.yaml", "c@more/c.yaml"}; !reflect.DeepEqual(names, want) {
		t.Errorf("loaded %v, want %v", names, want)
	}
	sel := func(tags ...string) (out []string) {
		for _, q := range Select(qs, tags) {
			out = append(out, q.Name)
		}
		return out
	}
	if got := sel("hourly"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("hourly selects %v", got)
	}
	if got := sel("hourly", "cloudtrail"); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("hourly+cloudtrail selects %v, want only the query carrying both", got)
	}
	if got := sel("weekly"); got != nil {
		t.Errorf("weekly selects %v", got)
	}

	if qs, err := LoadQueries(t.TempDir(), nil); err != nil || len(qs) != 0 {
		t.Errorf("no default directory: %v %v, want no queries", qs, err)
	}
	if _, err := LoadQueries(home, []string{"missing"}); err == nil || !strings.Contains(err.Error(), "missing: scheduled_query_locations") {
		t.Errorf("missing location: %v", err)
	}
	write(t, filepath.Join(home, "more", "d.yaml"), "\n"+query("b", "daily"))
	write(t, filepath.Join(home, "more", "e.yaml"), "name: e\n")
	_, err = LoadQueries(home, []string{"scheduled_queries", "more"})
	for _, w := range []string{`more/d.yaml:2: query name "b" is also used at scheduled_queries/b.yaml:1`, "more/e.yaml:1: query is required"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
}

// TestRender: every parameter at a fixed clock, as StreamAlert computes
// it, and the text with placeholders and escaped braces filled in.
func TestRender(t *testing.T) {
	clock := time.Date(2026, 3, 1, 0, 30, 0, 0, time.UTC)
	want := map[string]string{
		"utcdatehour_minus7day":   "2026-02-22-00",
		"utcdatehour_minus2day":   "2026-02-27-00",
		"utcdatehour_minus1day":   "2026-02-28-00",
		"utcdatehour_minus2hour":  "2026-02-28-22",
		"utcdatehour_minus1hour":  "2026-02-28-23",
		"utcdatehour":             "2026-03-01-00",
		"utctimestamp_minus1hour": "1772321400",
		"utctimestamp":            "1772325000",
		"utcisotime":              "1772325000",
	}
	if got := ParamNames(); len(got) != len(want) {
		t.Fatalf("parameters %v, want %d", got, len(want))
	}
	q := &Query{Query: "SELECT '{{literal}}' WHERE dt >= '{utcdatehour_minus1hour}' AND t < {utctimestamp} -- {utcdatehour}", Params: ParamNames()}
	text, params := q.Render(clock)
	if !reflect.DeepEqual(params, want) {
		t.Errorf("params\n got %v\nwant %v", params, want)
	}
	if w := "SELECT '{literal}' WHERE dt >= '2026-02-28-23' AND t < 1772325000 -- 2026-03-01-00"; text != w {
		t.Errorf("rendered %q\n    want %q", text, w)
	}
	// A clock given in another zone, with a half second: UTC hours, and
	// seconds rounded half to even.
	zoned := time.Date(2026, 3, 1, 2, 30, 0, 500_000_000, time.FixedZone("x", 2*3600))
	_, p := (&Query{Params: []string{"utcdatehour", "utctimestamp"}}).Render(zoned)
	if p["utcdatehour"] != "2026-03-01-00" || p["utctimestamp"] != "1772325000" {
		t.Errorf("zoned clock: %v", p)
	}
}
