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

// userAgent identifies the plugin to Demisto.
const userAgent = "sa-output-demisto/" + version

// Demisto is the demisto output. One process serves many configured
// instances, each with its own server, key and HTTP client.
type Demisto struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now func() time.Time

	mu      sync.RWMutex
	targets map[string]*target
}

// target is one configured instance, ready to send.
type target struct {
	url   *url.URL
	token schema.Secret
	vendorhttp.Transport
	client *http.Client
	// redact masks the API key in any text sent back or logged.
	redact func(string) string
}

// New returns a demisto output logging to the plugin's standard error.
func New() *Demisto {
	return &Demisto{log: saplugin.Logger(), now: time.Now, targets: map[string]*target{}}
}

// Info implements saplugin.Plugin.
func (*Demisto) Info() saplugin.Info {
	return saplugin.Info{Name: "demisto", Version: version, Description: "Open Demisto (Cortex XSOAR) incidents"}
}

// Schema implements saplugin.Plugin.
func (*Demisto) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*Demisto) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (d *Demisto) Configure(_ context.Context, instance string, cfg schema.Config) error {
	t, problems := parseTarget(cfg)
	if err := schema.ProblemsError(problems); err != nil {
		return fmt.Errorf("demisto: invalid configuration: %w", err)
	}
	client, err := vendorhttp.NewClient(t.Transport)
	if err != nil {
		return fmt.Errorf("demisto: %w", err)
	}
	t.client = client
	d.mu.Lock()
	old := d.targets[instance]
	d.targets[instance] = t
	d.mu.Unlock()
	if old != nil {
		old.client.CloseIdleConnections()
	}
	d.log.Info("instance configured", "instance", instance, "server", t.url.Host, "private_ca", t.CAFile != "")
	return nil
}

// parseTarget converts and checks cfg; the client is left to Configure.
func parseTarget(cfg schema.Config) (*target, []schema.Problem) {
	tr, problems := vendorhttp.ParseTransport(cfg)
	u, more := vendorhttp.ParseHTTPSURL(propURL, cfg.String(propURL))
	problems = append(problems, more...)
	if u != nil {
		u.Path = strings.TrimRight(u.Path, "/") + "/incident"
	}
	token := cfg.Secret(propToken)
	return &target{url: u, token: token, Transport: tr, redact: vendorhttp.NewRedactor(token.Reveal())}, problems
}

// target returns the instance's target, configuring it from cfg when this
// process has not seen the instance yet.
func (d *Demisto) target(instance string, cfg schema.Config) (*target, error) {
	d.mu.RLock()
	t := d.targets[instance]
	d.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	if err := d.Configure(context.Background(), instance, cfg); err != nil {
		return nil, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.targets[instance], nil
}

// Interface guards.
var (
	_ saplugin.Output     = (*Demisto)(nil)
	_ saplugin.Validator  = (*Demisto)(nil)
	_ saplugin.Configurer = (*Demisto)(nil)
)
