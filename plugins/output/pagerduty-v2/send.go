package main

import (
	"context"

	"github.com/streamalert-go/sa/plugins/output/internal/pdevent"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Send implements saplugin.Output: one Events API v2 trigger. PagerDuty
// answers 202 when it accepted the event, 400 for an invalid one (bad
// routing key, oversized payload), 429 when the key is rate limited; a
// retry of the same alert carries the same dedup_key, so PagerDuty folds
// it into the incident already open.
func (p *PagerDuty) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := p.Target(req)
	if fail != nil {
		return *fail
	}
	a, pub, err := pdevent.ParseInput(req.Alert, req.Publication)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "pagerduty-v2: " + err.Error()}
	}
	ev := pdevent.NewEvent(a, pub, t.Descriptor, t.Key.Reveal(), true)
	res := t.Post(ctx, ev, nil)
	p.LogSend(req.Instance, res, "dedup_key", ev.DedupKey)
	return res
}
