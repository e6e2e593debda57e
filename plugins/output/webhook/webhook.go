package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// userAgent identifies the plugin to receivers.
const userAgent = "sa-output-webhook/" + version

// Webhook is the webhook output. One process serves many configured
// instances; each has its own settings and HTTP client, so one receiver's
// slow connections or private CA never affect another's.
type Webhook struct {
	log *slog.Logger
	// now is the clock for signature timestamps and Retry-After dates.
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured instance, ready to send. Its Sender masks the
// URL's secret parts and the signing secret in any text sent back: a
// receiver's error page may quote the request path.
type target struct {
	settings
	*httpout.Sender
}

// New returns a webhook output logging to the plugin's standard error.
func New() *Webhook {
	w := &Webhook{log: saplugin.Logger(), now: time.Now}
	w.instances.Build = w.build
	return w
}

// Info implements saplugin.Plugin.
func (*Webhook) Info() saplugin.Info {
	return saplugin.Info{
		Name:        "webhook",
		Version:     version,
		Description: "POST alerts as HMAC-signed JSON to an HTTPS endpoint",
	}
}

// Schema implements saplugin.Plugin.
func (*Webhook) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator: it checks what the schema
// cannot express (URL scheme, header syntax, ranges, the CA bundle).
func (*Webhook) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := parseSettings(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (w *Webhook) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := w.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	w.log.Info("instance configured", "instance", instance,
		"signed", t.signingSecret != "", "extra_headers", len(t.headers), "timeout", t.transport.Timeout.String())
	return nil
}

// build checks cfg and builds the target for it.
func (w *Webhook) build(cfg schema.Config) (*target, error) {
	s, problems := parseSettings(cfg)
	secrets := append(httpout.URLSecrets(s.url), s.signingSecret.Reveal())
	sender, err := httpout.NewSender("webhook", s.transport, problems, secrets, func() time.Time { return w.now() })
	if err != nil {
		return nil, err
	}
	return &target{settings: s, Sender: sender}, nil
}

// Interface guards.
var (
	_ saplugin.Output     = (*Webhook)(nil)
	_ saplugin.Validator  = (*Webhook)(nil)
	_ saplugin.Configurer = (*Webhook)(nil)
)
