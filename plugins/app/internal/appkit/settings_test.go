package appkit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/sdk/schema"
)

func testSchema() schema.Schema {
	props := []schema.Property{TypeProperty("vendor_a", "vendor_b"),
		{Name: "token", Secret: true, Credential: true, Required: true, Example: "tok-123456"}}
	return schema.Schema{Properties: append(props, Properties(Defaults{Overlap: time.Minute})...)}
}

func TestPropertiesSchema(t *testing.T) {
	sc := testSchema()
	if err := sc.Check(); err != nil {
		t.Fatal(err)
	}
	cfg, problems := sc.Apply(map[string]any{"type": "vendor_b", "token": "tok-123456"})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	s, problems := ParseSettings(cfg)
	want := Settings{Type: "vendor_b", Timeout: 30 * time.Second, Overlap: time.Minute, Lookback: time.Hour, BatchSize: 1000}
	if len(problems) > 0 || s != want {
		t.Fatalf("settings %+v %v, want %+v", s, problems, want)
	}
	if _, problems := sc.Apply(map[string]any{"type": "vendor_c", "token": "x"}); len(problems) != 1 || problems[0].Field != "type" {
		t.Errorf("unknown type: %v", problems)
	}
	if got := Secrets(sc, cfg); len(got) != 1 || got[0] != "tok-123456" {
		t.Errorf("secrets %q", got)
	}
}

func TestParseSettingsProblems(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(empty, []byte("no certificate"), 0o600)
	tests := []struct {
		name  string
		raw   map[string]any
		field string
	}{
		{"timeout zero", map[string]any{"timeout_seconds": 0}, "timeout_seconds"},
		{"timeout huge", map[string]any{"timeout_seconds": 301}, "timeout_seconds"},
		{"overlap zero", map[string]any{"overlap_seconds": 0}, "overlap_seconds"},
		{"lookback zero", map[string]any{"lookback_minutes": 0}, "lookback_minutes"},
		{"batch huge", map[string]any{"batch_size": 10001}, "batch_size"},
		{"connect_to without port", map[string]any{"connect_to": "10.0.0.1"}, "connect_to"},
		{"missing CA file", map[string]any{"ca_file": "/nonexistent/ca.pem"}, "ca_file"},
		{"CA file without certificate", map[string]any{"ca_file": empty}, "ca_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := map[string]any{"type": "vendor_a", "token": "tok-123456"}
			for k, v := range tt.raw {
				raw[k] = v
			}
			cfg, problems := testSchema().Apply(raw)
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			_, problems = ParseSettings(cfg)
			if len(problems) != 1 || problems[0].Field != tt.field {
				t.Fatalf("problems %v, want one on %s", problems, tt.field)
			}
			if strings.Contains(problems[0].Message, "tok-123456") {
				t.Errorf("problem quotes the secret: %s", problems[0])
			}
		})
	}
}
