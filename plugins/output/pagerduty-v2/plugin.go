package main

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// userAgent identifies the plugin to PagerDuty.
const userAgent = "sa-output-pagerduty-v2/" + version

// PagerDuty is the pagerduty-v2 output. One process serves many configured
// instances, each with its own routing key and HTTP client.
type PagerDuty struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured instance, ready to send. Its Sender masks the
// routing key in any text sent back or logged.
type target struct {
	*httpout.Sender
	descriptor string
	routingKey schema.Secret
	url        *url.URL
}

// New returns a pagerduty-v2 output logging to the plugin's standard error.
func New() *PagerDuty {
	p := &PagerDuty{log: saplugin.Logger(), now: time.Now}
	p.instances.Build = p.build
	return p
}

// Info implements saplugin.Plugin.
func (*PagerDuty) Info() saplugin.Info {
	return saplugin.Info{
		Name:        "pagerduty-v2",
		Version:     version,
		Description: "Trigger PagerDuty incidents through the Events API v2",
	}
}

// Schema implements saplugin.Plugin.
func (*PagerDuty) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*PagerDuty) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, _, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (p *PagerDuty) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := p.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	p.log.Info("instance configured", "instance", instance, "endpoint", t.url.Host, "timeout", t.Client.Timeout.String())
	return nil
}

// build checks cfg and builds its target.
func (p *PagerDuty) build(cfg schema.Config) (*target, error) {
	t, tr, problems := parseTarget(cfg)
	s, err := httpout.NewSender("pagerduty-v2", tr, problems, []string{t.routingKey.Reveal()}, func() time.Time { return p.now() })
	t.Sender = s
	return t, err
}

// parseTarget converts and checks cfg; the Sender is left to build.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.ParseHTTPSURL(propURL, cfg.String(propURL))
	return &target{
		descriptor: cfg.String(propDescriptor),
		routingKey: cfg.Secret(propRoutingKey),
		url:        u,
	}, tr, append(problems, more...)
}

// Interface guards.
var (
	_ saplugin.Output     = (*PagerDuty)(nil)
	_ saplugin.Validator  = (*PagerDuty)(nil)
	_ saplugin.Configurer = (*PagerDuty)(nil)
)
