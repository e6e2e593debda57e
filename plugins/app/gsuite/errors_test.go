package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

func TestErrorText(t *testing.T) {
	tests := map[string]string{
		`{"error":{"code":403,"message":"Not Authorized","status":"PERMISSION_DENIED"}}`: "PERMISSION_DENIED: Not Authorized",
		`{"error":{"code":400,"message":"Bad"}}`:                                         "Bad",
		`{"error":"invalid_grant","error_description":"Invalid email or User ID"}`:       "invalid_grant: Invalid email or User ID",
		`{"error":"unauthorized_client"}`:                                                "unauthorized_client",
		`<html>oops</html>`:                                                              "",
	}
	for body, want := range tests {
		if got := errorText([]byte(body)); got != want {
			t.Errorf("errorText(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestRateLimitSignals(t *testing.T) {
	now := time.Now()
	tests := []struct {
		status  int
		body    string
		retry   string
		refused bool
		wait    time.Duration
	}{
		{http.StatusTooManyRequests, `{}`, "7", true, 7 * time.Second},
		{http.StatusForbidden, `{"error":{"errors":[{"reason":"userRateLimitExceeded"}]}}`, "", true, 0},
		{http.StatusForbidden, `{"error":{"errors":[{"reason":"rateLimitExceeded"}]}}`, "", true, 0},
		{http.StatusForbidden, `{"error":{"status":"PERMISSION_DENIED"}}`, "30", false, 0},
		{http.StatusOK, ``, "", false, 0},
	}
	for _, tt := range tests {
		r := &appkit.Response{Status: tt.status, Header: http.Header{"Retry-After": {tt.retry}}, Body: []byte(tt.body)}
		if wait, refused := rateLimit(r, now); refused != tt.refused || wait != tt.wait {
			t.Errorf("%d %s: wait %v refused %v", tt.status, tt.body, wait, refused)
		}
	}
}
