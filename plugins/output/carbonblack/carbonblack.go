package main

import (
	"net/url"

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
	*httpout.Base[*target]
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
	return &CarbonBlack{httpout.NewBase(httpout.Spec[*target]{
		Info:   saplugin.Info{Name: "carbonblack", Version: version, Description: "Ban binaries by MD5 hash in Carbon Black EDR (CB Response)"},
		Schema: configSchema,
		Parse:  parseTarget,
	})}
}

// parseTarget converts and checks cfg; the Sender is left to Use.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.URLPolicy{LoopbackHTTP: true}.Parse(propURL, cfg.String(propURL))
	return &target{base: u, token: cfg.Secret(propToken)}, tr, append(problems, more...)
}

// Secrets implements httpout.Target.
func (t *target) Secrets() []string { return []string{t.token.Reveal()} }

// Use implements httpout.Target.
func (t *target) Use(s *httpout.Sender) { t.Sender = s }

// LogAttrs implements httpout.Target.
func (t *target) LogAttrs() []any { return []any{"server", t.base.Host} }

// Interface guards.
var (
	_ saplugin.Output     = (*CarbonBlack)(nil)
	_ saplugin.Validator  = (*CarbonBlack)(nil)
	_ saplugin.Configurer = (*CarbonBlack)(nil)
	_ httpout.Target      = (*target)(nil)
)
