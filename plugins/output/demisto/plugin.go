package main

import (
	"net/url"
	"strings"

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
	*httpout.Base[*target]
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
	return &Demisto{httpout.NewBase(httpout.Spec[*target]{
		Info:   saplugin.Info{Name: "demisto", Version: version, Description: "Open Demisto (Cortex XSOAR) incidents"},
		Schema: configSchema,
		Parse:  parseTarget,
	})}
}

// parseTarget converts and checks cfg; the Sender is left to Use.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.ParseHTTPSURL(propURL, cfg.String(propURL))
	if u != nil {
		u.Path = strings.TrimRight(u.Path, "/") + "/incident"
	}
	return &target{url: u, token: cfg.Secret(propToken), caFile: tr.CAFile}, tr, append(problems, more...)
}

// Secrets implements httpout.Target.
func (t *target) Secrets() []string { return []string{t.token.Reveal()} }

// Use implements httpout.Target.
func (t *target) Use(s *httpout.Sender) { t.Sender = s }

// LogAttrs implements httpout.Target.
func (t *target) LogAttrs() []any { return []any{"server", t.url.Host, "private_ca", t.caFile != ""} }

// Interface guards.
var (
	_ saplugin.Output     = (*Demisto)(nil)
	_ saplugin.Validator  = (*Demisto)(nil)
	_ saplugin.Configurer = (*Demisto)(nil)
	_ httpout.Target      = (*target)(nil)
)
