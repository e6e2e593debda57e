package testevent_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/classify/testevent"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/internal/testbin"
)

func compatConf(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const duoOverride = `{"override_record": {"reason": "<helper:last_hour>", "location": {"city": "x <helper:last_hour>"}},
  "description": "d", "log": "duo:authentication", "service": "streamalert_app",
  "source": "prefix_cluster_duo_auth_sm-app-name_app", "trigger_rules": [], "extra": 1}`

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/one.json", `[`+duoOverride+`,
	  {"data": {"a": 1}, "override_record": {}, "log": "x", "service": "s3", "source": "b", "description": "both"},
	  {"data": [1], "service": "s3", "classify_only": true}]`)
	writeFile(t, dir, "b/bad.json", `{"not": "a list"}`)
	writeFile(t, dir, "b/ignored.txt", `not a test file`)
	events, errs := testevent.Load([]string{dir})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "bad.json: test files hold a JSON list") {
		t.Errorf("errors %v", errs)
	}
	if len(events) != 3 {
		t.Fatalf("%d events", len(events))
	}
	if e := events[0]; len(e.Problems) != 0 || len(e.Warnings) != 1 || e.Name() != filepath.Join(dir, "a/one.json")+"[0]" {
		t.Errorf("event 0: %s %q %q", e.Name(), e.Problems, e.Warnings)
	}
	if p := strings.Join(events[1].Problems, "; "); p != "give data or override_record, not both; missing trigger_rules (or classify_only: true)" {
		t.Errorf("event 1 problems: %s", p)
	}
	if p := strings.Join(events[2].Problems, "; "); p != "missing description; missing log; missing source; data is an array; want an object or a string" {
		t.Errorf("event 2 problems: %s", p)
	}
}

func TestRecord(t *testing.T) {
	cfg := compatConf(t)
	dir := t.TempDir()
	events, _ := testevent.Load([]string{writeFile(t, dir, "e.json", `[`+duoOverride+`,
	  {"override_record": {"messageType": "CONTROL_MESSAGE", "logEvents": []}, "description": "d", "log": "cloudwatch:control_message",
	   "service": "kinesis", "source": "prefix_cluster1_streamalert", "classify_only": true},
	  {"data": "a,b", "description": "d", "log": "cloudwatch:rds_aurora", "service": "kinesis", "source": "s", "classify_only": true}]`)})
	now := time.Unix(1000, 0)
	want := []string{
		`{"access_device":{},"alias":"","device":"","factor":"","integration":"","ip":"","isotimestamp":"","location":{"city":"x 940"},` +
			`"new_enrollment":false,"reason":"940","result":"","timestamp":0,"username":""}`,
		`{"logGroup":"","logStream":"","messageType":"CONTROL_MESSAGE","owner":"","subscriptionFilters":[],"logEvents":[]}`,
		`a,b`,
	}
	for i, e := range events {
		rec, err := e.Record(cfg, now)
		if err != nil || string(rec) != want[i] {
			t.Errorf("event %d: %s, %v\nwant %s", i, rec, err, want[i])
		}
	}
}

func TestRunServices(t *testing.T) {
	cfg := compatConf(t)
	c, err := classify.New(cfg, classify.Options{Parsers: classify.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	r := &testevent.Runner{Config: cfg, Classifier: c}
	const osq = `{"action": "added", "calendarTime": "t", "columns": {}, "counter": 0, "decorations": {}, "epoch": 0,
	  "hostIdentifier": "h", "log_type": "result", "name": "n", "unixTime": 1}`
	dir := t.TempDir()
	events, _ := testevent.Load([]string{writeFile(t, dir, "e.json", `[
	  {"data": `+osq+`, "compress": true, "description": "zlib", "log": "osquery:differential", "service": "kinesis",
	   "source": "prefix_cluster1_streamalert", "classify_only": true},
	  {"data": `+osq+`, "description": "wrong log", "log": "osquery:snapshot", "service": "kinesis",
	   "source": "prefix_cluster1_streamalert", "classify_only": true},
	  {"data": {"nope": 1}, "description": "no schema", "log": "fleet:results", "service": "s3",
	   "source": "prefix.cluster.sample.bucket", "classify_only": true},
	  {"data": {"a": 1}, "description": "no log type", "log": "nope:nope", "service": "sns", "source": "x", "classify_only": true},
	  {"data": {"a": 1}, "description": "bad service", "log": "fleet:results", "service": "http", "source": "x", "classify_only": true}
	]`)})
	type result struct {
		pass  bool
		found string
		err   string
	}
	want := []result{{true, "osquery:differential", ""}, {false, "osquery:differential", ""}, {false, "", ""},
		{false, "", `log "nope:nope" is not a log type`}, {false, "", `service "http" is not one of`}}
	for i, e := range events {
		o := r.Run(context.Background(), e)
		errText := ""
		if o.Err != nil {
			errText = o.Err.Error()
		}
		if o.Passed() != want[i].pass || string(o.Found) != want[i].found || !strings.Contains(errText, want[i].err) || (want[i].err == "") != (o.Err == nil) {
			t.Errorf("%s: passed %v found %q err %v; want %+v", e.Description, o.Passed(), o.Found, o.Err, want[i])
		}
	}
}
