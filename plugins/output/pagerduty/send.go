package main

import (
	"context"
	"net/http"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Send implements saplugin.Output: one Events API v1 trigger. PagerDuty
// answers 200 when it accepted the event, 400 for an invalid one, and,
// in this old API, 403 when the service key is being throttled.
func (p *PagerDuty) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := p.Target(req)
	if fail != nil {
		return *fail
	}
	a, pub, err := parseInput(req.Alert, req.Publication)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "pagerduty: " + err.Error()}
	}
	ev := newEvent(a, pub, t.Descriptor, t.Key.Reveal())
	res := t.Post(ctx, ev, classify)
	p.LogSend(req.Instance, res, "incident_key", ev.IncidentKey)
	return res
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
