package deploy

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

const (
	queryCluster = `{"id": "prod", "data_sources": {"kinesis": {"acme_prod_stream": ["cloudtrail"], "acme_queries": ["streamquery"]}}}`
	querySchema  = `{"streamquery:version1": {"parser": "json",
		"schema": {"streamquery_schema_version": "string", "execution": {}, "data": {}},
		"configuration": {"log_patterns": {"streamquery_schema_version": ["1.*.*"]}}}}`
	queryConf = `{"enabled": true, "config": {"destination_kinesis_stream": "acme_queries"},
		"packs": {"hourly": {"description": "Every hour", "schedule_expression": "rate(1 hour)"}},
		"lambda_config": {"memory": 512, "timeout": 600}}`
	hourlyQuery = "name: root_logins\nquery: SELECT 1 FROM cloudtrail WHERE dt = '{utcdatehour}'\nparams: [utcdatehour]\ntags: [hourly]\n"
)

// queryHome is the fixture's home with a cluster reading acme_queries
// for the streamquery schema, scheduled queries enabled on it, and one
// query; files overrides or adds files (relative to the home; "" deletes).
func queryHome(t *testing.T, files map[string]string) string {
	t.Helper()
	home, _ := fixture(t, "123456789012")
	base := map[string]string{
		"conf/clusters/prod.json":          queryCluster,
		"conf/schemas/streamquery.json":    querySchema,
		"conf/scheduled_queries.json":      queryConf,
		"scheduled_queries/hourly.yaml":    hourlyQuery,
		"scheduled_queries/daily/a.yaml":   "name: daily_a\nquery: SELECT 2\ntags: [daily]\n",
		"scheduled_queries/not-a-query.md": "notes",
	}
	for k, v := range files {
		base[k] = v
	}
	for name, data := range base {
		if data == "" {
			os.Remove(filepath.Join(home, name))
			continue
		}
		write(t, filepath.Join(home, name), data)
	}
	return home
}

