package appkit

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterAndReset(t *testing.T) {
	now := time.Unix(1700000000, 0)
	at := func(d time.Duration) string { return now.Add(d).UTC().Format(http.TimeFormat) }
	retry := map[string]time.Duration{"": 0, "7": 7 * time.Second, "-5": 0, "1.5": 1500 * time.Millisecond,
		at(90 * time.Second): 90 * time.Second, at(-time.Minute): 0, "soon": 0}
	for v, want := range retry {
		if got := RetryAfter(v, now); got != want {
			t.Errorf("RetryAfter(%q) = %s, want %s", v, got, want)
		}
	}
	reset := map[string]time.Duration{"": 0, "30": 30 * time.Second, "1700000042": 42 * time.Second,
		"1699999000": 0, "x": 0}
	for v, want := range reset {
		if got := ResetWait(v, now); got != want {
			t.Errorf("ResetWait(%q) = %s, want %s", v, got, want)
		}
	}
}

func TestHeaderLimit(t *testing.T) {
	now := time.Unix(1700000000, 0)
	f := HeaderLimit("X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name    string
		r       Response
		wait    time.Duration
		refused bool
	}{
		{"ok with quota", Response{Status: 200, Header: h("X-Rate-Limit-Remaining", "5", "X-Rate-Limit-Reset", "1700000060")}, 0, false},
		{"ok, quota spent", Response{Status: 200, Header: h("X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", "1700000060")}, time.Minute, false},
		{"429 with reset", Response{Status: 429, Header: h("X-Rate-Limit-Reset", "1700000010")}, 10 * time.Second, true},
		{"429 with Retry-After first", Response{Status: 429, Header: h("Retry-After", "3", "X-Rate-Limit-Reset", "1700000010")}, 3 * time.Second, true},
		{"500", Response{Status: 500, Header: h()}, 0, false},
	}
	for _, tt := range tests {
		wait, refused := f(&tt.r, now)
		if wait != tt.wait || refused != tt.refused {
			t.Errorf("%s: (%s, %v), want (%s, %v)", tt.name, wait, refused, tt.wait, tt.refused)
		}
	}
}
