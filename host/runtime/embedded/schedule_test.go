package embedded

import (
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 7, 0, 0, time.UTC) // a Monday
	tests := []struct {
		expr string
		next time.Time
		err  string
	}{
		{expr: "rate(2 hours)", next: at.Add(2 * time.Hour)},
		{expr: "rate(1 minute)", next: at.Add(time.Minute)},
		{expr: "rate(3 days)", next: at.Add(72 * time.Hour)},
		{expr: "30s", next: at.Add(30 * time.Second)},
		{expr: "cron(0 */6 * * ? *)", next: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)},
		// 1 is Sunday in EventBridge's numbering.
		{expr: "cron(30 9 ? * 1 *)", next: time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)},
		{expr: "cron(0 8 ? * MON-FRI *)", next: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)},
		{expr: "rate(0 hours)", err: "at least 1"},
		{expr: "cron(0 8 * *)", err: "want 6 fields"},
		{expr: "cron(0 8 L * ? *)", err: "not supported"},
		{expr: "cron(0 8 ? * 9 *)", err: "9 is not 1-7"},
		{expr: "cron(0 8 * * ? 2027)", err: "only * is supported for the year"},
		{expr: "every day", err: "want rate("},
	}
	for _, tt := range tests {
		s, err := ParseSchedule(tt.expr)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.expr, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if got := s.Next(at); !got.Equal(tt.next) {
			t.Errorf("%s: next %v, want %v", tt.expr, got, tt.next)
		}
	}
}