func queryVars(t *testing.T, home string) (*Vars, *config.Config, error) {
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

func TestScheduledQueriesVars(t *testing.T) {
	on := &ScheduledQueriesVar{Enabled: true, Stream: "acme_queries", Database: "acme_streamalert", Workgroup: "primary",
		ResultsBucket: "acme-streamalert-athena-results", DataBucketARN: "arn:aws:s3:::acme-streamalert-data", Memory: 512, Timeout: 600,
		Packs: map[string]QueryPackVar{"hourly": {Description: "Every hour", Schedule: "rate(1 hour)"}}}
	tests := []struct {
		name  string
		files map[string]string
		want  *ScheduledQueriesVar
		wants []string // error substrings
	}{
		{"enabled", nil, on, nil},
		{"no file", map[string]string{"conf/scheduled_queries.json": ""}, nil, nil},
		{"disabled", map[string]string{"conf/scheduled_queries.json": `{"enabled": false, "packs": {}}`}, nil, nil},
		{"historical search on, Athena settings given", map[string]string{
			"conf/global.json": `{"account": {"aws_account_id": "123456789012", "prefix": "acme", "region": "cn-north-1"},
				"infrastructure": {"firehose": {"enabled": true, "bucket_name": "acme-history"}}}`,
			"conf/scheduled_queries.json": `{"enabled": true, "config": {"destination_kinesis_stream": "acme_queries", "athena_database": "logs"},
				"packs": {"hourly": {"schedule_expression": "rate(1 hour)"}}}`,
		}, &ScheduledQueriesVar{Enabled: true, Stream: "acme_queries", Database: "logs", Workgroup: "acme_streamalert",
			ResultsBucket: "acme-streamalert-athena-results", DataBucketARN: "arn:aws-cn:s3:::acme-history",
			Packs: map[string]QueryPackVar{"hourly": {Schedule: "rate(1 hour)"}}}, nil},
		{"stream no cluster reads", map[string]string{"conf/scheduled_queries.json": strings.Replace(queryConf, "acme_queries", "elsewhere", 1)}, nil,
			[]string{`conf scheduled_queries.json config.destination_kinesis_stream "elsewhere": no cluster reads this stream`}},
		{"stream read as something else", map[string]string{"conf/scheduled_queries.json": strings.Replace(queryConf, "acme_queries", "acme_prod_stream", 1)}, nil,
			[]string{`config.destination_kinesis_stream "acme_prod_stream": clusters/prod.json does not read it as streamquery:version1`}},
		{"pack without queries", map[string]string{"conf/scheduled_queries.json": strings.Replace(queryConf, `"hourly"`, `"weekly"`, 1)}, nil,
			[]string{`conf scheduled_queries.json packs.weekly: no query in scheduled_queries carries the tag "weekly"`}},
		{"bad query file", map[string]string{"scheduled_queries/hourly.yaml": "name: root_logins\nquery: SELECT '{utcdatehour}'\ntags: [hourly]\n"}, nil,
			[]string{"scheduled_queries/hourly.yaml:2: query: placeholder {utcdatehour} is not in params"}},
		{"bad config", map[string]string{"conf/scheduled_queries.json": `{"enabled": true, "config": {"destination_kinesis_stream": "acme_queries", "athena_database": "Bad-Name"},
			"packs": {"hourly": {"schedule_expression": "hourly"}}, "lamda_config": {}}`}, nil,
			[]string{"scheduled_queries.json lamda_config: unknown key", `scheduled_queries.json packs.hourly.schedule_expression: "hourly"`}},
		{"bad database", map[string]string{"conf/scheduled_queries.json": strings.Replace(queryConf, `"acme_queries"`, `"acme_queries", "athena_database": "Bad-Name"`, 1)}, nil,
			[]string{`conf scheduled_queries.json config.athena_database "Bad-Name": want a Glue database name`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _, err := queryVars(t, queryHome(t, tt.files))
			if tt.wants != nil {
				if err == nil {
					t.Fatalf("no error; want %q", tt.wants)
				}
				for _, w := range tt.wants {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error\n%v\nlacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v.ScheduledQueries, tt.want) {
				t.Errorf("scheduled queries\n got %+v\nwant %+v", v.ScheduledQueries, tt.want)
			}
		})
	}
}

// TestBuildWritesScheduledQueries: terraform.tfvars.json carries the
// scheduled queries in the shape of infra/scheduled_queries.tf's
// variable, and the query files can be packaged where the function looks
// for them.
func TestBuildWritesScheduledQueries(t *testing.T) {
	home := queryHome(t, nil)
	_, plugins := fixture(t, "123456789012")
	a, err := Build(context.Background(), testOptions(t, home, plugins))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(a.VarsFile)
	if err != nil {
		t.Fatal(err)
	}
	var vars struct {
		ScheduledQueries map[string]any `json:"scheduled_queries"`
	}
	if err := json.Unmarshal(data, &vars); err != nil {
		t.Fatal(err)
	}
	decl := loadModule(t, a.Terraform).vars["scheduled_queries"]
	if decl == nil || vars.ScheduledQueries == nil {
		t.Fatalf("variable declared: %v; tfvars scheduled_queries = %v", decl != nil, vars.ScheduledQueries)
	}
	attrs := map[string]bool{}
	objectAttrs(decl.Body.Attributes["type"].Expr, attrs)
	for k, val := range vars.ScheduledQueries {
		if !attrs[k] {
			t.Errorf("scheduled_queries.%s is not an attribute of the variable's type", k)
		}
		if k == "packs" {
			for pack, p := range val.(map[string]any) {
				for pk := range p.(map[string]any) {
					if !attrs[pk] {
						t.Errorf("scheduled_queries.packs.%s.%s is not an attribute of the variable's type", pack, pk)
					}
				}
			}
		}
	}

	pkg := t.TempDir()
	conf, err := config.Load(filepath.Join(home, "conf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := packScheduledQueries(conf, pkg); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"scheduled_queries/hourly.yaml", "scheduled_queries/daily/a.yaml"} {
		if _, err := os.Stat(filepath.Join(pkg, f)); err != nil {
			t.Errorf("package lacks %s: %v", f, err)
		}
	}
}

// objectAttrs collects the attribute names of a type expression's
// object() types, at any depth.
func objectAttrs(e hclsyntax.Expression, into map[string]bool) {
	switch e := e.(type) {
	case *hclsyntax.FunctionCallExpr:
		for _, a := range e.Args {
			objectAttrs(a, into)
		}
	case *hclsyntax.ObjectConsExpr:
		for _, it := range e.Items {
			if k := literals(unwrapKey(it.KeyExpr)); len(k) == 1 {
				into[k[0]] = true
			}
			objectAttrs(it.ValueExpr, into)
		}
	}
}
