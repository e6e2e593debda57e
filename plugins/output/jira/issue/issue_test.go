package issue

import (
	"strings"
	"testing"
)

func TestJQL(t *testing.T) {
	tests := []struct{ project, summary, want string }{
		{"SEC", "StreamAlert root_login", `project = "SEC" AND summary ~ "StreamAlert root_login" AND statusCategory != Done ORDER BY created DESC`},
		{"SEC", `a "b" c:d (e) f-g\h*?`, `project = "SEC" AND summary ~ "a b c d e f g h" AND statusCategory != Done ORDER BY created DESC`},
		{`S"C\`, "x", `project = "S\"C\\" AND summary ~ "x" AND statusCategory != Done ORDER BY created DESC`},
	}
	for _, tt := range tests {
		if got := JQL(tt.project, tt.summary); got != tt.want {
			t.Errorf("JQL(%q, %q)\n got %s\nwant %s", tt.project, tt.summary, got, tt.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := map[string]string{
		`{"errorMessages":["Login failed"],"errors":{}}`:                        "Login failed",
		`{"errorMessages":["a"],"errors":{"summary":"too long","project":"x"}}`: "a; project: x; summary: too long",
		`{"errorMessages":[],"errors":{}}`:                                      `{"errorMessages":[],"errors":{}}`,
		"<html>\nBad Gateway</html>":                                            "<html> Bad Gateway</html>",
	}
	for body, want := range tests {
		if got := ErrorText([]byte(body)); got != want {
			t.Errorf("ErrorText(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestSummaryAndTruncate(t *testing.T) {
	if got := Summary(" a\n\tb  c "); got != "a b c" {
		t.Errorf("Summary = %q", got)
	}
	if got := Summary(strings.Repeat("é", 300)); got != strings.Repeat("é", 255) {
		t.Errorf("Summary kept %d characters", len([]rune(got)))
	}
	long := strings.Repeat("x", 50)
	if got := Truncate(long, 30); len([]rune(got)) != 30 || !strings.HasSuffix(got, "(truncated)") {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate("short", 30); got != "short" {
		t.Errorf("Truncate(short) = %q", got)
	}
}
