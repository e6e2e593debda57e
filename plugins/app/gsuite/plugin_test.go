package main

import (
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

// TestConformance runs the SDK's conformance harness against the built
// binary, as `sa plugin test` does.
func TestConformance(t *testing.T) {
	apptest.Conformance(t, "plugins/app/gsuite")
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	kf, _ := configSchema.Property(propKeyfile)
	if !kf.Secret || !kf.Credential || !kf.Required {
		t.Errorf("keyfile %+v: want a required, masked credential", kf)
	}
	typ, _ := configSchema.Property("type")
	for _, a := range applications {
		if p := apptest.Problems(New(), map[string]any{"type": "gsuite_" + a, propKeyfile: keyfileExample, propDelegation: "a@b.co"}); len(p) > 0 {
			t.Errorf("type gsuite_%s: %v", a, p)
		}
	}
	if len(applications) != 15 || !strings.Contains(typ.Pattern, "gsuite_groups_enterprise") {
		t.Errorf("types %v", applications)
	}
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": "gsuite_admin", propKeyfile: keyFileJSON(t, tokenURL, nil), propDelegation: "admin@example.com"}
	apptest.CheckConfigs(t, New(), valid, []string{keyBody(t)}, apptest.ConfigCases{
		{"valid", nil, ""},
		{"unknown type", map[string]any{"type": "gsuite_chat"}, "type"},
		{"key file path instead of content", map[string]any{propKeyfile: "/etc/sa/gsuite.json"}, propKeyfile},
		{"user credentials file", map[string]any{propKeyfile: `{"type":"authorized_user","client_id":"x"}`}, propKeyfile},
		{"no private key", map[string]any{propKeyfile: keyFileJSON(t, tokenURL, func(m map[string]any) { m["private_key"] = "" })}, propKeyfile},
		{"bad delegation email", map[string]any{propDelegation: "admin"}, propDelegation},
		{"missing delegation", map[string]any{propDelegation: ""}, propDelegation},
		{"overlap too long", map[string]any{"overlap_seconds": 8 * 24 * 3600}, "overlap_seconds"},
		{"missing CA file", map[string]any{"ca_file": "/nonexistent/ca.pem"}, "ca_file"},
	})
}

// TestClassify checks the activities the plugin emits classify as
// gsuite:reports under StreamAlert's schemas.
func TestClassify(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 1})
	src.Generate(4)
	f := newFakeGoogle(t, src, "admin")
	app := New()
	b, err := poll(t, app, apptest.Config(t, app, f.config(t, nil)), nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	logs := apptest.Logs(b)
	if len(logs) != 4 {
		t.Fatalf("%d logs", len(logs))
	}
	for i, typ := range apptest.Classify(t, "prefix_cluster_gsuite_admin_sm-app-name_app", nil, logs) {
		if typ != "gsuite:reports" {
			t.Errorf("log %d (%s) classified as %q", i, logs[i], typ)
		}
	}
}
