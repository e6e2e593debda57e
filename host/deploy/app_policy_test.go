package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// appStatement is one IAM statement of the app functions' roles, as
// written in infra/functions.tf.
type appStatement struct {
	actions    []string
	resources  string // source text
	nResources int
	conditions string // source text
	guard      string // the for expression's condition, "" when always granted
}

// appStatements reads the statements module "app" grants, by sid.
func appStatements(t *testing.T) (map[string]appStatement, string) {
	t.Helper()
	path := filepath.Join(infraDir, "functions.tf")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := func(e hclsyntax.Expression) string {
		if e == nil {
			return ""
		}
		r := e.Range()
		return string(src[r.Start.Byte:r.End.Byte])
	}
	root := loadModule(t, infraDir)
	var app *hclsyntax.Block
	for _, b := range root.files[path].Blocks {
		if b.Type == "module" && b.Labels[0] == "app" {
			app = b
		}
	}
	if app == nil {
		t.Fatal(`infra/functions.tf has no module "app"`)
	}
	call, ok := app.Body.Attributes["statements"].Expr.(*hclsyntax.FunctionCallExpr)
	if !ok || call.Name != "concat" {
		t.Fatal(`module "app": statements is not a concat(...) of lists`)
	}
	out := map[string]appStatement{}
	add := func(obj *hclsyntax.ObjectConsExpr, guard string) {
		fields := map[string]hclsyntax.Expression{}
		for _, it := range obj.Items {
			if k := literals(unwrapKey(it.KeyExpr)); len(k) == 1 {
				fields[k[0]] = it.ValueExpr
			}
		}
		sid := literals(fields["sid"])
		if len(sid) != 1 {
			t.Fatalf("statement without a literal sid: %s", text(obj))
		}
		n := 0
		if tup, ok := fields["resources"].(*hclsyntax.TupleConsExpr); ok {
			n = len(tup.Exprs)
		}
		out[sid[0]] = appStatement{actions: literals(fields["actions"]), resources: text(fields["resources"]), nResources: n,
			conditions: text(fields["conditions"]), guard: guard}
	}
	for _, arg := range call.Args {
		switch e := arg.(type) {
		case *hclsyntax.TupleConsExpr:
			for _, el := range e.Exprs {
				if obj, ok := el.(*hclsyntax.ObjectConsExpr); ok {
					add(obj, "")
				}
			}
		case *hclsyntax.ForExpr:
			obj, ok := e.ValExpr.(*hclsyntax.ObjectConsExpr)
			if !ok {
				t.Fatalf("conditional statement is not an object: %s", text(e))
			}
			add(obj, text(e.CollExpr))
		}
	}
	return out, text(app.Body.Attributes["environment"].Expr)
}

