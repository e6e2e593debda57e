package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/streamalert-go/sa/internal/cabundle"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

const userAgent = "sa-output-victorops/" + version

// Delivery limits; 10 s is StreamAlert's timeout for this output.
const (
	timeout       = 10 * time.Second
	maxRetryAfter = 15 * time.Minute
)

// VictorOps is the victorops output. One process serves every configured
// integration.
type VictorOps struct {
	*httpout.Base[*target]
}

// target is one configured integration. Its Sender masks the endpoint URL
// (which holds the REST key), the API id and key and the routing key in
// any text sent back.
type target struct {
	*httpout.Sender
	endpoint   *url.URL
	apiID      schema.Secret
	apiKey     schema.Secret
	routingKey schema.Secret
}

// New returns a victorops output logging to the plugin's standard error.
func New() *VictorOps {
	return &VictorOps{httpout.NewBase(httpout.Spec[*target]{
		Info: saplugin.Info{Name: "victorops", Version: version,
			Description: "Raise VictorOps (Splunk On-Call) incidents through the REST endpoint integration"},
		Schema: configSchema,
		Parse:  parseTarget,
	})}
}

// parseTarget converts and checks cfg, reporting the first problem only;
// the Sender is left to Use. The transport is fixed but for the CA bundle.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr := httpout.Transport{Timeout: timeout, MaxRetryAfter: maxRetryAfter, CAFile: cfg.String(propCAFile)}
	t := &target{apiID: cfg.Secret(propAPIID), apiKey: cfg.Secret(propAPIKey), routingKey: cfg.Secret(propRoutingKey)}
	u, msg := httpout.ParseHTTPS(cfg.String(propURL))
	if msg != "" {
		return t, tr, []schema.Problem{{Field: propURL, Message: msg}}
	}
	if k := t.routingKey.Reveal(); k == "." || k == ".." {
		return t, tr, []schema.Problem{{Field: propRoutingKey, Message: "is not a routing key"}}
	}
	if _, err := cabundle.RootCAs(tr.CAFile); err != nil {
		return t, tr, []schema.Problem{{Field: propCAFile, Message: err.Error()}}
	}
	// StreamAlert's url + "/" + routing_key, with the key escaped as one
	// path segment.
	t.endpoint = u.JoinPath(t.routingKey.Reveal())
	return t, tr, nil
}

// Secrets implements httpout.Target.
func (t *target) Secrets() []string {
	return append(httpout.URLSecrets(t.endpoint), t.apiID.Reveal(), t.apiKey.Reveal(), t.routingKey.Reveal())
}

// Use implements httpout.Target.
func (t *target) Use(s *httpout.Sender) { t.Sender = s }

// LogAttrs implements httpout.Target: the log line names the instance
// only, every other property being a secret.
func (t *target) LogAttrs() []any { return nil }

// alert is StreamAlert's REST endpoint body.
type alert struct {
	MessageType       string          `json:"message_type"`
	EntityID          string          `json:"entity_id"`
	EntityDisplayName string          `json:"entity_display_name"`
	Record            json.RawMessage `json:"record"`
}

// Send implements saplugin.Output: POST <url>/<routing_key> with
// StreamAlert's CRITICAL alert carrying the publication's record.
func (v *VictorOps) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := v.Target(req)
	if fail != nil {
		return *fail
	}
	in, err := httpout.Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "victorops: " + err.Error()}
	}
	record, ok := in.Publication["record"]
	if !ok {
		// StreamAlert fails the same way (KeyError): a publisher removed it.
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "victorops: the publication has no record"}
	}
	// The entity id is StreamAlert's constant, so alerts share one incident
	// while it is open, as they did in StreamAlert.
	body, err := json.Marshal(alert{"CRITICAL", "streamalert/alert", in.Alert.RuleName, record})
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "victorops: encode alert: " + err.Error()}
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: t.Redact("victorops: build request: " + err.Error())}
	}
	httpReq.Header.Set("Content-Type", "application/json")
	httpReq.Header.Set("User-Agent", userAgent)
	httpReq.Header.Set("X-VO-Api-Id", t.apiID.Reveal())
	httpReq.Header.Set("X-VO-Api-Key", t.apiKey.Reveal())
	res := t.Do(httpReq, classify)
	v.LogSend(req.Instance, res, "alert", in.Alert.ID)
	return res
}

// classify reads the REST endpoint's answer: {"result":"success",
// "entity_id":...} when accepted, {"result":"failure","message":...}
// otherwise, even under a 2xx.
func classify(r *httpout.Response) saplugin.SendResult {
	var body struct {
		Result   string `json:"result"`
		Message  string `json:"message"`
		EntityID string `json:"entity_id"`
	}
	if json.Unmarshal(r.Body, &body) != nil {
		return httpout.Classify(r)
	}
	if body.Result == "failure" && r.Code >= 200 && r.Code < 300 {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: fmt.Sprintf("HTTP %d: failure: %s", r.Code, httpout.Quote([]byte(body.Message)))}
	}
	if r.Code >= 200 && r.Code < 300 {
		return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("HTTP %d: %s", r.Code, httpout.Quote([]byte(body.Result)))}
	}
	if body.Message != "" {
		return httpout.ClassifyText(r.Code, httpout.Quote([]byte(body.Message)))
	}
	return httpout.Classify(r)
}

// Interface guards.
var (
	_ saplugin.Output     = (*VictorOps)(nil)
	_ saplugin.Validator  = (*VictorOps)(nil)
	_ saplugin.Configurer = (*VictorOps)(nil)
	_ httpout.Target      = (*target)(nil)
)
