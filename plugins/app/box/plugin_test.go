package main

import (
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

// TestConformance runs the SDK's conformance harness against the built
// binary, as `sa plugin test` does.
func TestConformance(t *testing.T) {
	apptest.Conformance(t, "plugins/app/box")
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	kf, _ := configSchema.Property(propKeyfile)
	if !kf.Secret || !kf.Credential || !kf.Required {
		t.Errorf("keyfile %+v: want a required, masked credential", kf)
	}
	if _, err := checkSettings(keyfileExample); err != nil {
		t.Errorf("the example settings file: %v", err)
	}
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": appType, propKeyfile: settingsJSON(t, nil)}
	apptest.CheckConfigs(t, New(), valid, []string{testClientSecret, testPassphrase}, apptest.ConfigCases{
		{"valid", nil, ""},
		{"wrong type", map[string]any{"type": "box_user_events"}, "type"},
		{"settings path instead of content", map[string]any{propKeyfile: "/etc/sa/box_config.json"}, propKeyfile},
		{"no enterprise", map[string]any{propKeyfile: settingsJSON(t, func(m map[string]any) { delete(m, "enterpriseID") })}, propKeyfile},
		{"key not PEM", map[string]any{propKeyfile: settingsJSON(t, func(m map[string]any) {
			m["boxAppSettings"].(map[string]any)["appAuth"].(map[string]any)["privateKey"] = "MIIFHDBO"
		})}, propKeyfile},
		{"timeout too long", map[string]any{"timeout_seconds": 3600}, "timeout_seconds"},
		{"bad connect_to", map[string]any{"connect_to": "nohost"}, "connect_to"},
	})
}

// TestClassify checks the events the plugin emits classify as
// box:admin_events under StreamAlert's schemas.
func TestClassify(t *testing.T) {
	src := boxSource(1, 0)
	src.Generate(3)
	f := newFakeBox(t, src)
	f.still = true
	app := New()
	b, err := poll(t, app, apptest.Config(t, app, f.config(t)), nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	logs := apptest.Logs(b)
	if len(logs) != 3 {
		t.Fatalf("%d logs", len(logs))
	}
	for i, typ := range apptest.Classify(t, "prefix_cluster_box_admin_events_sm-app-name_app", nil, logs) {
		if typ != "box:admin_events" {
			t.Errorf("log %d (%s) classified as %q", i, logs[i], typ)
		}
	}
}
