package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/vendorhttp"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// restAccept selects version 2 of the REST API.
const restAccept = "application/vnd.pagerduty+json;version=2"

// call is one REST request of a run.
type call struct {
	method string
	path   string
	query  url.Values
	body   any
	// from sends the From header; the user lookup leaves it out, since
	// PagerDuty refuses a From that names no user.
	from bool
}

// rest performs c against the REST API and decodes a 2xx JSON answer into
// out. A failure comes back as the result to report, its message naming
// the step.
func (t *target) rest(ctx context.Context, step string, c call, now time.Time, out any) *saplugin.SendResult {
	u := *t.api
	u.Path += c.path
	u.RawQuery = c.query.Encode()
	var body *bytes.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return &saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("%s: encode request: %s", step, err)}
		}
		body = bytes.NewReader(b)
	}
	req, err := newRequest(ctx, c.method, u.String(), body)
	if err != nil {
		return &saplugin.SendResult{Status: saplugin.Permanent, Message: step + ": build request failed"}
	}
	req.Header.Set("Accept", restAccept)
	req.Header.Set("Authorization", "Token token="+t.token.Reveal())
	if c.from {
		req.Header.Set("From", t.emailFrom)
	}
	return t.exchange(req, step, now, out)
}

// exchange sends req and decodes a 2xx JSON answer into out.
func (t *target) exchange(req *http.Request, step string, now time.Time, out any) *saplugin.SendResult {
	req.Header.Set("User-Agent", userAgent)
	if req.Body != nil && req.Body != http.NoBody {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, fail := vendorhttp.RoundTrip(t.client, req)
	if fail != nil {
		fail.Message = step + ": " + fail.Message
		return fail
	}
	res := vendorhttp.Classify(resp, now, t.MaxRetryAfter)
	if res.Status != saplugin.Delivered {
		res.Message = step + ": " + res.Message
		return &res
	}
	if out != nil && json.Unmarshal(resp.Body, out) != nil {
		// A proxy's error page with a 2xx; every step up to the incident
		// update is idempotent, so trying again is safe.
		return &saplugin.SendResult{Status: saplugin.Retryable,
			Message: fmt.Sprintf("%s: HTTP %d with a body that is not JSON: %s", step, resp.Code, vendorhttp.Quote(resp.Body))}
	}
	return nil
}

// newRequest is http.NewRequestWithContext taking a possibly nil body.
func newRequest(ctx context.Context, method, u string, body *bytes.Reader) (*http.Request, error) {
	if body == nil {
		return http.NewRequestWithContext(ctx, method, u, nil)
	}
	return http.NewRequestWithContext(ctx, method, u, body)
}
