package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/vendorhttp"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// userAgent identifies the plugin to PagerDuty.
const userAgent = "sa-output-pagerduty/" + version

// PagerDuty is the pagerduty output. One process serves many configured
// instances, each with its own service key and HTTP client.
type PagerDuty struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now func() time.Time

	mu      sync.RWMutex
	targets map[string]*target
}

// target is one configured instance, ready to send.
type target struct {
	descriptor string
	serviceKey schema.Secret
	url        *url.URL
	vendorhttp.Transport
	client *http.Client
	// redact masks the service key in any text sent back or logged.
	redact func(string) string
}

// New returns a pagerduty output logging to the plugin's standard error.
func New() *PagerDuty {
	return &PagerDuty{log: saplugin.Logger(), now: time.Now, targets: map[string]*target{}}
}

// Info implements saplugin.Plugin.
func (*PagerDuty) Info() saplugin.Info {
	return saplugin.Info{
		Name:        "pagerduty",
		Version:     version,
		Description: "Trigger PagerDuty incidents through the generic Events API v1",
	}
}

// Schema implements saplugin.Plugin.
func (*PagerDuty) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*PagerDuty) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (p *PagerDuty) Configure(_ context.Context, instance string, cfg schema.Config) error {
	t, problems := parseTarget(cfg)
	if err := schema.ProblemsError(problems); err != nil {
		return fmt.Errorf("pagerduty: invalid configuration: %w", err)
	}
	client, err := vendorhttp.NewClient(t.Transport)
	if err != nil {
		return fmt.Errorf("pagerduty: %w", err)
	}
	t.client = client
	if t.descriptor == "" {
		t.descriptor = instance
	}
	p.mu.Lock()
	old := p.targets[instance]
	p.targets[instance] = t
	p.mu.Unlock()
	if old != nil {
		old.client.CloseIdleConnections()
	}
	p.log.Info("instance configured", "instance", instance, "endpoint", t.url.Host, "timeout", t.Timeout.String())
	return nil
}

// parseTarget converts and checks cfg; the client is left to Configure.
func parseTarget(cfg schema.Config) (*target, []schema.Problem) {
	tr, problems := vendorhttp.ParseTransport(cfg)
	u, more := vendorhttp.ParseHTTPSURL(propURL, cfg.String(propURL))
	problems = append(problems, more...)
	key := cfg.Secret(propServiceKey)
	return &target{
		descriptor: cfg.String(propDescriptor),
		serviceKey: key,
		url:        u,
		Transport:  tr,
		redact:     vendorhttp.NewRedactor(key.Reveal()),
	}, problems
}

// target returns the instance's target, configuring it from cfg when this
// process has not seen the instance yet.
func (p *PagerDuty) target(instance string, cfg schema.Config) (*target, error) {
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
	_ saplugin.Output     = (*PagerDuty)(nil)
	_ saplugin.Validator  = (*PagerDuty)(nil)
	_ saplugin.Configurer = (*PagerDuty)(nil)
)
