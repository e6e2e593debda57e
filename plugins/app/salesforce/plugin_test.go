package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

func TestConformance(t *testing.T) {
	apptest.Conformance(t, "plugins/app/salesforce")
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{propClientSecret, propPassword, propSecurityToken} {
		if p, _ := configSchema.Property(name); !p.Secret || !p.Credential || !p.Required {
			t.Errorf("%s %+v: want a required, masked credential", name, p)
		}
	}
	if len(appTypes) != len(eventTypes) {
		t.Fatal("appTypes and eventTypes differ")
	}
	for _, a := range appTypes {
		if eventTypes[a] == "" {
			t.Errorf("no event type for %s", a)
		}
	}
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": "salesforce_login", propClientID: testClientID, propClientSecret: testClientSecret,
		propUsername: testUsername, propPassword: testPassword, propSecurityToken: testToken}
	apptest.CheckConfigs(t, New(), valid, secrets, apptest.ConfigCases{
		{"valid", nil, ""},
		{"hex consumer secret", map[string]any{propClientSecret: strings.Repeat("A1", 32)}, ""},
		{"sandbox", map[string]any{propLoginHost: "test.salesforce.com"}, ""},
		{"my domain", map[string]any{propLoginHost: "acme.my.salesforce.com"}, ""},
		{"unknown type", map[string]any{"type": "salesforce_api"}, "type"},
		{"short client id", map[string]any{propClientID: "3MVG9abc"}, propClientID},
		{"short secret", map[string]any{propClientSecret: "12345"}, propClientSecret},
		{"username not an email", map[string]any{propUsername: "siem"}, propUsername},
		{"short security token", map[string]any{propSecurityToken: "abc"}, propSecurityToken},
		{"foreign login host", map[string]any{propLoginHost: "login.example.com"}, propLoginHost},
		{"unknown interval", map[string]any{propInterval: "Weekly"}, propInterval},
	})
}

// TestClassify checks the rows the plugin emits classify under a json
// schema of the file's columns, as the plugin's description says to
// configure one (StreamAlert ships none).
func TestClassify(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 9})
	src.Generate(3)
	f := newFakeSalesforce(t, src)
	f.publish("Login")
	f.publish("Login")
	app := New()
	b, err := poll(t, app, apptest.Config(t, app, f.config("salesforce_login")), nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	logs := apptest.Logs(b)
	if len(logs) != 3 {
		t.Fatalf("%d logs", len(logs))
	}
	columns := map[string]string{}
	for _, h := range csvHeader {
		columns[h] = "string"
	}
	schemaJSON, _ := json.Marshal(map[string]any{"salesforce:login": map[string]any{"parser": "json", "schema": columns}})
	const resource = "prefix_cluster_salesforce_login_sm-app-name_app"
	extra := map[string]string{
		"schemas/salesforce.json": string(schemaJSON),
		"clusters/sf.json":        `{"id": "sf", "data_sources": {"streamalert_app": {"` + resource + `": ["salesforce"]}}}`,
	}
	for i, typ := range apptest.Classify(t, resource, extra, logs) {
		if typ != "salesforce:login" {
			t.Errorf("log %d (%s) classified as %q", i, logs[i], typ)
		}
	}
}
