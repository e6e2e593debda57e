package classify_test

import (
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/classify"
)

// testSchemas exercise the pipeline's steps one family at a time; each
// family has its own resource in testCluster.
const testSchemas = `{
  "keys:all": {"parser": "json", "schema": {"a": "string", "b": "integer", "c": "boolean", "d": "float", "e": [], "f": {},
      "g": {"x": "string", "y": {"z": "integer"}}},
    "configuration": {"optional_top_level_keys": ["e", "d", "c", "g", "f"]}},
  "env:events": {"parser": "json", "schema": {"id": "integer", "msg": "string"},
    "configuration": {"json_path": "events[*]", "envelope_keys": {"host": "string", "port": "integer", "opt": "string"},
      "optional_envelope_keys": ["opt"]}},
  "pat:alpha": {"parser": "json", "schema": {"type": "string", "detail": {}},
    "configuration": {"log_patterns": {"type": ["alpha*", "first"]}}},
  "pat:nested": {"parser": "json", "schema": {"type": "string", "detail": {"kind": "string"}},
    "configuration": {"log_patterns": {"type": "beta", "detail": {"kind": "k?nd"}}}},
  "order:one": {"parser": "json", "schema": {"a": "string"}},
  "order:two": {"parser": "json", "schema": {"a": "string"}},
  "norm:v2": {"parser": "json", "schema": {"account": "string", "detail": {}, "ips": []},
    "configuration": {"normalization": {
      "account": ["account"],
      "ip": [{"path": ["ips"], "function": "Source IPs"},
             {"path": ["detail", "ip"], "function": "Detail IP", "send_to_artifacts": false,
              "condition": {"path": ["account"], "in": ["111", "222"]}}],
      "missing": [{"path": ["detail", "nope"]}]}}},
  "anyobj:open": {"parser": "json", "schema": {}}
}`

const testCluster = `{"id": "test", "data_sources": {"kinesis": {
  "keys-stream": ["keys"], "env-stream": ["env"], "pat-stream": ["pat"], "order-stream": ["order"],
  "norm-stream": ["norm"], "any-stream": ["anyobj"]}}}`

func testClassifier(t *testing.T) *classify.Classifier {
	t.Helper()
	cfg := confWith(t, map[string]string{"schemas/zz_test.json": testSchemas, "clusters/test.json": testCluster})
	return newClassifier(t, cfg, classify.Builtin())
}

func kinesis(stream string) classify.Source {
	return classify.Source{Service: "kinesis", Resource: stream}
}

