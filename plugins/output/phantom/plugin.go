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

// userAgent identifies the plugin to Phantom.
const userAgent = "sa-output-phantom/" + version

// Phantom is the phantom output. One process serves many configured
// instances, each with its own server, token and HTTP client.
type Phantom struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured instance, ready to send. Its Sender masks the
// token and the server URL in any text sent back or logged; the URL is a
// masked credential in StreamAlert.
type target struct {
	*httpout.Sender
	// base is the server URL without a trailing slash.
	base   *url.URL
	token  schema.Secret
	caFile string
}

// New returns a phantom output logging to the plugin's standard error.
func New() *Phantom {
	p := &Phantom{log: saplugin.Logger(), now: time.Now}
	p.instances.Build = p.build
	return p
}

// Info implements saplugin.Plugin.
func (*Phantom) Info() saplugin.Info {
	return saplugin.Info{Name: "phantom", Version: version, Description: "File alerts as Phantom (Splunk SOAR) artifacts"}
}

// Schema implements saplugin.Plugin.
func (*Phantom) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*Phantom) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, _, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (p *Phantom) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := p.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	p.log.Info("instance configured", "instance", instance, "private_ca", t.caFile != "", "timeout", t.Client.Timeout.String())
	return nil
}

// build checks cfg and builds its target.
func (p *Phantom) build(cfg schema.Config) (*target, error) {
	t, tr, problems := parseTarget(cfg)
	secrets := []string{t.token.Reveal()}
	if t.base != nil {
		base := t.base.String()
		secrets = append(secrets, base, base+"/rest/container", base+"/rest/artifact")
	}
	s, err := httpout.NewSender("phantom", tr, problems, secrets, func() time.Time { return p.now() })
	t.Sender = s
	return t, err
}

// parseTarget converts and checks cfg; the Sender is left to build.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.ParseHTTPSURL(propURL, cfg.String(propURL))
	if u != nil {
		u.Path = strings.TrimRight(u.Path, "/")
	}
	return &target{base: u, token: cfg.Secret(propToken), caFile: tr.CAFile}, tr, append(problems, more...)
}

// Interface guards.
var (
	_ saplugin.Output     = (*Phantom)(nil)
	_ saplugin.Validator  = (*Phantom)(nil)
	_ saplugin.Configurer = (*Phantom)(nil)
)
