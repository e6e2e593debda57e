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

// alert is the part of the alert JSON the artifact is built from.
type alert struct {
	ID              string          `json:"id"`
	RuleName        string          `json:"rule_name"`
	RuleDescription string          `json:"rule_description"`
	Record          json.RawMessage `json:"record"`
}

// artifact is the body of POST /rest/artifact. SourceDataIdentifier is
// the alert id, an addition to StreamAlert's artifact: Phantom refuses a
// second artifact with the same identifier in a container, which makes a
// retry after a lost answer harmless.
type artifact struct {
	CEF                  json.RawMessage `json:"cef"`
	ContainerID          json.Number     `json:"container_id"`
	Data                 json.RawMessage `json:"data"`
	Name                 string          `json:"name"`
	Label                string          `json:"label"`
	SourceDataIdentifier string          `json:"source_data_identifier,omitempty"`
}

// Send implements saplugin.Output: find the rule's container (or create
// it), then add the alert to it as an artifact: the record as its CEF
// fields, the publication as its data.
func (p *Phantom) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, err := p.target(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	var a alert
	if err := json.Unmarshal(req.Alert, &a); err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("phantom: decode alert: %s", err)}
	}
	res := t.send(ctx, a, publication(req), p.now())
	res.Message = t.redact(res.Message)
	p.log.Debug("send", "instance", req.Instance, "status", res.Status.String(), "message", res.Message)
	return res
}

// publication is the composed publication, or the alert without one.
func publication(req saplugin.SendRequest) json.RawMessage {
	pub := bytes.TrimSpace(req.Publication)
	if len(pub) == 0 || bytes.Equal(pub, []byte("null")) {
		return req.Alert
	}
	return pub
}

func (t *target) send(ctx context.Context, a alert, pub json.RawMessage, now time.Time) saplugin.SendResult {
	id, fail := t.container(ctx, a, now)
	if fail != nil {
		return *fail
	}
	cef := a.Record
	if len(bytes.TrimSpace(cef)) == 0 {
		cef = json.RawMessage("{}")
	}
	art := artifact{CEF: cef, ContainerID: id, Data: pub, Name: "Phantom Artifact", Label: "Alert", SourceDataIdentifier: a.ID}
	var created struct {
		ID       json.Number `json:"id"`
		Existing json.Number `json:"existing_artifact_id"`
	}
	code, fail := t.call(ctx, "add artifact", http.MethodPost, "/rest/artifact", nil, art, now, &created)
	if fail != nil {
		return *fail
	}
	if created.Existing != "" {
		return saplugin.SendResult{Status: saplugin.Delivered,
			Message: fmt.Sprintf("HTTP %d: artifact %s already in container %s", code, created.Existing, id)}
	}
	return saplugin.SendResult{Status: saplugin.Delivered,
		Message: fmt.Sprintf("HTTP %d: artifact %s in container %s", code, created.ID, id)}
}

// container returns the id of the container named after the rule,
// creating it when there is none. Unlike StreamAlert, a failed search is
// reported instead of creating a duplicate container.
func (t *target) container(ctx context.Context, a alert, now time.Time) (json.Number, *saplugin.SendResult) {
	name, _ := json.Marshal(a.RuleName) // a quoted string, as Phantom's filters want
	q := url.Values{"_filter_name": {string(name)}, "page_size": {"1"}}
	var found struct {
		Count int `json:"count"`
		Data  []struct {
			ID json.Number `json:"id"`
		} `json:"data"`
	}
	if _, fail := t.call(ctx, "find container", http.MethodGet, "/rest/container", q, nil, now, &found); fail != nil {
		return "", fail
	}
	if found.Count > 0 && len(found.Data) > 0 && found.Data[0].ID != "" {
		return found.Data[0].ID, nil
	}
	var created struct {
		ID json.Number `json:"id"`
	}
	body := map[string]string{"name": a.RuleName, "description": a.RuleDescription}
	if _, fail := t.call(ctx, "create container", http.MethodPost, "/rest/container", nil, body, now, &created); fail != nil {
		return "", fail
	}
	if created.ID == "" {
		return "", &saplugin.SendResult{Status: saplugin.Retryable, Message: "create container: the answer holds no container id"}
	}
	return created.ID, nil
}

// call performs one REST request and decodes the JSON answer into out. A
// refusal that names an existing artifact is decoded too, and counts as
// success: the artifact was added by an earlier attempt.
func (t *target) call(ctx context.Context, step, method, path string, q url.Values, body any, now time.Time, out any) (int, *saplugin.SendResult) {
	u := *t.base
	u.Path += path
	u.RawQuery = q.Encode()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, &saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("%s: encode: %s", step, err)}
		}
		rd = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, u.String(), rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u.String(), nil)
	}
	if err != nil {
		return 0, &saplugin.SendResult{Status: saplugin.Permanent, Message: step + ": build request failed"}
	}
	req.Header.Set("ph-auth-token", t.token.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, fail := vendorhttp.RoundTrip(t.client, req)
	if fail != nil {
		fail.Message = step + ": " + fail.Message
		return 0, fail
	}
	res := vendorhttp.Classify(resp, now, t.MaxRetryAfter)
	duplicate := res.Status == saplugin.Permanent && bytes.Contains(resp.Body, []byte(`"existing_artifact_id"`))
	if res.Status != saplugin.Delivered && !duplicate {
		res.Message = step + ": " + res.Message
		return resp.Code, &res
	}
	if json.Unmarshal(resp.Body, out) != nil {
		return resp.Code, &saplugin.SendResult{Status: saplugin.Retryable,
			Message: fmt.Sprintf("%s: HTTP %d with a body that is not JSON: %s", step, resp.Code, vendorhttp.Quote(resp.Body))}
	}
	return resp.Code, nil
}