func TestPipeline(t *testing.T) {
	c := testClassifier(t)
	tests := []struct {
		name, stream, in string
		logType          string
		want             []string // records' Data; nil when the record must fail
		reason           string   // substring of the failure's reasons
	}{
		{"optional defaults in list order", "keys-stream", `{"b": "2", "a": 5}`, "keys:all",
			[]string{`{"b":2,"a":"5","e":[],"d":0.0,"c":false,"g":{"x":"","y":{"z":0}},"f":{}}`}, ""},
		{"conversion and whitespace", "keys-stream", "{\"a\": \"x\",\n \"b\": 1.9, \"c\": \"True\", \"d\": \"2\", \"f\": [1, {\"q\" : 2}]}", "keys:all",
			[]string{`{"a":"x","b":1,"c":true,"d":2.0,"f":[1,{"q":2}],"e":[],"g":{"x":"","y":{"z":0}}}`}, ""},
		{"duplicate key: first place, last value", "keys-stream", `{"a": "1", "b": 1, "a": "2"}`, "keys:all",
			[]string{`{"a":"2","b":1,"e":[],"d":0.0,"c":false,"g":{"x":"","y":{"z":0}},"f":{}}`}, ""},
		{"nested conversion", "keys-stream", `{"a": "x", "b": 1, "g": {"y": {"z": "7"}, "x": 1}}`, "keys:all",
			[]string{`{"a":"x","b":1,"g":{"y":{"z":7},"x":"1"},"e":[],"d":0.0,"c":false,"f":{}}`}, ""},
		{"missing and unexpected keys", "keys-stream", `{"a": "x", "zz": 1}`, "", nil,
			`keys differ from the schema: missing "b"; unexpected "zz"`},
		{"nested keys exact", "keys-stream", `{"a": "x", "b": 1, "g": {"x": "1"}}`, "", nil, `g: keys differ from the schema: missing "y"`},
		{"nested null", "keys-stream", `{"a": "x", "b": 1, "g": null}`, "", nil, `g is null, but the schema wants an object`},
		{"bad integer", "keys-stream", `{"a": "x", "b": "two"}`, "", nil, `b: "two" is not an integer`},
		{"not an object", "keys-stream", `[1, 2]`, "", nil, `record is an array, not an object`},
		{"envelope", "env-stream", `{"host": "h", "port": "80", "events": [{"id": "1", "msg": "a"}, {"id": 2, "msg": "b"}]}`, "env:events",
			[]string{`{"id":1,"msg":"a","streamalert:envelope_keys":{"host":"h","port":80,"opt":""}}`,
				`{"id":2,"msg":"b","streamalert:envelope_keys":{"host":"h","port":80,"opt":""}}`}, ""},
		{"envelope key missing", "env-stream", `{"port": 1, "events": [{"id": 1, "msg": "a"}]}`, "", nil, `envelope key "host" is missing`},
		{"envelope conversion", "env-stream", `{"host": "h", "port": "x", "events": [{"id": 1, "msg": "a"}]}`, "", nil,
			`streamalert:envelope_keys.port: "x" is not an integer`},
		{"pattern glob", "pat-stream", `{"type": "alpha-1", "detail": 1}`, "pat:alpha", []string{`{"type":"alpha-1","detail":1}`}, ""},
		{"patterns and nested patterns both apply", "pat-stream", `{"type": "beta", "detail": {"kind": "kind"}}`, "pat:nested",
			[]string{`{"type":"beta","detail":{"kind":"kind"}}`}, ""},
		{"a nested pattern does not excuse its siblings", "pat-stream", `{"type": "gamma", "detail": {"kind": "kind"}}`, "", nil,
			`log_patterns: type = "gamma" matches none of ["beta"]`},
		{"nested pattern fails", "pat-stream", `{"type": "beta", "detail": {"kind": "other"}}`, "", nil,
			`log_patterns: detail.kind = "other" matches none of ["k?nd"]`},
		{"first schema wins", "order-stream", `{"a": "x"}`, "order:one", []string{`{"a":"x"}`}, ""},
		{"empty schema takes any object", "any-stream", `{"q": [1], "r": null}`, "anyobj:open", []string{`{"q":[1],"r":null}`}, ""},
		{"empty schema refuses non-objects", "any-stream", `"text"`, "", nil, `not an object`},
		{"unknown source", "nowhere", `{"a": 1}`, "", nil, `no cluster lists kinesis resource "nowhere"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := classifyOne(t, c, kinesis(tt.stream), tt.in)
			if tt.want == nil {
				if len(res.Records) > 0 || res.Failure == nil || !strings.Contains(reasons(res.Failure), tt.reason) {
					t.Fatalf("got %s, failure reasons %q; want a failure with %q", dataOf(res), reasons(res.Failure), tt.reason)
				}
				if res.Failure.Size != len(tt.in) || string(res.Failure.Raw) != tt.in {
					t.Errorf("failure keeps %q (%d bytes)", res.Failure.Raw, res.Failure.Size)
				}
				return
			}
			if res.Failure != nil || strings.Join(dataOf(res), "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("got %s (failure %q), want %s", dataOf(res), reasons(res.Failure), tt.want)
			}
			for _, r := range res.Records {
				if string(r.LogType) != tt.logType || r.Cluster != "test" || r.Source != kinesis(tt.stream) || r.Parser != "json" {
					t.Errorf("record tagged %s %s %v %s", r.LogType, r.Cluster, r.Source, r.Parser)
				}
			}
		})
	}
}

func dataOf(res classify.Result) []string {
	var out []string
	for _, r := range res.Records {
		out = append(out, string(r.Data))
	}
	return out
}

func reasons(f *classify.Failure) string {
	if f == nil {
		return ""
	}
	var parts []string
	for _, a := range f.Attempts {
		parts = append(parts, string(a.LogType)+": "+a.Reason)
	}
	for _, r := range f.Rejected {
		parts = append(parts, r.Reason)
	}
	return strings.Join(parts, " | ")
}
