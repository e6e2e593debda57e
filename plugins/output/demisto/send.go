package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Send implements saplugin.Output: one POST <url>/incident. Demisto has
// no idempotency key, so a retry after a lost answer may open a second
// incident; it is still better than a lost alert.
func (d *Demisto) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := d.Target(req)
	if fail != nil {
		return *fail
	}
	in, err := newIncident(req.Alert, req.Publication)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "demisto: " + err.Error()}
	}
	res := t.post(ctx, in)
	res.Message = t.Redact(res.Message) // the incident id quoted from the answer
	d.LogSend(req.Instance, res)
	return res
}

// post sends the incident and classifies the answer.
func (t *target) post(ctx context.Context, in incident) saplugin.SendResult {
	body, err := json.Marshal(in)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("demisto: encode incident: %s", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "demisto: build request failed"}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", t.token.Reveal())
	req.Header.Set("User-Agent", userAgent)
	resp, res := t.Exchange(req, nil)
	if res.Status == saplugin.Delivered {
		var created struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(resp.Body, &created) == nil && created.ID != "" {
			res.Message = fmt.Sprintf("HTTP %d: incident %s", resp.Code, created.ID)
		}
	}
	return res
}
