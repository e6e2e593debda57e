package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

func TestErrorText(t *testing.T) {
	body := `{"RequestId":"ABC-1","HostId":"actiontrail.cn-hangzhou.aliyuncs.com","Code":"Forbidden.RAM","Message":"User not authorized"}`
	if got := errorText([]byte(body)); got != "Forbidden.RAM: User not authorized (RequestId ABC-1)" {
		t.Errorf("errorText = %q", got)
	}
	if got := errorText([]byte(`<html/>`)); got != "" {
		t.Errorf("errorText of HTML = %q", got)
	}
}

func TestRateLimitSignals(t *testing.T) {
	tests := []struct {
		status  int
		body    string
		refused bool
	}{
		{http.StatusBadRequest, `{"Code":"Throttling.User","Message":"Request was denied due to user flow control."}`, true},
		{http.StatusServiceUnavailable, `{"Code":"Throttling","Message":"busy"}`, true},
		{http.StatusTooManyRequests, ``, true},
		{http.StatusBadRequest, `{"Code":"InvalidParameter"}`, false},
		{http.StatusOK, `{"Code":"Throttling"}`, false},
	}
	for _, tt := range tests {
		r := &appkit.Response{Status: tt.status, Header: http.Header{}, Body: []byte(tt.body)}
		if _, refused := rateLimit(r, time.Now()); refused != tt.refused {
			t.Errorf("%d %s: refused %v", tt.status, tt.body, refused)
		}
	}
}
