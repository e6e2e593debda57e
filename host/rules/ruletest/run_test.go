package ruletest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/rules"
)

const (
	compatDir = "../../../../shared/compat"
	repoDir   = "../../.."
)

// options loads the compat configuration and the rules under ruleDirs
// (files or directories of the repository).
func options(t *testing.T, ruleDirs ...string) Options {
	t.Helper()
	dir := filepath.Join(compatDir, "conf")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("compat corpus not found: %v", err)
	}
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := classify.New(cfg, classify.Options{Parsers: classify.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	var ruleFiles []rules.File
	for _, d := range ruleDirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(repoDir, d)
		}
		fs, err := rules.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		ruleFiles = append(ruleFiles, fs...)
	}
	matcherFiles, err := rules.ReadDir(filepath.Join(repoDir, "matchers"))
	if err != nil {
		t.Fatal(err)
	}
	return Options{Config: cfg, Classifier: c, RuleFiles: ruleFiles, MatcherFiles: matcherFiles}
}

// streamAlertPack is StreamAlert's rule pack as RULES.md specifies it:
// the community rules and the one sample rule. sa's own samples for `sa
// init` (rules/sample/cloudtrail_events.yaml) detect some of the same
// events and are left out, as StreamAlert's expectations do not know them.
var streamAlertPack = []string{"rules/community", "rules/sample/sample_demisto.yaml"}

// TestCompatEvents is the acceptance check: every StreamAlert
// test event of the compat corpus passes against the shipped pack.
func TestCompatEvents(t *testing.T) {
	sum, err := Run(context.Background(), options(t, streamAlertPack...), []string{filepath.Join(compatDir, "rules")})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum.Report(&out, false)
	if sum.Failed() > 0 || len(sum.LoadErrors) > 0 {
		t.Errorf("compat events failed:\n%s", out.String())
	}
	if len(sum.Results) < 70 {
		t.Errorf("only %d events ran", len(sum.Results))
	}
	t.Logf("%s", strings.TrimSpace(out.String()))
}

// TestPackEvents runs the repository's rule tests against all its rules,
// the community pack and the samples sa init installs: every enabled rule
// must be covered both ways.
func TestPackEvents(t *testing.T) {
	sum, err := Run(context.Background(), options(t, "rules", "samples/rules"),
		[]string{filepath.Join(repoDir, "rules"), filepath.Join(repoDir, "samples", "rules")})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum.Report(&out, false)
	if sum.Failed() > 0 || len(sum.LoadErrors) > 0 || len(sum.Untested) > 0 || len(sum.NoNegative) > 0 {
		t.Errorf("pack events:\n%s", out.String())
	}
}

// TestReportsFailures checks a failing event is explained.
func TestReportsFailures(t *testing.T) {
	opts := options(t, streamAlertPack...)
	dir := t.TempDir()
	event := `[{"override_record": {"result": "FRAUD"}, "description": "fraud",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["duo_anonymous_ip_failure"]},
		{"data": {"nope": 1}, "description": "unclassifiable",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": []}]`
	if err := os.WriteFile(filepath.Join(dir, "e.json"), []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), opts, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum.Report(&out, false)
	for _, want := range []string{"FAIL", "did not fire: duo_anonymous_ip_failure", "fired unexpectedly: duo_fraud",
		"classified as nothing, want duo:authentication", "duo:authentication: ", "2 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestPublisherTests checks publisher_tests against the publication an
// output gets: both test forms, every condition, and a failing check that
// names the expression, the value found and the one wanted.
func TestPublisherTests(t *testing.T) {
	ruleDir := t.TempDir()
	rule := "rules:\n  - name: fraud_to_soc\n    logs: [duo:authentication]\n    outputs: [slack:soc]\n" +
		"    condition: record.result == \"FRAUD\"\n"
	if err := os.WriteFile(filepath.Join(ruleDir, "fraud.yaml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := options(t, ruleDir)
	dir := t.TempDir()
	event := `[{"override_record": {"result": "FRAUD"}, "description": "fraud",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["fraud_to_soc"],
		"publisher_tests": {"slack:soc": [
			["rule_name", "is", "fraud_to_soc"],
			{"jmespath_expression": "record.result", "condition": "in", "value": ["DENY", "FRAUD"]},
			["rule_name", "contains", "fraud"],
			["log_source", "is", "duo:authentication"]]}},
	{"override_record": {"result": "FRAUD"}, "description": "fraud, wrong expectation",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["fraud_to_soc"],
		"publisher_tests": {"slack:soc": [["record.result", "is", "SUCCESS"]]}},
	{"override_record": {"result": "FRAUD"}, "description": "fraud, publishers skipped",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["fraud_to_soc"], "skip_publishers": true,
		"publisher_tests": {"slack:soc": [["record.result", "is", "SUCCESS"]]}},
	{"override_record": {"result": "FRAUD"}, "description": "bad condition",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["fraud_to_soc"],
		"publisher_tests": {"slack:soc": [["rule_name", "resembles", "x"]]}},
	{"override_record": {"result": "FRAUD"}, "description": "an output the alert does not go to",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["fraud_to_soc"],
		"publisher_tests": {"pagerduty:oncall": [["rule_name", "is", "fraud_to_soc"]]}}]`
	if err := os.WriteFile(filepath.Join(dir, "e.json"), []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), opts, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Results) != 5 {
		t.Fatalf("%d results", len(sum.Results))
	}
	if r := sum.Results[0]; !r.Passed() {
		t.Errorf("passing publisher tests failed: %v %v", r.Err, r.PublisherFailures)
	}
	if r := sum.Results[1]; r.Passed() || len(r.PublisherFailures) != 1 ||
		!strings.Contains(r.PublisherFailures[0], `record.result is "FRAUD", want it to be "SUCCESS"`) {
		t.Errorf("failing publisher test: passed=%v %q", r.Passed(), r.PublisherFailures)
	}
	if r := sum.Results[2]; !r.Passed() {
		t.Errorf("skip_publishers still checked: %v %v", r.Err, r.PublisherFailures)
	}
	if r := sum.Results[3]; r.Err == nil || !strings.Contains(r.Err.Error(), `condition "resembles"`) {
		t.Errorf("bad condition: %v", r.Err)
	}
	if r := sum.Results[4]; r.Passed() || len(r.PublisherFailures) != 1 ||
		!strings.Contains(r.PublisherFailures[0], "no such output pagerduty:oncall was configured for this alert") {
		t.Errorf("output not configured: passed=%v %q", r.Passed(), r.PublisherFailures)
	}
}

// TestUnordered: only a whole keys() or values() call is compared as a set.
func TestUnordered(t *testing.T) {
	for expr, want := range map[string]bool{
		"keys(@)": true, " values(record) ": true, `keys("@slack.attachments"[0])`: true,
		"keys(@) | [0]": false, "keys(a) && keys(b)": false, "length(keys(@))": false,
		`keys(@)[?@ == ')']`: false, "record.keys": false,
	} {
		if got := unordered(expr); got != want {
			t.Errorf("unordered(%q) = %v, want %v", expr, got, want)
		}
	}
	tc := publisherTest{Expr: "keys(@)", Condition: "is", Value: []any{"b", "a"}}
	if !tc.holds(sortedList([]any{"a", "b"})) || tc.holds(sortedList([]any{"a", "c"})) {
		t.Error("keys(@) is not compared as a set")
	}
}
