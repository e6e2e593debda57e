package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/internal/testbin"
)

// appHome is a home with the file app plugin installed and two apps: one
// whose logs the sample cluster classifies, one threat intel feed.
func appHome(t testing.TB) string {
	t.Helper()
	h := home(t)
	bin := testbin.Build(t, "plugins/app/file")
	dst := filepath.Join(h, "plugins", "app", "file", "sa-app-file")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := pluginhost.Register(context.Background(), dst, nil, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	cluster := `{"id": "sample", "data_sources": {"kinesis": {"sa_sample": ["cloudtrail"]}, "streamalert_app": {"trail": ["cloudtrail"]}}}`
	if err := os.WriteFile(filepath.Join(h, "conf", "clusters", "sample.json"), []byte(cluster), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(h, embedded.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	apps := `
apps:
  - {name: trail, cluster: sample, plugin: file, schedule: rate(5 minutes), config: {path: /var/log/trail}}
  - {name: feed, cluster: sample, plugin: file, schedule: rate(1 day), sink: threat_intel, config: {path: /var/log/iocs}}
`
	if err := os.WriteFile(filepath.Join(h, embedded.ConfigFile), append(cfg, apps...), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBuildApp(t *testing.T) {
	h := appHome(t)
	base := map[string]string{"SA_FUNCTION": "app", "SA_HOME": h, "SA_APP": "trail", "SA_SECRETS_PREFIX": "/sa/secrets",
		"SA_SECRETS_KMS_KEY": "alias/sa_secrets", "SA_CLASSIFIER_FUNCTION": "sa_sample_streamalert_classifier",
		"AWS_LAMBDA_FUNCTION_NAME": "sa_sample_streamalert_app_trail"}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"classified app", nil, ""},
		{"with a dead letter queue and a state prefix", map[string]string{
			"SA_DEAD_LETTER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/d", "SA_APP_STATE_PREFIX": "/sa/app_state"}, ""},
		{"feed app", map[string]string{"SA_APP": "feed", "SA_CLASSIFIER_FUNCTION": "", "SA_IOC_TABLE": "sa_iocs"}, ""},
		{"feed app without its table", map[string]string{"SA_APP": "feed"}, "app feed (sink threat_intel): SA_IOC_TABLE: required"},
		{"unknown app", map[string]string{"SA_APP": "duo"}, `SA_APP: app "duo" is not in sa.yaml's apps (apps: feed, trail)`},
		{"no app", map[string]string{"SA_APP": "", "AWS_LAMBDA_FUNCTION_NAME": ""}, "SA_APP, AWS_LAMBDA_FUNCTION_NAME: required"},
		{"no secrets prefix", map[string]string{"SA_SECRETS_PREFIX": ""}, "SA_SECRETS_PREFIX: required"},
		{"no classifier", map[string]string{"SA_CLASSIFIER_FUNCTION": ""}, "app trail: SA_CLASSIFIER_FUNCTION: required"},
		{"bad state prefix", map[string]string{"SA_APP_STATE_PREFIX": "state"}, `state prefix "state"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkBuild(t, base, tt.env, tt.wantErr) })
	}
}

// BenchmarkAppColdStart measures the app role's init, as
// BenchmarkColdStart does the others': reading the deployment package,
// checking the app against it, making the clients. The plugin process
// starts on the first invocation (host/runtime/aws's
// BenchmarkAppColdStart measures that).
func BenchmarkAppColdStart(b *testing.B) {
	h := appHome(b)
	b.Setenv("AWS_REGION", "us-east-1")
	env := map[string]string{"SA_FUNCTION": "app", "SA_HOME": h, "SA_APP": "trail", "SA_SECRETS_PREFIX": "/sa/secrets",
		"SA_CLASSIFIER_FUNCTION": "c", "AWS_LAMBDA_FUNCTION_NAME": "a"}
	for b.Loop() {
		if _, err := build(context.Background(), func(k string) string { return env[k] }, slog.New(slog.DiscardHandler)); err != nil {
			b.Fatal(err)
		}
	}
}
