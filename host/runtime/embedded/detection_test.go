package embedded

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/rules/staging"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/sqlite"
)

// TestDetection runs the pipeline with everything around the rules on:
// a file lookup table, the local IOC store fed from files, rule staging
// and rule error alerts.
func TestDetection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	home := t.TempDir()
	if _, err := Init(ctx, home, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(home, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("conf/clusters/sample.json", `{"id": "sample", "enable_threat_intel": true, "data_sources": {"kinesis": {"sa_sample": ["cloudtrail"]}}}`)
	write("conf/normalized_types.json", `{"cloudtrail": {"sourceAddress": ["sourceIPAddress"]}}`)
	write("conf/threat_intel.json", `{"enabled": true, "normalized_ioc_types": {"ip": ["sourceAddress"]}}`)
	write("conf/lookup_tables.json", `{"enabled": true, "tables": {"watched": {"driver": "file", "path": "watched.json.gz"}}}`)
	write("conf/watched.json.gz", gz(`{"PutBucketPolicy": "s3-policy"}`))
	write("threat_intel/bad.ip.txt", "# a feed\n203.0.113.77\n")
	write("rules/detection.yaml", `rules:
  - name: known_bad_address
    logs: [cloudtrail:events]
    outputs: [file:sample]
    condition: size(ioc_values(record, "ip")) > 0
  - name: watched_call
    logs: [cloudtrail:events]
    outputs: [file:sample]
    condition: lookup("watched", record.eventName, "") != ""
  - name: broken_rule
    logs: [cloudtrail:events]
    outputs: [file:sample]
    condition: record.requestParameters.bucketName == "x"
`)
	// A staging table that knows every rule but watched_call: that one is
	// new to this deployment, so it is staged.
	var known []staging.State
	for _, r := range []string{"known_bad_address", "broken_rule", "cloudtrail_root_activity", "cloudtrail_logging_stopped",
		"cloudtrail_console_login_without_mfa", "cloudtrail_access_key_created", "cloudtrail_public_bucket_policy"} {
		known = append(known, staging.State{Rule: r})
	}
	data, _ := json.Marshal(known)
	write("staging.json", string(data))
	cfg, _ := os.ReadFile(filepath.Join(home, ConfigFile))
	write(ConfigFile, string(cfg)+"\nstaging:\n  enabled: true\n")

	s, err := Open(ctx, home, Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile(filepath.Join(home, "samples", "cloudtrail.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var records [][]byte
	for l := range strings.SplitSeq(strings.TrimSpace(string(sample)), "\n") {
		records = append(records, []byte(l))
	}
	if _, err := s.IngestLocal(ctx, "sample", records); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(home, "sa.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	byRule := map[string][]*alert.Alert{}
	list, err := db.List(ctx, store.ListRequest{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list.Alerts {
		byRule[a.RuleName] = append(byRule[a.RuleName], a)
	}
	if n := len(byRule["known_bad_address"]); n != 2 {
		t.Errorf("known_bad_address fired %d times, want 2 (the records from the IOC address)", n)
	}
	watched := byRule["watched_call"]
	if len(watched) != 1 || !watched[0].Staged || len(watched[0].Outputs) != 0 {
		t.Errorf("watched_call alerts = %+v, want one staged alert with no outputs", watched)
	}
	if n := len(byRule["broken_rule"]); n != 0 {
		t.Errorf("broken_rule fired %d times", n)
	}
	errs := byRule[RuleErrorAlert]
	if len(errs) != 1 || !slices.Equal(errs[0].Outputs, []string{"file:sample"}) {
		t.Fatalf("rule error alerts = %+v, want one to file:sample", errs)
	}
	if a := errs[0]; !strings.Contains(string(a.Record), `"rule":"broken_rule"`) || !strings.Contains(a.RuleDescription, "broken_rule") {
		t.Errorf("rule error alert names no rule: %s / %s", a.RuleDescription, a.Record)
	}

	states, err := (&staging.File{Path: filepath.Join(home, "staging.json")}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := states["watched_call"]; !st.Staged || st.Alerts != 1 {
		t.Errorf("watched_call staging state = %+v, want staged with 1 alert counted", st)
	}
}

// TestFeedSink: a threat intel feed app's IOCs are kept in its file, what
// is not an IOC is skipped, and the file is compacted once repeats and
// expired IOCs make up half of it.
func TestFeedSink(t *testing.T) {
	home := t.TempDir()
	d := &detection{env: Env{Home: home}, reload: make(chan struct{}, 1)}
	now := time.Now()
	live, dead := now.Add(time.Hour).Unix(), now.Add(-time.Hour).Unix()
	logs := [][]byte{
		[]byte(`{"ioc_value": "evil.example", "ioc_type": "domain", "expiration_ts": ` + itoa(live) + `}`),
		[]byte(`{"ioc_value": "1.2.3.4", "ioc_type": "ip", "expiration_ts": ` + itoa(dead) + `}`),
		[]byte(`{"ioc_value": "x", "ioc_type": "nonsense"}`),
		[]byte(`not json`),
	}
	n, err := d.appendIOCs("feed", logs, slog.New(slog.DiscardHandler))
	if err != nil || n != 2 {
		t.Fatalf("kept %d, %v; want 2", n, err)
	}
	if _, err := d.appendIOCs("feed", logs[:1], slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.reload:
	default:
		t.Error("no reload was asked for")
	}
	path := filepath.Join(home, ThreatIntelDir, "app-feed.jsonl")
	if got := countLines(path); got != 3 {
		t.Fatalf("file has %d lines, want 3", got)
	}
	// Of 3 lines, one repeat and one expired IOC: compacted to one.
	if err := compactIOCFile(path, now); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if got := strings.TrimSpace(string(data)); strings.Count(got, "\n") != 0 || !strings.Contains(got, "evil.example") {
		t.Errorf("after compaction:\n%s", data)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestDigestAlert: the daily digest names the staged rules and their
// counts, goes to the digest output, and has one id per day.
func TestDigestAlert(t *testing.T) {
	ctx := context.Background()
	m, err := staging.New(ctx, &staging.File{Path: filepath.Join(t.TempDir(), "staging.json")}, staging.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 4, 13, 30, 0, 0, time.UTC)
	if _, ok, _ := DigestAlert(m, day, "slack:soc"); ok {
		t.Error("a digest with nothing staged")
	}
	m.Ensure(ctx, "new_rule")
	m.Stage(ctx, "new_rule")
	m.Count("new_rule")
	a, ok, err := DigestAlert(m, day, "slack:soc")
	if err != nil || !ok {
		t.Fatalf("digest: %v %v", ok, err)
	}
	if a.RuleName != StagingDigestAlert || !slices.Equal(a.Outputs, []string{"slack:soc"}) ||
		!strings.Contains(string(a.Record), "Rule: new_rule") || !strings.Contains(string(a.Record), `Alerts: 1`) {
		t.Errorf("digest alert: %s %v %s", a.RuleName, a.Outputs, a.Record)
	}
	again, _, _ := DigestAlert(m, day.Add(time.Hour), "slack:soc")
	next, _, _ := DigestAlert(m, day.AddDate(0, 0, 1), "slack:soc")
	if again.ID != a.ID || next.ID == a.ID {
		t.Errorf("ids: %s, same day %s, next day %s", a.ID, again.ID, next.ID)
	}
}
