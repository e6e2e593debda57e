package deploy

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// keyPolicy is the one document that may use wildcards: a KMS key
// policy, whose root statement AWS requires as kms:* on resource "*" (the
// key itself) so that the key can never become unmanageable.
const keyPolicy = "key_policy"

// trustPolicy is a role's assume-role policy, which takes no resources.
const trustPolicy = "assume"

// checkActions fails on a "*" action, a whole-service wildcard outside a
// key policy, or a missing or empty actions list.
func checkActions(t *testing.T, where, doc string, attrs hclsyntax.Attributes) {
	t.Helper()
	a, ok := attrs["actions"]
	if !ok {
		t.Errorf("%s: statement without explicit actions", where)
		return
	}
	if _, ok := attrs["resources"]; !ok && doc != trustPolicy {
		t.Errorf("%s: statement without explicit resources", where)
	}
	for _, act := range literals(a.Expr) {
		if act == "*" || strings.HasSuffix(act, ":*") && doc != keyPolicy {
			t.Errorf("%s: action %q: name the actions", where, act)
		}
	}
	if r, ok := attrs["resources"]; ok && doc != keyPolicy {
		for _, res := range literals(r.Expr) {
			if res == "*" {
				t.Errorf("%s: resource \"*\": name the resources", where)
			}
		}
	}
}

func TestInfraPolicies(t *testing.T) {
	docs := 0
	for _, m := range allModules(t) {
		for _, doc := range m.resources("data", "aws_iam_policy_document") {
			docs++
			name := doc.Labels[1]
			for _, b := range doc.Body.Blocks {
				where := filepath.Base(m.dir) + " " + name
				switch {
				case b.Type == "statement":
					checkActions(t, where, name, b.Body.Attributes)
				case b.Type == "dynamic" && b.Labels[0] == "statement":
					for _, c := range b.Body.Blocks {
						if c.Type == "content" {
							checkActions(t, where, name, c.Body.Attributes)
						}
					}
				}
			}
		}
		// Statements handed to the function module as values.
		for path, body := range m.files {
			hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
				obj, ok := n.(*hclsyntax.ObjectConsExpr)
				if !ok {
					return nil
				}
				fields := hclsyntax.Attributes{}
				for _, it := range obj.Items {
					if k := literals(unwrapKey(it.KeyExpr)); len(k) == 1 {
						fields[k[0]] = &hclsyntax.Attribute{Name: k[0], Expr: it.ValueExpr}
					}
				}
				if _, ok := fields["sid"]; ok {
					checkActions(t, path+" statement "+strings.Join(literals(fields["sid"].Expr), ""), "", fields)
				}
				return nil
			})
		}
	}
	if docs < 4 {
		t.Fatalf("found %d policy documents; the parser missed them", docs)
	}
}

func unwrapKey(e hclsyntax.Expression) hclsyntax.Expression {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if tr, ok := k.Wrapped.(*hclsyntax.ScopeTraversalExpr); ok {
			return &hclsyntax.LiteralValueExpr{Val: ctyString(tr.Traversal.RootName())}
		}
		return k.Wrapped
	}
	return e
}

// TestInfraFunctions checks what every Lambda function must have: a
// role, a log group with retention, and alarms on errors and throttles.
func TestInfraFunctions(t *testing.T) {
	fn := loadModule(t, filepath.Join(infraDir, "modules", "function"))
	lambdas := fn.resources("resource", "aws_lambda_function")
	if len(lambdas) != 1 {
		t.Fatalf("function module has %d aws_lambda_function, want 1", len(lambdas))
	}
	for _, m := range allModules(t) {
		if n := len(m.resources("resource", "aws_lambda_function")); n > 0 && m.dir != fn.dir {
			t.Errorf("%s declares %d functions outside modules/function, which alone adds logs and alarms", m.dir, n)
		}
	}
	if _, ok := lambdas[0].Body.Attributes["role"]; !ok {
		t.Error("aws_lambda_function has no role")
	}
	groups := fn.resources("resource", "aws_cloudwatch_log_group")
	if len(groups) != 1 || groups[0].Body.Attributes["retention_in_days"] == nil {
		t.Error("function module needs one log group with retention_in_days")
	}
	metrics := map[string]bool{}
	for _, a := range fn.resources("resource", "aws_cloudwatch_metric_alarm") {
		for _, v := range literals(a.Body.Attributes["metric_name"].Expr) {
			metrics[v] = true
		}
	}
	for _, want := range []string{"Errors", "Throttles"} {
		if !metrics[want] {
			t.Errorf("function module has no %s alarm", want)
		}
	}
}

