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
		fs, err := rules.ReadDir(filepath.Join(repoDir, d))
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
	opts := options(t, streamAlertPack...)
	dir := t.TempDir()
	event := `[{"override_record": {"result": "FRAUD"}, "description": "fraud",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["duo_fraud"],
		"publisher_tests": {"slack:soc": [
			["rule_name", "is", "duo_fraud"],
			{"jmespath_expression": "record.result", "condition": "in", "value": ["DENY", "FRAUD"]},
			["rule_name", "contains", "fraud"],
			["log_source", "is", "duo:authentication"]]}},
	{"override_record": {"result": "FRAUD"}, "description": "fraud, wrong expectation",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["duo_fraud"],
		"publisher_tests": {"slack:soc": [["record.result", "is", "SUCCESS"]]}},
	{"override_record": {"result": "FRAUD"}, "description": "fraud, publishers skipped",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["duo_fraud"], "skip_publishers": true,
		"publisher_tests": {"slack:soc": [["record.result", "is", "SUCCESS"]]}},
	{"override_record": {"result": "FRAUD"}, "description": "bad condition",
		"log": "duo:authentication", "service": "streamalert_app", "source": "prefix_cluster_duo_auth_sm-app-name_app",
		"trigger_rules": ["duo_fraud"],
		"publisher_tests": {"slack:soc": [["rule_name", "resembles", "x"]]}}]`
	if err := os.WriteFile(filepath.Join(dir, "e.json"), []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), opts, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Results) != 4 {
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
}
