package config

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAllProblemsAtOnce checks that one load reports the problems of
// every file together, sorted by file and position, with line:column.
func TestAllProblemsAtOnce(t *testing.T) {
	_, err := Load(writeConf(t, map[string]string{
		"schemas/app.json": "{\n  \"app:events\": {\n    \"parser\": \"json\",\n    \"schema\": {\"a\": \"string\"},\n" +
			"    \"configuration\": {\n      \"json_pth\": \"Records[*]\",\n      \"delimiter\": \",\"\n    }\n  }\n}",
		"clusters/prod.json": `{"data_sources": {"s3": {"my.bucket": ["app", "cloudtrail"]}}}`,
		"outputs.json":       `{"slack": ["a b"]}`,
	}))
	ps := problemsOf(t, err)
	got := strings.Split(ps.Error(), "\n")
	want := []string{
		`clusters/prod.json:1:47: data_sources.s3["my.bucket"][1]: no schema of log family "cloudtrail"`,
		`outputs.json:1:12: slack[0]: descriptor "a b" must be non-empty without spaces or ':'`,
		`schemas/app.json:6:7: app:events.configuration.json_pth: unknown key (did you mean "json_path"?)`,
		`schemas/app.json:7:20: app:events.configuration.delimiter: delimiter does not apply to the json parser; it is read by the csv and kv parsers only`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !ps.HasErrors() {
		t.Error("HasErrors = false")
	}
}

// TestWarnings checks settings StreamAlert accepts but that do not do what
// they look like: they load, with a warning.
func TestWarnings(t *testing.T) {
	cfg := mustLoad(t, writeConf(t, map[string]string{
		"schemas/app.json": `{"app:events": {"parser": "json", "schema": {"a": "string", "d": {"e": "string"}},
			"configuration": {"log_patterns": {"a": "x*", "d": {"e": "y"}, "e": "z"}}}}`,
		"clusters/prod.json": `{"id": "production", "data_sources": {"kinesis": {"stream": ["app"]}}}`,
		"extra.json":         `{}`,
		"global.json":        `{"account": {}, "infrastructure": {"firehose": {"enabeld": true}, "custom_module": {"x": 1}}}`,
	}))
	for _, w := range []want{
		{"schemas/app.json", "app:events.configuration.log_patterns.d", "decides on a nested pattern alone", SeverityWarning},
		{"schemas/app.json", "app:events.configuration.log_patterns.e", "it exists as d.e", SeverityWarning},
		{"clusters/prod.json", "id", `sa names the cluster "prod" after the file`, SeverityWarning},
		{"extra.json", "", "not a StreamAlert config file", SeverityWarning},
		{"global.json", "infrastructure.firehose.enabeld", "unknown key, ignored", SeverityWarning},
	} {
		if _, ok := find(cfg.Warnings, w); !ok {
			t.Errorf("no warning %+v in:\n%v", w, cfg.Warnings)
		}
	}
	if len(cfg.Warnings) != 5 {
		t.Errorf("%d warnings, want 5:\n%v", len(cfg.Warnings), cfg.Warnings)
	}
	if _, ok := cfg.Global.Infrastructure.Raw["custom_module"]; !ok {
		t.Error("unknown infrastructure section not kept raw")
	}
}

// TestParserPlugin checks that a schema naming a parser plugin may carry
// options of its own (the plugin validates them) while StreamAlert's
// options are still decoded and checked.
func TestParserPlugin(t *testing.T) {
	cfg := mustLoad(t, writeConf(t, appSchema("cef", `{"a": "string"}`,
		`{"cef_version": 1, "delimiter": "|", "optional_top_level_keys": ["a"]}`)))
	s, _ := cfg.Schema("app:events")
	if s.Builtin() || s.Options.Delimiter != "|" || string(s.RawConfiguration) != `{"cef_version": 1, "delimiter": "|", "optional_top_level_keys": ["a"]}` {
		t.Errorf("plugin schema = %+v", s)
	}
	_, err := Load(writeConf(t, appSchema("cef", `{"a": "string"}`, `{"optional_top_level_keys": ["zz"]}`)))
	if _, ok := find(problemsOf(t, err), want{sa, "app:events.configuration.optional_top_level_keys[0]", "not a key of schema", SeverityError}); !ok {
		t.Errorf("plugin schema options not checked: %v", err)
	}
}

func TestTypeString(t *testing.T) {
	cfg := mustLoad(t, writeConf(t, appSchema("json", `{"a": "string", "b": ["string"], "c": {"d": "float", "e": {}}, "f": "boolean", "g": "integer"}`, "")))
	s, _ := cfg.Schema("app:events")
	got := Type{Kind: KindObject, Fields: s.Fields}.String()
	if want := `{"a": "string", "b": [], "c": {"d": "float", "e": {}}, "f": "boolean", "g": "integer"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestPathAndPosition(t *testing.T) {
	p := jpath("").key("data_sources").key("s3").key("my.bucket").index(2).key("").key(`a"b`)
	if want := `data_sources.s3["my.bucket"][2][""]["a\"b"]`; string(p) != want {
		t.Errorf("path = %s, want %s", p, want)
	}
	data := []byte("{\n  \"a\": 1,\n\t\"b\": x}")
	for off, want := range map[int][2]int{0: {1, 1}, 4: {2, 3}, 13: {3, 2}, 999: {3, 9}} {
		if l, c := lineCol(data, off); l != want[0] || c != want[1] {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", off, l, c, want[0], want[1])
		}
	}
	var ps Problems
	parseFile("x.json", data, &ps)
	if len(ps) != 1 || ps[0].Line != 3 || ps[0].Column != 7 || !strings.Contains(ps[0].Message, "invalid character 'x'") {
		t.Errorf("syntax error = %v", ps)
	}
	ps = nil
	parseFile("x.json", []byte(`{"a": 1} {}`), &ps)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "after top-level value") || ps[0].Column != 10 {
		t.Errorf("trailing data = %v", ps)
	}
	if !errors.As(Problems{{}}, new(Problems)) {
		t.Error("Problems is not an error")
	}
}

// TestOneMistakeOneProblem checks that a broken value is not reported
// again by every check that reads it.
func TestOneMistakeOneProblem(t *testing.T) {
	_, err := Load(writeConf(t, appSchema("json", `{"a": "str", "d": {"e": 1}}`,
		`{"optional_top_level_keys": ["a"], "log_patterns": {"d": {"e": "y"}}, "normalization": {"n": ["d", "e"], "m": ["a"]}}`)))
	ps := problemsOf(t, err)
	if len(ps) != 2 {
		t.Errorf("want 2 problems (the two bad types), got:\n%v", ps)
	}
	_, err = Load(filepath.Join(t.TempDir(), "missing"))
	if ps := problemsOf(t, err); len(ps) != 1 || !strings.Contains(ps[0].Message, "no such file or directory") {
		t.Errorf("missing conf dir: %v", ps)
	}
}
