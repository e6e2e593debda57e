package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"

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
	*httpout.Base[*target]
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
	return &Komand{httpout.NewBase(httpout.Spec[*target]{
		Info:   saplugin.Info{Name: "komand", Version: version, Description: "Start Rapid7 InsightConnect (Komand) workflows through an API trigger"},
		Schema: configSchema,
		Parse:  parseTarget,
	})}
}

// parseTarget converts and checks cfg; the Sender is left to Use.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.URLPolicy{LoopbackHTTP: true}.Parse(propURL, cfg.String(propURL))
	return &target{url: u, token: cfg.Secret(propAuthToken)}, tr, append(problems, more...)
}

// Secrets implements httpout.Target.
func (t *target) Secrets() []string { return append(httpout.URLSecrets(t.url), t.token.Reveal()) }

// Use implements httpout.Target.
func (t *target) Use(s *httpout.Sender) { t.Sender = s }

// LogAttrs implements httpout.Target: the trigger URL is a secret.
func (*target) LogAttrs() []any { return nil }

// Send implements saplugin.Output: POST {"data": <publication>} to the
// trigger. The key goes in X-API-Key, which InsightConnect's API triggers
// read, and in Authorization, which Komand's triggers (and StreamAlert)
// used; both go only to the configured trigger, over verified TLS. A
// trigger answers 2xx once it queued the workflow run; a retry after a
// lost answer may start a second run.
func (k *Komand) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := k.Target(req)
	if fail != nil {
		return *fail
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
	k.LogSend(req.Instance, res, "alert", in.Alert.ID)
	return res
}

// Interface guards.
var (
	_ saplugin.Output     = (*Komand)(nil)
	_ saplugin.Validator  = (*Komand)(nil)
	_ saplugin.Configurer = (*Komand)(nil)
	_ httpout.Target      = (*target)(nil)
)
