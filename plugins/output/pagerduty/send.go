package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Send implements saplugin.Output: one Events API v1 trigger. PagerDuty
// answers 200 when it accepted the event, 400 for an invalid one, and,
// in this old API, 403 when the service key is being throttled.
func (p *PagerDuty) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, err := p.instances.Get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	a, pub, err := parseInput(req.Alert, req.Publication)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "pagerduty: " + err.Error()}
	}
	ev := newEvent(a, pub, t.descriptor, t.serviceKey.Reveal())
	res := t.post(ctx, ev)
	p.log.Debug("send", "instance", req.Instance, "incident_key", ev.IncidentKey,
		"status", res.Status.String(), "message", res.Message)
	return res
}

// post sends ev to the create_event endpoint and classifies the answer.
func (t *target) post(ctx context.Context, ev event) saplugin.SendResult {
	body, err := json.Marshal(ev)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("pagerduty: encode event: %s", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "pagerduty: build request failed"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	return t.Do(req, classify)
}

// classify is httpout.Classify, but for a 403: Events API v1 throttles
// with 403, not 429.
func classify(r *httpout.Response) saplugin.SendResult {
	res := httpout.Classify(r)
	if r.Code == http.StatusForbidden {
		res.Status = saplugin.Retryable
	}
	return res
}
