package main

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// userAgent identifies the plugin to Demisto.
const userAgent = "sa-output-demisto/" + version

// Demisto is the demisto output. One process serves many configured
// instances, each with its own server, key and HTTP client.
type Demisto struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured instance, ready to send. Its Sender masks the
// API key in any text sent back or logged.
type target struct {
	*httpout.Sender
	url    *url.URL
	token  schema.Secret
	caFile string
}

// New returns a demisto output logging to the plugin's standard error.
func New() *Demisto {
	d := &Demisto{log: saplugin.Logger(), now: time.Now}
	d.instances.Build = d.build
	return d
}

// Info implements saplugin.Plugin.
func (*Demisto) Info() saplugin.Info {
	return saplugin.Info{Name: "demisto", Version: version, Description: "Open Demisto (Cortex XSOAR) incidents"}
}

// Schema implements saplugin.Plugin.
func (*Demisto) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*Demisto) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, _, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (d *Demisto) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := d.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	d.log.Info("instance configured", "instance", instance, "server", t.url.Host, "private_ca", t.caFile != "")
	return nil
}

// build checks cfg and builds its target.
func (d *Demisto) build(cfg schema.Config) (*target, error) {
	t, tr, problems := parseTarget(cfg)
	s, err := httpout.NewSender("demisto", tr, problems, []string{t.token.Reveal()}, func() time.Time { return d.now() })
	t.Sender = s
	return t, err
}

// parseTarget converts and checks cfg; the Sender is left to build.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.ParseHTTPSURL(propURL, cfg.String(propURL))
	if u != nil {
		u.Path = strings.TrimRight(u.Path, "/") + "/incident"
	}
	return &target{url: u, token: cfg.Secret(propToken), caFile: tr.CAFile}, tr, append(problems, more...)
}

// Interface guards.
var (
	_ saplugin.Output     = (*Demisto)(nil)
	_ saplugin.Validator  = (*Demisto)(nil)
	_ saplugin.Configurer = (*Demisto)(nil)
)
