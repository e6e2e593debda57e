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

// userAgent identifies the plugin to the server.
const userAgent = "sa-output-carbonblack/" + version

// CarbonBlack is the carbonblack output. One process serves many
// configured servers, each with its own token and HTTP client.
type CarbonBlack struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured server. Its Sender masks the token in any text
// sent back.
type target struct {
	*httpout.Sender
	base  *url.URL
	token schema.Secret
}

// New returns a carbonblack output logging to the plugin's standard error.
func New() *CarbonBlack {
	c := &CarbonBlack{log: saplugin.Logger(), now: time.Now}
	c.instances.Build = c.build
	return c
}

// Info implements saplugin.Plugin.
func (*CarbonBlack) Info() saplugin.Info {
	return saplugin.Info{Name: "carbonblack", Version: version, Description: "Ban binaries by MD5 hash in Carbon Black EDR (CB Response)"}
}

// Schema implements saplugin.Plugin.
func (*CarbonBlack) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*CarbonBlack) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, _, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (c *CarbonBlack) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := c.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	c.log.Info("instance configured", "instance", instance, "server", t.base.Host)
	return nil
}

// build checks cfg and builds its target.
func (c *CarbonBlack) build(cfg schema.Config) (*target, error) {
	t, tr, problems := parseTarget(cfg)
	s, err := httpout.NewSender("carbonblack", tr, problems, []string{t.token.Reveal()}, func() time.Time { return c.now() })
	t.Sender = s
	return t, err
}

// parseTarget converts and checks cfg; the Sender is left to build.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.URLPolicy{LoopbackHTTP: true}.Parse(propURL, cfg.String(propURL))
	return &target{base: u, token: cfg.Secret(propToken)}, tr, append(problems, more...)
}

// Interface guards.
var (
	_ saplugin.Output     = (*CarbonBlack)(nil)
	_ saplugin.Validator  = (*CarbonBlack)(nil)
	_ saplugin.Configurer = (*CarbonBlack)(nil)
)
