package main

import (
	"strings"
	"testing"
)

func TestSchemaIsValid(t *testing.T) {
	if err := New().Schema().Check(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name      string
		raw       map[string]any
		wantField string // empty: valid
		wantMsg   string
	}{
		{"defaults", map[string]any{"path": "/var/log/app.log"}, "", ""},
		{"everything", map[string]any{"path": "/var/log", "pattern": "*.json.gz", "batch_size": 10000, "max_line_bytes": 1}, "", ""},
		{"relative path", map[string]any{"path": "logs/app.log"}, "path", "absolute"},
		{"bad glob", map[string]any{"path": "/var/log", "pattern": "[a-"}, "pattern", "glob"},
		{"glob with a directory", map[string]any{"path": "/var/log", "pattern": "*/x.log"}, "pattern", "separator"},
		{"batch zero", map[string]any{"path": "/var/log", "batch_size": 0}, "batch_size", "between 1 and 10000"},
		{"batch huge", map[string]any{"path": "/var/log", "batch_size": 10001}, "batch_size", "between 1 and 10000"},
		{"line limit zero", map[string]any{"path": "/var/log", "max_line_bytes": 0}, "max_line_bytes", "between 1"},
		{"line limit huge", map[string]any{"path": "/var/log", "max_line_bytes": 1 << 30}, "max_line_bytes", "between 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := New()
			cfg, problems := app.Schema().Apply(tt.raw)
			if len(problems) == 0 {
				problems = app.ValidateConfig(cfg)
			}
			if tt.wantField == "" {
				if len(problems) > 0 {
					t.Fatalf("unexpected problems %v", problems)
				}
				return
			}
			if len(problems) != 1 || problems[0].Field != tt.wantField || !strings.Contains(problems[0].Message, tt.wantMsg) {
				t.Fatalf("problems %v, want one on %s containing %q", problems, tt.wantField, tt.wantMsg)
			}
		})
	}
}
