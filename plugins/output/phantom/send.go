package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
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
	t, fail := p.Target(req)
	if fail != nil {
		return *fail
	}
	var a alert
	if err := json.Unmarshal(req.Alert, &a); err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("phantom: decode alert: %s", err)}
	}
	res := t.send(ctx, a, publication(req))
	res.Message = t.Redact(res.Message) // ids quoted from the answers
	p.LogSend(req.Instance, res)
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

func (t *target) send(ctx context.Context, a alert, pub json.RawMessage) saplugin.SendResult {
	id, fail := t.container(ctx, a)
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
	code, fail := t.call(ctx, "add artifact", http.MethodPost, "/rest/artifact", nil, art, &created)
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
func (t *target) container(ctx context.Context, a alert) (json.Number, *saplugin.SendResult) {
	name, _ := json.Marshal(a.RuleName) // a quoted string, as Phantom's filters want
	q := url.Values{"_filter_name": {string(name)}, "page_size": {"1"}}
	var found struct {
		Count int `json:"count"`
		Data  []struct {
			ID json.Number `json:"id"`
		} `json:"data"`
	}
	if _, fail := t.call(ctx, "find container", http.MethodGet, "/rest/container", q, nil, &found); fail != nil {
		return "", fail
	}
	if found.Count > 0 && len(found.Data) > 0 && found.Data[0].ID != "" {
		return found.Data[0].ID, nil
	}
	var created struct {
		ID json.Number `json:"id"`
	}
	body := map[string]string{"name": a.RuleName, "description": a.RuleDescription}
	if _, fail := t.call(ctx, "create container", http.MethodPost, "/rest/container", nil, body, &created); fail != nil {
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
func (t *target) call(ctx context.Context, step, method, path string, q url.Values, body any, out any) (int, *saplugin.SendResult) {
	u := *t.base
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := httpout.NewJSONRequest(ctx, method, u.String(), body)
	if err != nil {
		return 0, &saplugin.SendResult{Status: saplugin.Permanent, Message: step + ": " + err.Error()}
	}
	req.Header.Set("ph-auth-token", t.token.Reveal())
	req.Header.Set("User-Agent", userAgent)
	resp, fail := t.Call(req, classify, out)
	if fail != nil {
		fail.Message = step + ": " + fail.Message
	}
	if resp == nil {
		return 0, fail
	}
	return resp.Code, fail
}

// classify is httpout.Classify, but a refusal naming an existing artifact
// is delivered.
func classify(r *httpout.Response) saplugin.SendResult {
	res := httpout.Classify(r)
	if res.Status == saplugin.Permanent && bytes.Contains(r.Body, []byte(`"existing_artifact_id"`)) {
		res.Status = saplugin.Delivered
	}
	return res
}
