package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/streamalert-go/sa/plugins/output/internal/pdevent"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Send implements saplugin.Output: one Events API v2 trigger. PagerDuty
// answers 202 when it accepted the event, 400 for an invalid one (bad
// routing key, oversized payload), 429 when the key is rate limited; a
// retry of the same alert carries the same dedup_key, so PagerDuty folds
// it into the incident already open.
func (p *PagerDuty) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, err := p.instances.Get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	a, pub, err := pdevent.ParseInput(req.Alert, req.Publication)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "pagerduty-v2: " + err.Error()}
	}
	ev := pdevent.NewEvent(a, pub, t.descriptor, t.routingKey.Reveal(), true)
	res := t.post(ctx, ev)
	p.log.Debug("send", "instance", req.Instance, "dedup_key", ev.DedupKey,
		"status", res.Status.String(), "message", res.Message)
	return res
}

// post sends ev to the enqueue endpoint and classifies the answer.
func (t *target) post(ctx context.Context, ev pdevent.Event) saplugin.SendResult {
	body, err := json.Marshal(ev)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("pagerduty-v2: encode event: %s", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "pagerduty-v2: build request failed"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	return t.Do(req, nil)
}
