package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/sdk/schema"
)

func TestSchemaIsValid(t *testing.T) {
	if err := New().Schema().Check(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateConfig(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	const hook = "https://hooks.example.com/sa/abc123"
	tests := []struct {
		name      string
		raw       map[string]any
		wantField string // empty: valid
		wantMsg   string
	}{
		{"minimal", map[string]any{"url": hook}, "", ""},
		{"everything", map[string]any{"url": hook, "signing_secret": "0123456789abcdef", "headers": "X-A: 1, X-B: two words",
			"timeout_seconds": 30, "allow_http": false, "max_retry_after_seconds": 0}, "", ""},
		{"http refused", map[string]any{"url": "http://hooks.example.com/x"}, "url", "allow_http"},
		{"http allowed", map[string]any{"url": "http://hooks.example.com/x", "allow_http": true}, "", ""},
		{"not a URL", map[string]any{"url": "https://"}, "url", "pattern"},
		{"bad host", map[string]any{"url": "https://%zz/x"}, "url", "valid absolute URL"},
		{"header without colon", map[string]any{"url": hook, "headers": []any{"X-Token secret"}}, "headers", "entry 1"},
		{"header bad name", map[string]any{"url": hook, "headers": []any{"X-A: 1", "Bad Name: v"}}, "headers", "entry 2: invalid header name"},
		{"header control chars", map[string]any{"url": hook, "headers": []any{"X-A: a\x00b"}}, "headers", "control characters"},
		{"header reserved", map[string]any{"url": hook, "headers": []any{"x-sa-signature: forged"}}, "headers", "X-Sa-Signature is set by the plugin"},
		{"header content type", map[string]any{"url": hook, "headers": []any{"Content-Type: text/plain"}}, "headers", "set by the plugin"},
		{"timeout zero", map[string]any{"url": hook, "timeout_seconds": 0}, "timeout_seconds", "between 1 and 300"},
		{"timeout huge", map[string]any{"url": hook, "timeout_seconds": 301}, "timeout_seconds", "between 1 and 300"},
		{"retry after negative", map[string]any{"url": hook, "max_retry_after_seconds": -1}, "max_retry_after_seconds", "between 0"},
		{"short signing secret", map[string]any{"url": hook, "signing_secret": "short"}, "signing_secret", "at least 16"},
		{"ca file missing", map[string]any{"url": hook, "ca_file": filepath.Join(dir, "none.pem")}, "ca_file", "read CA bundle"},
		{"ca file not PEM", map[string]any{"url": hook, "ca_file": notPEM}, "ca_file", "no PEM certificate"},
		{"bad descriptor", map[string]any{"url": hook, "descriptor": "a b"}, "descriptor", "pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := tt.raw["descriptor"]; !ok {
				tt.raw["descriptor"] = "soc"
			}
			w := New()
			cfg, problems := w.Schema().Apply(tt.raw)
			if len(problems) == 0 {
				problems = w.ValidateConfig(cfg)
			}
			checkProblems(t, problems, tt.wantField, tt.wantMsg)
			for _, p := range problems {
				for _, secret := range []string{"abc123", "secret", "forged"} {
					if strings.Contains(p.Message, secret) {
						t.Errorf("problem %q quotes a value", p)
					}
				}
			}
		})
	}
}

func checkProblems(t *testing.T, problems []schema.Problem, field, msg string) {
	t.Helper()
	if field == "" {
		if len(problems) > 0 {
			t.Fatalf("unexpected problems %v", problems)
		}
		return
	}
	if len(problems) != 1 || problems[0].Field != field || !strings.Contains(problems[0].Message, msg) {
		t.Fatalf("problems %v, want one on %s containing %q", problems, field, msg)
	}
}