// TestInfraAppPolicy checks the app functions' least privilege: state in
// SSM written only at the app's own state parameter, KMS use bound to its
// own parameters, no DynamoDB checkpoint, the classifier invoked only by
// apps whose logs are classified, the IOC table written only by feeds,
// and the function itself invoked by an ARN built from its name.
func TestInfraAppPolicy(t *testing.T) {
	sts, env := appStatements(t)
	const (
		secret = `${local.ssm_arn}/app/${each.value.plugin}/${each.key}`
		state  = `${replace(local.ssm_arn, "/[^/]+$/", "state")}/app/${each.key}`
		feed   = `[each.value.sink == "threat_intel"]`
		logs   = `[each.value.sink != "threat_intel"]`
	)
	want := map[string]struct {
		actions   []string
		resources []string
		condition []string
		guard     string
	}{
		"ReadAppSecret":        {[]string{"ssm:GetParameter"}, []string{secret}, nil, ""},
		"OwnState":             {[]string{"ssm:GetParameter", "ssm:PutParameter"}, []string{state}, nil, ""},
		"DecryptAppParameters": {[]string{"kms:Decrypt"}, []string{"module.secrets_key.arn"}, []string{"kms:EncryptionContext:PARAMETER_ARN", secret, state}, ""},
		"EncryptAppState":      {[]string{"kms:Encrypt", "kms:GenerateDataKey"}, []string{"module.secrets_key.arn"}, []string{"kms:EncryptionContext:PARAMETER_ARN", state}, ""},
		"ContinueBacklog": {[]string{"lambda:InvokeFunction"},
			[]string{`function:${var.prefix}_${each.value.cluster}_streamalert_app_${each.key}`}, nil, ""},
		"SendLogs":          {[]string{"lambda:InvokeFunction"}, []string{"module.classifier[each.value.cluster].arn"}, nil, logs},
		"KeepOversizedLogs": {[]string{"sqs:SendMessage"}, []string{"module.unclassified_queue.arn"}, nil, logs},
		"WriteIOCs":         {[]string{"dynamodb:BatchWriteItem", "dynamodb:PutItem"}, []string{"module.tables.ioc_arn"}, nil, feed},
	}
	for sid, w := range want {
		s, ok := sts[sid]
		if !ok {
			t.Errorf("statement %s missing", sid)
			continue
		}
		if !slices.Equal(s.actions, w.actions) {
			t.Errorf("%s: actions %v, want %v", sid, s.actions, w.actions)
		}
		for _, r := range w.resources {
			if !strings.Contains(s.resources, r) {
				t.Errorf("%s: resources %s, want %s", sid, s.resources, r)
			}
		}
		if s.nResources != len(w.resources) {
			t.Errorf("%s: resources %s, want exactly %v", sid, s.resources, w.resources)
		}
		for _, c := range w.condition {
			if !strings.Contains(s.conditions, c) {
				t.Errorf("%s: conditions %s lack %s", sid, s.conditions, c)
			}
		}
		if len(w.condition) > 0 && strings.Count(s.conditions, "/app/") != len(w.condition)-1 {
			t.Errorf("%s: conditions %s name other parameters than %v", sid, s.conditions, w.condition[1:])
		}
		if s.guard != w.guard {
			t.Errorf("%s: granted when %q, want when %q", sid, s.guard, w.guard)
		}
	}
	for sid, s := range sts {
		if _, ok := want[sid]; !ok {
			t.Errorf("statement %s (%v on %s) is not one an app needs", sid, s.actions, s.resources)
		}
		if strings.Contains(s.resources, "state_arn") || strings.Contains(s.resources, "module.app") {
			t.Errorf("statement %s: %s (no DynamoDB checkpoint; no reference to the app module itself)", sid, s.resources)
		}
	}
	if !strings.Contains(env, `SA_APP_STATE_PREFIX      = replace(var.secrets_prefix, "/[^/]+$/", "state")`) {
		t.Errorf("module app: environment lacks SA_APP_STATE_PREFIX beside the secrets:\n%s", env)
	}
}

// TestAppVarsSink: a threat intel feed's sink reaches Terraform, which
// grants its function the IOC table instead of the classifier; any other
// sink is refused naming the app.
func TestAppVarsSink(t *testing.T) {
	home, _ := fixture(t, "123456789012")
	write(t, filepath.Join(home, "sa.yaml"), `apps:
  - {name: duo_prod, cluster: prod, plugin: duo, schedule: 10m}
  - {name: feed, cluster: prod, plugin: threatstream, schedule: 1h, sink: threat_intel}
`)
	cfg, err := embedded.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := config.Load(cfg.Conf)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVars(cfg, conf, VarsOptions{PackagePath: "/tmp/sa.zip", Arch: ARM64})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(v.Apps)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"duo_prod":{"cluster":"prod","plugin":"duo","schedule_expression":"rate(10 minutes)"},` +
		`"feed":{"cluster":"prod","plugin":"threatstream","schedule_expression":"rate(1 hour)","sink":"threat_intel"}}`
	if string(data) != want {
		t.Errorf("apps\n got %s\nwant %s", data, want)
	}

	cfg.Apps[1].Sink = "elsewhere"
	_, err = NewVars(cfg, conf, VarsOptions{PackagePath: "/tmp/sa.zip", Arch: ARM64})
	if err == nil || !strings.Contains(err.Error(), `sa.yaml apps[1] (feed).sink "elsewhere"`) {
		t.Errorf("error %v, want one naming the app's sink", err)
	}
}
