package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/vendorhttp"
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
	now func() time.Time

	mu      sync.RWMutex
	targets map[string]*target
}

// target is one configured instance, ready to send.
type target struct {
	// base is the server URL without a trailing slash.
	base  *url.URL
	token schema.Secret
	vendorhttp.Transport
	client *http.Client
	// redact masks the token and the server URL in any text sent back or
	// logged; the URL is a masked credential in StreamAlert.
	redact func(string) string
}

// New returns a phantom output logging to the plugin's standard error.
func New() *Phantom {
	return &Phantom{log: saplugin.Logger(), now: time.Now, targets: map[string]*target{}}
}

// Info implements saplugin.Plugin.
func (*Phantom) Info() saplugin.Info {
	return saplugin.Info{Name: "phantom", Version: version, Description: "File alerts as Phantom (Splunk SOAR) artifacts"}
}

// Schema implements saplugin.Plugin.
func (*Phantom) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*Phantom) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (p *Phantom) Configure(_ context.Context, instance string, cfg schema.Config) error {
	t, problems := parseTarget(cfg)
	if err := schema.ProblemsError(problems); err != nil {
		return fmt.Errorf("phantom: invalid configuration: %w", err)
	}
	client, err := vendorhttp.NewClient(t.Transport)
	if err != nil {
		return fmt.Errorf("phantom: %w", err)
	}
	t.client = client
	p.mu.Lock()
	old := p.targets[instance]
	p.targets[instance] = t
	p.mu.Unlock()
	if old != nil {
		old.client.CloseIdleConnections()
	}
	p.log.Info("instance configured", "instance", instance, "private_ca", t.CAFile != "", "timeout", t.Timeout.String())
	return nil
}

// parseTarget converts and checks cfg; the client is left to Configure.
func parseTarget(cfg schema.Config) (*target, []schema.Problem) {
	tr, problems := vendorhttp.ParseTransport(cfg)
	u, more := vendorhttp.ParseHTTPSURL(propURL, cfg.String(propURL))
	problems = append(problems, more...)
	token := cfg.Secret(propToken)
	secrets := []string{token.Reveal()}
	if u != nil {
		u.Path = strings.TrimRight(u.Path, "/")
		secrets = append(secrets, u.String(), u.String()+"/rest/container", u.String()+"/rest/artifact")
	}
	return &target{base: u, token: token, Transport: tr, redact: vendorhttp.NewRedactor(secrets...)}, problems
}

// target returns the instance's target, configuring it from cfg when this
// process has not seen the instance yet.
func (p *Phantom) target(instance string, cfg schema.Config) (*target, error) {
	p.mu.RLock()
	t := p.targets[instance]
	p.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	if err := p.Configure(context.Background(), instance, cfg); err != nil {
		return nil, err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.targets[instance], nil
}

// Interface guards.
var (
	_ saplugin.Output     = (*Phantom)(nil)
	_ saplugin.Validator  = (*Phantom)(nil)
	_ saplugin.Configurer = (*Phantom)(nil)
)
