package classify_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/pluginhost"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// normClassifier adds family "norm" to the compat normalized_types.json,
// so norm:v2 records get both normalizations.
func normClassifier(t *testing.T) *classify.Classifier {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(compatDir(t), "conf", "normalized_types.json"))
	if err != nil {
		t.Fatal(err)
	}
	var types map[string]map[string][]string
	if err := json.Unmarshal(data, &types); err != nil {
		t.Fatal(err)
	}
	types["norm"] = map[string][]string{"sourceAddress": {"ip", "ips"}, "userName": {"user"}}
	data, _ = json.Marshal(types)
	cfg := confWith(t, map[string]string{"schemas/zz_test.json": testSchemas, "clusters/test.json": testCluster,
		"normalized_types.json": string(data)})
	return newClassifier(t, cfg, classify.Builtin())
}

func TestNormalization(t *testing.T) {
	c := normClassifier(t)
	tests := []struct {
		name, in string
		v2, v1   string
		values   []classify.Normalized
	}{
		{"all params", `{"account": "111", "detail": {"ip": "1.2.3.4", "user": "bob"}, "ips": ["5.6.7.8", 9]}`,
			`{"account":[{"function":null,"values":["111"]}],"ip":[{"function":"Source IPs","values":["5.6.7.8",9]},{"function":"Detail IP","values":["1.2.3.4"],"send_to_artifacts":false}],"streamalert_record_id":"RECORD-ID"}`,
			`{"sourceAddress":["1.2.3.4","5.6.7.8","9"],"userName":["bob"]}`,
			[]classify.Normalized{{"account", "111"}, {"ip", "5.6.7.8"}, {"ip", "9"}, {"ip", "1.2.3.4"},
				{"sourceAddress", "1.2.3.4"}, {"sourceAddress", "5.6.7.8"}, {"sourceAddress", "9"}, {"userName", "bob"}}},
		{"condition fails", `{"account": "333", "detail": {"ip": "1.2.3.4"}, "ips": []}`,
			`{"account":[{"function":null,"values":["333"]}],"streamalert_record_id":"RECORD-ID"}`,
			`{"sourceAddress":["1.2.3.4"]}`, []classify.Normalized{{"account", "333"}, {"sourceAddress", "1.2.3.4"}}},
		// v2 takes no value Python finds false; v1 skips only null and "".
		{"false values", `{"account": "", "detail": {"ip": 0}, "ips": []}`, `{}`, `{"sourceAddress":["0"]}`,
			[]classify.Normalized{{"sourceAddress", "0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := classifyOne(t, c, kinesis("norm-stream"), tt.in)
			if res.Failure != nil || len(res.Records) != 1 {
				t.Fatalf("failure %q", reasons(res.Failure))
			}
			var rec map[string]json.RawMessage
			if err := json.Unmarshal(res.Records[0].Data, &rec); err != nil {
				t.Fatal(err)
			}
			if got := string(rec["streamalert_normalization"]); got != tt.v2 {
				t.Errorf("v2 = %s\nwant %s", got, tt.v2)
			}
			if got := string(rec["streamalert:normalization"]); got != tt.v1 {
				t.Errorf("v1 = %s\nwant %s", got, tt.v1)
			}
			if got := res.Records[0].Normalized; !reflect.DeepEqual(got, tt.values) {
				t.Errorf("Normalized = %v\nwant %v", got, tt.values)
			}
		})
	}
	res := classifyOne(t, c, kinesis("norm-stream"), `{"account": "1", "detail": {}, "ips": ["a", "b"]}`)
	if got := res.Records[0].Values("ip"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf(`Values("ip") = %q`, got)
	}
}

// TestPartialFailure: the first schema with a valid record claims the
// raw record; the elements it rejects fail with it, and are not tried on
// later schemas.
func TestPartialFailure(t *testing.T) {
	c := testClassifier(t)
	raw := `{"host": "h", "port": 1, "events": [{"id": 1, "msg": "a"}, {"id": "x", "msg": "b"}, 5]}`
	res := classifyOne(t, c, kinesis("env-stream"), raw)
	if len(res.Records) != 1 || res.Records[0].Index != 0 || res.Failure == nil {
		t.Fatalf("records %s, failure %+v", dataOf(res), res.Failure)
	}
	f := res.Failure
	if f.LogType != "env:events" || len(f.Attempts) != 0 || string(f.Raw) != raw || len(f.Rejected) != 2 {
		t.Fatalf("failure %+v", f)
	}
	if r := f.Rejected[0]; r.Index != 1 || !strings.Contains(r.Reason, `id: "x" is not an integer`) {
		t.Errorf("rejection %+v", r)
	}
	if r := f.Rejected[1]; r.Index != 2 || !strings.Contains(r.Reason, "json_path element 3 is a number, not an object") {
		t.Errorf("rejection %+v", r)
	}
}

// fakeParsers answers Parse with a function.
type fakeParsers func(parser string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error)

func (f fakeParsers) Parse(_ context.Context, parser string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
	return f(parser, req)
}

func TestParserErrors(t *testing.T) {
	cfg := confWith(t, map[string]string{"schemas/zz_test.json": testSchemas, "clusters/test.json": testCluster})
	ok := classify.Builtin()
	tests := []struct {
		name       string
		parsers    classify.Parsers
		err        bool   // Classify fails
		reason     string // else: order:one's reason
		classified bool
	}{
		{"transient fails the batch", fakeParsers(func(string, saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
			return nil, &pluginhost.Error{Plugin: "parser.json", Op: "parse", Err: errors.New("crashed"), Transient: true}
		}), true, "", false},
		{"permanent fails the schema", fakeParsers(func(string, saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
			return nil, errors.New("InvalidArgument: bad options")
		}), false, "parser failed the batch: InvalidArgument: bad options", false},
		{"wrong result count", fakeParsers(func(string, saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
			return nil, nil
		}), false, "returned 0 results for 1 records", false},
		{"fallback when not installed", classify.Fallback(fakeParsers(func(string, saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
			return nil, &pluginhost.Error{Plugin: "parser.json", Op: "start", Err: pluginhost.ErrNotInstalled}
		}), ok), false, "", true},
		{"no fallback for other errors", classify.Fallback(fakeParsers(func(string, saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
			return nil, errors.New("boom")
		}), ok), false, "boom", false},
		{"builtin lacks a parser", fakeParsers(func(p string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
			return ok.Parse(context.Background(), "nosuch", req)
		}), false, `parser "nosuch": no such built-in parser`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClassifier(t, cfg, tt.parsers)
			res, err := c.Classify(context.Background(), kinesis("order-stream"), [][]byte{[]byte(`{"a": "x"}`)})
			if (err != nil) != tt.err {
				t.Fatalf("Classify error %v", err)
			}
			if err != nil {
				if !pluginhost.Transient(err) || !strings.Contains(err.Error(), "order:one") {
					t.Errorf("error %v lost its cause or schema", err)
				}
				return
			}
			if tt.classified {
				if len(res[0].Records) != 1 {
					t.Errorf("not classified: %q", reasons(res[0].Failure))
				}
				return
			}
			f := res[0].Failure
			if f == nil || len(f.Attempts) != 2 || !strings.Contains(f.Attempts[0].Reason, tt.reason) {
				t.Errorf("failure %+v, want reason %q for both schemas", f, tt.reason)
			}
		})
	}
}
