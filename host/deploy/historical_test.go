package deploy

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/historical"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// historicalHome is the fixture's home with historical search enabled
// by firehose (the settings of global.json's infrastructure.firehose)
// and osquery schemas added.
func historicalHome(t *testing.T, prefix, firehose string) (home, plugins string) {
	t.Helper()
	home, plugins = fixture(t, "123456789012")
	write(t, filepath.Join(home, "conf/global.json"), `{"account": {"aws_account_id": "123456789012", "prefix": "`+prefix+`", "region": "eu-west-1"},
		"infrastructure": {"firehose": `+firehose+`}}`)
	write(t, filepath.Join(home, "conf/schemas/osquery.json"), `{
		"osquery:differential": {"parser": "json", "schema": {"name": "string", "columns": {}, "unixTime": "integer"}},
		"osquery:snapshot": {"parser": "json", "schema": {"name": "string", "snapshot": [], "Dt": "string"}}}`)
	return home, plugins
}

func historicalVars(t *testing.T, home string) (*Vars, *config.Config, error) {
	t.Helper()
	cfg, err := embedded.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := config.Load(cfg.Conf)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVars(cfg, conf, VarsOptions{PackagePath: "/tmp/sa.zip", Arch: ARM64})
	return v, conf, err
}

// TestHistoricalVars: the tables, their streams and columns come from the
// conf as host/historical derives them, and the bucket and buffering
// from firehose's settings with StreamAlert's defaults.
func TestHistoricalVars(t *testing.T) {
	home, _ := historicalHome(t, "acme", `{"enabled": true, "buffer_interval": 300, "enabled_logs": {"cloudtrail": {}, "osquery:differential": {}}}`)
	v, conf, err := historicalVars(t, home)
	if err != nil {
		t.Fatal(err)
	}
	h := v.Historical
	if h == nil || !h.Enabled || h.Bucket != "acme-streamalert-data" || h.BufferSize != 128 || h.BufferInterval != 300 {
		t.Fatalf("historical %+v", h)
	}
	want := map[string]string{
		"alerts":               "acme_streamalert_alerts",
		"cloudtrail_events":    "acme_streamalert_cloudtrail_events",
		"osquery_differential": "acme_streamalert_osquery_differential",
	}
	if len(h.Tables) != len(want) {
		t.Errorf("tables %v, want %v", slices.Sorted(maps.Keys(h.Tables)), want)
	}
	for _, tb := range historical.Tables(conf) {
		got, ok := h.Tables[tb.Name]
		if !ok || got.Stream != want[tb.Name] || !slices.Equal(got.Columns, tb.Columns) {
			t.Errorf("table %s: %+v, want stream %s and columns %v", tb.Name, got, want[tb.Name], tb.Columns)
		}
	}
	if got := h.Tables["osquery_differential"].Columns; !slices.Equal(got, []historical.Column{{Name: "name", Type: "string"}, {Name: "columns", Type: "string"}, {Name: "unixtime", Type: "bigint"}}) {
		t.Errorf("osquery_differential columns %v", got)
	}

	home, _ = historicalHome(t, "acme", `{"enabled": true, "use_prefix": false, "bucket_name": "corp.sa-history", "enabled_logs": {"cloudtrail": {}}}`)
	v, _, err = historicalVars(t, home)
	if err != nil {
		t.Fatal(err)
	}
	if h := v.Historical; h.Bucket != "corp.sa-history" || h.Tables["cloudtrail_events"].Stream != "streamalert_cloudtrail_events" || h.Tables["alerts"].Stream != "streamalert_alerts" {
		t.Errorf("without the prefix: %+v", h)
	}
}

// TestHistoricalVarsOff: without firehose.enabled no variable is written,
// and infra/'s default (off) applies.
func TestHistoricalVarsOff(t *testing.T) {
	home, _ := historicalHome(t, "acme", `{"enabled": false, "enabled_logs": {"cloudtrail": {}}}`)
	v, _, err := historicalVars(t, home)
	if err != nil {
		t.Fatal(err)
	}
	if v.Historical != nil {
		t.Errorf("historical %+v with firehose off", v.Historical)
	}
	b, _ := json.Marshal(v)
	if strings.Contains(string(b), `"historical"`) {
		t.Errorf("tfvars %s set historical", b)
	}
}

