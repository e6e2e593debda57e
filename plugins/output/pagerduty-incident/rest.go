package main

import (
	"context"
	"net/http"
	"net/url"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
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
func (t *target) rest(ctx context.Context, step string, c call, out any) *saplugin.SendResult {
	u := *t.api
	u.Path += c.path
	u.RawQuery = c.query.Encode()
	req, err := httpout.NewJSONRequest(ctx, c.method, u.String(), c.body)
	if err != nil {
		return &saplugin.SendResult{Status: saplugin.Permanent, Message: step + ": " + err.Error()}
	}
	req.Header.Set("Accept", restAccept)
	req.Header.Set("Authorization", "Token token="+t.token.Reveal())
	if c.from {
		req.Header.Set("From", t.emailFrom)
	}
	return t.exchange(req, step, out)
}

// exchange sends req and decodes a 2xx JSON answer into out. Every step up
// to the incident update is idempotent, so a 2xx that is not JSON (a
// proxy's error page) is retryable.
func (t *target) exchange(req *http.Request, step string, out any) *saplugin.SendResult {
	req.Header.Set("User-Agent", userAgent)
	_, fail := t.Call(req, nil, out)
	if fail != nil {
		fail.Message = step + ": " + fail.Message
	}
	return fail
}
