package historical

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/internal/testbin"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// loadConf writes a conf directory of files and loads it.
func loadConf(t *testing.T, files map[string]string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return conf
}

// render writes tables as text: the table and its log type, then one
// column a line.
func render(tables []Table) string {
	var b strings.Builder
	for _, tb := range tables {
		fmt.Fprintf(&b, "%s (%s)\n", tb.Name, tb.LogType)
		for _, c := range tb.Columns {
			fmt.Fprintf(&b, "  %s %s\n", c.Name, c.Type)
		}
		fmt.Fprintf(&b, "  %s string (partition)\n", PartitionKey)
	}
	return b.String()
}

// TestTablesGolden derives the tables of every schema of StreamAlert's
// stock conf, with every family enabled.
func TestTablesGolden(t *testing.T) {
	conf, err := config.Load(filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf"))
	if err != nil {
		t.Fatal(err)
	}
	fh := &conf.Global.Infrastructure.Firehose
	fh.Enabled = true
	fh.EnabledLogs = map[string]json.RawMessage{}
	for _, s := range conf.Schemas {
		fh.EnabledLogs[s.Name.Family()] = json.RawMessage(`{}`)
	}
	tables := Tables(conf)
	if len(tables) != len(conf.Schemas)+1 {
		t.Errorf("%d tables for %d schemas and the alerts", len(tables), len(conf.Schemas))
	}
	got := render(tables)
	path := filepath.Join("testdata", "tables.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("tables differ from %s (run with -update to accept):\n%s", path, got)
	}
	for _, tb := range tables {
		for _, c := range tb.Columns {
			if c.Name != strings.ToLower(Sanitize(c.Name)) || c.Name == PartitionKey {
				t.Errorf("table %s: column %q is not a sanitized lower-case name apart from the partition key", tb.Name, c.Name)
			}
		}
	}
}

// TestColumnTypes checks each type of the schema language.
func TestColumnTypes(t *testing.T) {
	conf := loadConf(t, map[string]string{
		"global.json": `{"account": {"aws_account_id": "123456789012", "prefix": "acme", "region": "us-east-1"},
			"infrastructure": {"firehose": {"enabled": true, "enabled_logs": {"app:events": {}, "other": {}}}}}`,
		"clusters/prod.json": `{"data_sources": {"kinesis": {"s": ["app", "other"]}}}`,
		"schemas/app.json": `{"app:events": {"parser": "json", "schema": {
			"Name": "string", "count": "integer", "ratio": "float", "ok": "boolean", "any": {}, "raw": [],
			"tags": ["string"], "ids": ["integer"], "objs": [{"a": "string"}], "mixed": ["string", "integer"],
			"user:info": {"First-Name": "string", "Age": "integer", "extra": {}, "nested": {"deep.key": ["float"]}},
			"user_info": "string"},
			"configuration": {"envelope_keys": {"account-id": "string", "region": "string"},
				"normalization": {"ip": ["user:info", "First-Name"]}}}}`,
		"schemas/other.json": `{"other": {"parser": "json", "schema": {"x": "string"}}}`,
	})
	tables := Tables(conf)
	if names := []string{tables[0].Name, tables[1].Name, tables[2].Name}; len(tables) != 3 || !slices.Equal(names, []string{"alerts", "app_events", "other"}) {
		t.Fatalf("tables %v, want alerts, app_events, other", names)
	}
	want := []Column{
		{"name", "string"}, {"count", "bigint"}, {"ratio", "double"}, {"ok", "boolean"}, {"any", "string"}, {"raw", "string"},
		{"tags", "array<string>"}, {"ids", "array<bigint>"}, {"objs", "string"}, {"mixed", "string"},
		{"user_info", "struct<first_name:string,age:bigint,extra:string,nested:struct<deep_key:array<double>>>"},
		{"streamalert_envelope_keys", "struct<account_id:string,region:string>"},
		{"streamalert_normalization", "string"}, {"streamalert_record_id", "string"},
	}
	if got := tables[1].Columns; !slices.Equal(got, want) {
		t.Errorf("columns\n got %v\nwant %v", got, want)
	}
	if got := tables[2].Columns; !slices.Equal(got, []Column{{"x", "string"}}) {
		t.Errorf("bare family columns %v", got)
	}

	conf.Global.Infrastructure.Firehose.Enabled = false
	if got := Tables(conf); got != nil {
		t.Errorf("tables %v with historical search off", got)
	}
}

// TestAlertColumns: the alerts table's columns are the keys of an
// alert's payload, in order, with types that fit the values.
func TestAlertColumns(t *testing.T) {
	a, err := alert.New(alert.Params{
		RuleName: "r", Record: json.RawMessage(`{"a":1}`), Outputs: []string{"slack:soc"}, Tags: []string{"t"},
		Publishers: map[string][]string{"slack:soc": {"p"}}, MergeByKeys: []string{"a"}, MergeWindow: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := a.Payload()
	if err != nil {
		t.Fatal(err)
	}
	var keys []Column
	for k, v := range rawjson.Members(payload) {
		typ := map[rawjson.Kind]string{rawjson.String: "string", rawjson.Number: "bigint", rawjson.Bool: "boolean",
			rawjson.Array: "array<string>", rawjson.Object: "string"}[rawjson.KindOf(v)]
		keys = append(keys, Column{rawjson.Unquote(k), typ})
	}
	if !slices.Equal(keys, alertColumns) {
		t.Errorf("payload keys and kinds\n%v\nalerts table\n%v", keys, alertColumns)
	}
}
