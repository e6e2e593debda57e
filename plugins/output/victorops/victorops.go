package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

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
	log       *slog.Logger
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured integration.
type target struct {
	*httpout.Sender
	endpoint *url.URL
	apiID    schema.Secret
	apiKey   schema.Secret
}

// New returns a victorops output logging to the plugin's standard error.
func New() *VictorOps {
	v := &VictorOps{log: saplugin.Logger(), now: time.Now}
	v.instances.Build = v.build
	return v
}

// Info implements saplugin.Plugin.
func (*VictorOps) Info() saplugin.Info {
	return saplugin.Info{Name: "victorops", Version: version,
		Description: "Raise VictorOps (Splunk On-Call) incidents through the REST endpoint integration"}
}

// Schema implements saplugin.Plugin.
func (*VictorOps) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*VictorOps) ValidateConfig(cfg schema.Config) []schema.Problem {
	if _, msg := httpout.ParseHTTPS(cfg.String(propURL)); msg != "" {
		return []schema.Problem{{Field: propURL, Message: msg}}
	}
	if k := cfg.String(propRoutingKey); k == "." || k == ".." {
		return []schema.Problem{{Field: propRoutingKey, Message: "is not a routing key"}}
	}
	if _, err := httpout.RootCAs(cfg.String(propCAFile)); err != nil {
		return []schema.Problem{{Field: propCAFile, Message: err.Error()}}
	}
	return nil
}

// Configure implements saplugin.Configurer.
func (v *VictorOps) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	if _, err := v.instances.Configure(ctx, instance, cfg); err != nil {
		return err
	}
	v.log.Info("instance configured", "instance", instance)
	return nil
}

func (v *VictorOps) build(cfg schema.Config) (*target, error) {
	if err := schema.ProblemsError(v.ValidateConfig(cfg)); err != nil {
		return nil, fmt.Errorf("victorops: invalid configuration: %w", err)
	}
	u, _ := httpout.ParseHTTPS(cfg.String(propURL))
	// StreamAlert's url + "/" + routing_key, with the key escaped as one
	// path segment.
	endpoint := u.JoinPath(cfg.String(propRoutingKey))
	client, err := httpout.NewClient(timeout, cfg.String(propCAFile))
	if err != nil {
		return nil, fmt.Errorf("victorops: %w", err)
	}
	secrets := append(httpout.URLSecrets(endpoint), cfg.String(propAPIID), cfg.String(propAPIKey), cfg.String(propRoutingKey))
	return &target{
		Sender:   &httpout.Sender{Client: client, Redact: httpout.NewRedactor(secrets...), MaxRetryAfter: maxRetryAfter, Now: v.now},
		endpoint: endpoint, apiID: cfg.Secret(propAPIID), apiKey: cfg.Secret(propAPIKey),
	}, nil
}

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
	t, err := v.instances.Get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
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
	v.log.Debug("send", "instance", req.Instance, "alert", in.Alert.ID, "status", res.Status.String(), "message", res.Message)
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
)
