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

// userAgent identifies the plugin to Phantom.
const userAgent = "sa-output-phantom/" + version

// Phantom is the phantom output. One process serves many configured
// instances, each with its own server, token and HTTP client.
type Phantom struct {
	*httpout.Base[*target]
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
	return &Phantom{httpout.NewBase(httpout.Spec[*target]{
		Info:   saplugin.Info{Name: "phantom", Version: version, Description: "File alerts as Phantom (Splunk SOAR) artifacts"},
		Schema: configSchema,
		Parse:  parseTarget,
	})}
}

// parseTarget converts and checks cfg; the Sender is left to Use.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	u, more := httpout.ParseHTTPSURL(propURL, cfg.String(propURL))
	if u != nil {
		u.Path = strings.TrimRight(u.Path, "/")
	}
	return &target{base: u, token: cfg.Secret(propToken), caFile: tr.CAFile}, tr, append(problems, more...)
}

// Secrets implements httpout.Target: the token, and the server URL and
// the REST URLs below it.
func (t *target) Secrets() []string {
	secrets := []string{t.token.Reveal()}
	if t.base != nil {
		base := t.base.String()
		secrets = append(secrets, base, base+"/rest/container", base+"/rest/artifact")
	}
	return secrets
}

// Use implements httpout.Target.
func (t *target) Use(s *httpout.Sender) { t.Sender = s }

// LogAttrs implements httpout.Target.
func (t *target) LogAttrs() []any {
	return []any{"private_ca", t.caFile != "", "timeout", t.Client.Timeout.String()}
}

// Interface guards.
var (
	_ saplugin.Output     = (*Phantom)(nil)
	_ saplugin.Validator  = (*Phantom)(nil)
	_ saplugin.Configurer = (*Phantom)(nil)
	_ httpout.Target      = (*target)(nil)
)
