package main

import (
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

// TestConformance runs the SDK's conformance harness against the built
// binary, as `sa plugin test` does.
func TestConformance(t *testing.T) {
	apptest.Conformance(t, "plugins/app/aliyun")
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	secret, _ := configSchema.Property(propSecret)
	id, _ := configSchema.Property(propKeyID)
	if !secret.Secret || !secret.Credential || !id.Credential || len(regions) != 18 {
		t.Errorf("secret %+v, id %+v, %d regions", secret, id, len(regions))
	}
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": appType, propKeyID: testKeyID, propSecret: testSecret, propRegion: "us-east-1"}
	apptest.CheckConfigs(t, New(), valid, secrets, apptest.ConfigCases{
		{"valid", nil, ""},
		{"unknown region", map[string]any{propRegion: "cn-nowhere-9"}, propRegion},
		{"region with a host in it", map[string]any{propRegion: "evil.example.com/x"}, propRegion},
		{"missing secret", map[string]any{propSecret: ""}, propSecret},
		{"lookback too long", map[string]any{"lookback_minutes": 200000}, "lookback_minutes"},
	})
}

// TestClassify checks the events the plugin emits classify as
// aliyun:actiontrail under StreamAlert's schemas.
func TestClassify(t *testing.T) {
	src := trailSource(1)
	src.Generate(3)
	f := newFakeTrail(t, src)
	f.still = true
	app := New()
	b, err := poll(t, app, apptest.Config(t, app, f.config()), nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	logs := apptest.Logs(b)
	if len(logs) != 3 {
		t.Fatalf("%d logs", len(logs))
	}
	for i, typ := range apptest.Classify(t, "prefix_cluster_aliyun_actiontrail_sm-app-name_app", nil, logs) {
		if typ != "aliyun:actiontrail" {
			t.Errorf("log %d (%s) classified as %q", i, logs[i], typ)
		}
	}
}