// TestInfraEncryption checks encryption at rest and key rotation, and the
// alerts table's key schema, which host/store/dynamodb relies on.
func TestInfraEncryption(t *testing.T) {
	checks := []struct {
		module, resource string
		ok               func(b *hclsyntax.Block) bool
	}{
		{"kms", "aws_kms_key", func(b *hclsyntax.Block) bool { return attrIs(b, "enable_key_rotation", "true") }},
		{"queue", "aws_sqs_queue", func(b *hclsyntax.Block) bool { return b.Body.Attributes["kms_master_key_id"] != nil }},
		{"kinesis", "aws_kinesis_stream", func(b *hclsyntax.Block) bool { return attrIs(b, "encryption_type", "KMS") }},
		{"alarms", "aws_sns_topic", func(b *hclsyntax.Block) bool { return b.Body.Attributes["kms_master_key_id"] != nil }},
		{"tables", "aws_dynamodb_table", func(b *hclsyntax.Block) bool {
			for _, c := range b.Body.Blocks {
				if c.Type == "server_side_encryption" && attrIs(c, "enabled", "true") && c.Body.Attributes["kms_key_arn"] != nil {
					return true
				}
			}
			return false
		}},
	}
	for _, c := range checks {
		m := loadModule(t, filepath.Join(infraDir, "modules", c.module))
		rs := m.resources("resource", c.resource)
		if len(rs) == 0 {
			t.Errorf("module %s has no %s", c.module, c.resource)
		}
		for _, r := range rs {
			if !c.ok(r) {
				t.Errorf("module %s: %s.%s is not encrypted with a rotated KMS key", c.module, c.resource, r.Labels[1])
			}
		}
	}
	tables := loadModule(t, filepath.Join(infraDir, "modules", "tables"))
	for _, r := range tables.resources("resource", "aws_dynamodb_table") {
		if r.Labels[1] == "alerts" && !(attrIs(r, "hash_key", "AlertID") && attrIs(r, "range_key", "Item")) {
			t.Error("alerts table: want hash key AlertID and range key Item, as host/store/dynamodb")
		}
		if r.Labels[1] == "ioc" && !attrIs(r, "hash_key", "ioc_value") {
			t.Error("IOC table: want hash key ioc_value, as host/threatintel")
		}
	}
	queue := loadModule(t, filepath.Join(infraDir, "modules", "queue"))
	found := false
	for _, a := range queue.resources("resource", "aws_cloudwatch_metric_alarm") {
		found = found || attrIs(a, "metric_name", "ApproximateAgeOfOldestMessage")
	}
	if !found {
		t.Error("queue module has no alarm on the age of the oldest message")
	}
}

// attrIs reports whether b's attribute name is the literal want.
func attrIs(b *hclsyntax.Block, name, want string) bool {
	a, ok := b.Body.Attributes[name]
	if !ok {
		return false
	}
	v, diags := a.Expr.Value(nil)
	return !diags.HasErrors() && v.IsKnown() && v.GoString() != "" && strings.Trim(fmtValue(v), `"`) == want
}
func ctyString(s string) cty.Value { return cty.StringVal(s) }

// fmtValue renders a literal value as HCL would show it.
func fmtValue(v cty.Value) string {
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	}
	return v.GoString()
}