// TestHistoricalVarsRefused: every setting AWS would refuse is reported
// at once, naming the key.
func TestHistoricalVarsRefused(t *testing.T) {
	tests := []struct {
		name, prefix, firehose string
		want                   []string
	}{
		{"bucket name", "acme", `{"enabled": true, "bucket_name": "Bad_Bucket"}`, []string{`firehose.bucket_name "Bad_Bucket"`}},
		{"prefix with _", "acme_prod", `{"enabled": true, "bucket_name": "acme-prod-data"}`, []string{`account.prefix "acme_prod"`, "acme_prod-streamalert-athena-results"}},
		{"default bucket of a prefix with _", "acme_prod", `{"enabled": true}`, []string{`bucket_name "acme_prod-streamalert-data"`}},
		{"buffering", "acme", `{"enabled": true, "buffer_size": 129, "buffer_interval": 901}`, []string{"buffer_size 129: want 1-128", "buffer_interval 901: want 0-900"}},
		{"partition column", "acme", `{"enabled": true, "enabled_logs": {"osquery": {}}}`, []string{`log type osquery:snapshot has a key that becomes column "dt"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home, _ := historicalHome(t, tt.prefix, tt.firehose)
			_, _, err := historicalVars(t, home)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not say %q", err, w)
				}
			}
		})
	}

	t.Run("table clash", func(t *testing.T) {
		home, _ := historicalHome(t, "acme", `{"enabled": true, "enabled_logs": {"alerts": {}, "Cloudtrail": {}, "cloudtrail": {}}}`)
		write(t, filepath.Join(home, "conf/schemas/more.json"), `{"alerts": {"parser": "json", "schema": {"a": "string"}},
			"Cloudtrail:Events": {"parser": "json", "schema": {"a": "string"}}}`)
		_, _, err := historicalVars(t, home)
		for _, w := range []string{"log type alerts makes the Athena table alerts, the table of the alerts",
			"both make the Athena table cloudtrail_events", "Cloudtrail:Events", "cloudtrail:events"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v does not say %q", err, w)
			}
		}
	})
}

// TestBuildWritesHistorical: sa deploy (--plan-only stops after Build)
// writes the variable, and every key of it is an attribute of the
// variable's type in infra/historical.tf.
func TestBuildWritesHistorical(t *testing.T) {
	home, plugins := historicalHome(t, "acme", `{"enabled": true, "enabled_logs": {"cloudtrail": {}}}`)
	a, err := Build(context.Background(), testOptions(t, home, plugins))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(a.VarsFile)
	if err != nil {
		t.Fatal(err)
	}
	var vars struct {
		Historical map[string]any `json:"historical"`
	}
	if err := json.Unmarshal(data, &vars); err != nil {
		t.Fatal(err)
	}
	if vars.Historical == nil || vars.Historical["enabled"] != true {
		t.Fatalf("terraform.tfvars.json historical = %v", vars.Historical)
	}
	root := loadModule(t, a.Terraform)
	decl := root.vars["historical"]
	if decl == nil {
		t.Fatal("infra/ declares no variable historical")
	}
	attrs := map[string]bool{}
	typeAttrs(decl.Body.Attributes["type"].Expr, attrs)
	var check func(path string, v any, mapKeys bool)
	check = func(path string, v any, mapKeys bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, val := range v {
				if !mapKeys && !attrs[k] {
					t.Errorf("%s.%s is not an attribute of variable historical's type", path, k)
				}
				check(path+"."+k, val, k == "tables")
			}
		case []any:
			for _, e := range v {
				check(path+"[]", e, false)
			}
		}
	}
	check("historical", vars.Historical, false)
	tables, _ := vars.Historical["tables"].(map[string]any)
	if _, ok := tables["cloudtrail_events"]; !ok || len(tables) != 2 {
		t.Errorf("tables %v, want alerts and cloudtrail_events", tables)
	}
}

// typeAttrs collects the attribute names of a type expression's object()
// types, at any depth.
func typeAttrs(e hclsyntax.Expression, into map[string]bool) {
	switch e := e.(type) {
	case *hclsyntax.FunctionCallExpr:
		for _, a := range e.Args {
			typeAttrs(a, into)
		}
	case *hclsyntax.ObjectConsExpr:
		for _, it := range e.Items {
			if k := literals(unwrapKey(it.KeyExpr)); len(k) == 1 {
				into[k[0]] = true
			}
			typeAttrs(it.ValueExpr, into)
		}
	}
}
