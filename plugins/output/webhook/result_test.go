package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := fixedNow
	at := func(d time.Duration, layout string) string { return now.Add(d).UTC().Format(layout) }
	tests := []struct {
		value string
		limit time.Duration
		want  time.Duration
	}{
		{"", time.Hour, 0},
		{"7", time.Hour, 7 * time.Second},
		{" 7 ", time.Hour, 7 * time.Second},
		{"0", time.Hour, 0},
		{"-5", time.Hour, 0},
		{"1.5", time.Hour, 0},
		{"99999999999999999999", time.Hour, time.Hour},
		{"7200", time.Hour, time.Hour},
		{"7", 0, 0},
		{at(90*time.Second, http.TimeFormat), time.Hour, 90 * time.Second},
		{at(90*time.Second, time.RFC850), time.Hour, 90 * time.Second},
		{at(90*time.Second, time.ANSIC), time.Hour, 90 * time.Second},
		{at(-time.Minute, http.TimeFormat), time.Hour, 0},
		{at(2*time.Hour, http.TimeFormat), time.Hour, time.Hour},
		{"tomorrow", time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			if got := retryAfter(tt.value, now, tt.limit); got != tt.want {
				t.Fatalf("retryAfter(%q, limit %s) = %s, want %s", tt.value, tt.limit, got, tt.want)
			}
		})
	}
}

func TestReadQuoted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  plain  ", "plain"},
		{"line1\nline2\r\n\tline3", "line1 line2 line3"},
		{"bad \xff utf8", "bad  utf8"},
		{strings.Repeat("é", 300), strings.Repeat("é", 256) + "..."},
	}
	for _, tt := range tests {
		if got := readQuoted(strings.NewReader(tt.in)); got != tt.want {
			t.Errorf("readQuoted(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
