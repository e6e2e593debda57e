package main

import (
	"bytes"
	"context"
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

// userAgent identifies the plugin to the trigger.
const userAgent = "sa-output-komand/" + version

// Komand is the komand output. One process serves many configured
// triggers, each with its own key and HTTP client.
type Komand struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured trigger. Its Sender masks the key and the
// trigger URL, whose id is as good as a key, in any text sent back.
type target struct {
	*httpout.Sender
	url   *url.URL
	token schema.Secret
}

// New returns a komand output logging to the plugin's standard error.
func New() *Komand {
	k := &Komand{log: saplugin.Logger(), now: time.Now}
	k.instances.Build = k.build
	return k
}

// Info implements saplugin.Plugin.
func (*Komand) Info() saplugin.Info {
	return saplugin.Info{Name: "komand", Version: version, Description: "Start Rapid7 InsightConnect (Komand) workflows through an API trigger"}
}

// Schema implements saplugin.Plugin.
func (*Komand) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*Komand) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, _, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (k *Komand) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	if _, err := k.instances.Configure(ctx, instance, cfg); err != nil {
		return err
	}
	k.log.Info("instance configured", "instance", instance)
	return nil
}

// build checks cfg and builds its target.
func (k *Komand) build(cfg schema.Config) (*target, error) {
	t, tr, problems := parseTarget(cfg)
	secrets := append(httpout.URLSecrets(t.url), t.token.Reveal())
	s, err := httpout.NewSender("komand", tr, problems, secrets, func() time.Time { return k.now() })
	t.Sender = s
	return t, err
}

// parseTarget converts and checks cfg; the Sender is left to build.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.URLPolicy{LoopbackHTTP: true}.Parse(propURL, cfg.String(propURL))
	return &target{url: u, token: cfg.Secret(propAuthToken)}, tr, append(problems, more...)
}

// Send implements saplugin.Output: POST {"data": <publication>} to the
// trigger. The key goes in X-API-Key, which InsightConnect's API triggers
// read, and in Authorization, which Komand's triggers (and StreamAlert)
// used; both go only to the configured trigger, over verified TLS. A
// trigger answers 2xx once it queued the workflow run; a retry after a
// lost answer may start a second run.
func (k *Komand) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, err := k.instances.Get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	in, err := httpout.Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "komand: " + err.Error()}
	}
	body, err := httpout.JSON(map[string]any{"data": in.Publication})
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "komand: " + err.Error()}
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "komand: build request failed"}
	}
	h := httpReq.Header
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("User-Agent", userAgent)
	h.Set("X-API-Key", t.token.Reveal())
	h.Set("Authorization", t.token.Reveal())
	res := t.Do(httpReq, nil)
	k.log.Debug("send", "instance", req.Instance, "alert", in.Alert.ID, "status", res.Status.String(), "message", res.Message)
	return res
}

// Interface guards.
var (
	_ saplugin.Output     = (*Komand)(nil)
	_ saplugin.Validator  = (*Komand)(nil)
	_ saplugin.Configurer = (*Komand)(nil)
)
