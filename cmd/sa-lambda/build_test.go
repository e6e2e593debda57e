package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/runtime/embedded"
)

func home(t testing.TB) string {
	h := t.TempDir()
	if _, err := embedded.Init(context.Background(), h, embedded.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBuild(t *testing.T) {
	h := home(t)
	base := map[string]string{"SA_HOME": h, "SA_ALERTS_TABLE": "alerts", "SA_STATE_TABLE": "state",
		"SA_CLASSIFIED_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/c", "SA_DEAD_LETTER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/d"}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"classifier", map[string]string{"SA_FUNCTION": "classifier"}, ""},
		{"rules", map[string]string{"SA_FUNCTION": "rules"}, ""},
		{"merger", map[string]string{"SA_FUNCTION": "merger"}, ""},
		{"processor", map[string]string{"SA_FUNCTION": "processor", "SA_SECRETS_PREFIX": "/sa/secrets"}, ""},
		{"unknown role", map[string]string{"SA_FUNCTION": "nope"}, `SA_FUNCTION "nope"`},
		{"no home", map[string]string{"SA_FUNCTION": "rules", "SA_HOME": ""}, "SA_HOME"},
		{"no tables", map[string]string{"SA_FUNCTION": "merger", "SA_ALERTS_TABLE": "", "SA_STATE_TABLE": ""}, "SA_ALERTS_TABLE, SA_STATE_TABLE: required"},
		{"no queue", map[string]string{"SA_FUNCTION": "classifier", "SA_DEAD_LETTER_QUEUE_URL": ""}, "SA_DEAD_LETTER_QUEUE_URL: required"},
		{"bad secrets prefix", map[string]string{"SA_FUNCTION": "processor", "SA_SECRETS_PREFIX": "sa/"}, "prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkBuild(t, base, tt.env, tt.wantErr) })
	}
}

// BenchmarkColdStart measures a sandbox's init for each role: reading
// the deployment package (sa.yaml, conf, rules), compiling schemas or
// rules, and making the clients. Plugin processes start on first use and
// are not included.
func BenchmarkColdStart(b *testing.B) {
	h := home(b)
	b.Setenv("AWS_REGION", "us-east-1")
	env := map[string]string{"SA_HOME": h, "SA_ALERTS_TABLE": "alerts", "SA_STATE_TABLE": "state",
		"SA_CLASSIFIED_QUEUE_URL": "q", "SA_DEAD_LETTER_QUEUE_URL": "d"}
	for _, role := range []string{"classifier", "rules", "merger", "processor"} {
		b.Run(role, func(b *testing.B) {
			get := func(k string) string {
				if k == "SA_FUNCTION" {
					return role
				}
				return env[k]
			}
			for b.Loop() {
				if _, err := build(context.Background(), get, slog.New(slog.DiscardHandler)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// checkBuild builds the role env says, over base, and checks it is built
// or refused with an error naming wantErr.
func checkBuild(t *testing.T, base, env map[string]string, wantErr string) {
	t.Helper()
	t.Setenv("AWS_REGION", "us-east-1")
	get := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return base[k]
	}
	h, err := build(context.Background(), get, slog.New(slog.DiscardHandler))
	switch {
	case wantErr == "" && (err != nil || h == nil):
		t.Fatalf("build: %v", err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Fatalf("error %v, want one naming %q", err, wantErr)
	}
}
