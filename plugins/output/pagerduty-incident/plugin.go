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

// userAgent identifies the plugin to PagerDuty.
const userAgent = "sa-output-pagerduty-incident/" + version

// Incident is the pagerduty-incident output. One process serves many
// configured instances, each with its own credentials and HTTP client.
type Incident struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now func() time.Time
	// searchDelay is the wait between searches for the incident an event
	// opened; PagerDuty indexes it a moment after accepting the event.
	searchDelay time.Duration

	mu      sync.RWMutex
	targets map[string]*target
}

// target is one configured instance, ready to send.
type target struct {
	descriptor         string
	token              schema.Secret
	integrationKey     schema.Secret
	serviceID          string
	escalationPolicyID string
	emailFrom          string
	api                *url.URL
	eventsURL          *url.URL
	vendorhttp.Transport
	client *http.Client
	// redact masks the token and the integration key in any text sent
	// back or logged.
	redact func(string) string
}

// New returns a pagerduty-incident output logging to the plugin's
// standard error.
func New() *Incident {
	return &Incident{log: saplugin.Logger(), now: time.Now, searchDelay: 2 * time.Second, targets: map[string]*target{}}
}

// Info implements saplugin.Plugin.
func (*Incident) Info() saplugin.Info {
	return saplugin.Info{
		Name:        "pagerduty-incident",
		Version:     version,
		Description: "Open and shape PagerDuty incidents (Events API v2 and REST API)",
	}
}

// Schema implements saplugin.Plugin.
func (*Incident) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*Incident) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (p *Incident) Configure(_ context.Context, instance string, cfg schema.Config) error {
	t, problems := parseTarget(cfg)
	if err := schema.ProblemsError(problems); err != nil {
		return fmt.Errorf("pagerduty-incident: invalid configuration: %w", err)
	}
	client, err := vendorhttp.NewClient(t.Transport)
	if err != nil {
		return fmt.Errorf("pagerduty-incident: %w", err)
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
	p.log.Info("instance configured", "instance", instance, "api", t.api.Host, "service_id", t.serviceID)
	return nil
}

// parseTarget converts and checks cfg; the client is left to Configure.
func parseTarget(cfg schema.Config) (*target, []schema.Problem) {
	tr, problems := vendorhttp.ParseTransport(cfg)
	api, more := vendorhttp.ParseHTTPSURL(propAPI, cfg.String(propAPI))
	problems = append(problems, more...)
	events, more := vendorhttp.ParseHTTPSURL(propEventsURL, cfg.String(propEventsURL))
	problems = append(problems, more...)
	if api != nil {
		api.Path = strings.TrimRight(api.Path, "/")
	}
	token, key := cfg.Secret(propToken), cfg.Secret(propIntegrationKey)
	return &target{
		descriptor:         cfg.String(propDescriptor),
		token:              token,
		integrationKey:     key,
		serviceID:          cfg.String(propServiceID),
		escalationPolicyID: cfg.String(propEscalationPolicyID),
		emailFrom:          cfg.String(propEmailFrom),
		api:                api,
		eventsURL:          events,
		Transport:          tr,
		redact:             vendorhttp.NewRedactor(token.Reveal(), key.Reveal()),
	}, problems
}

// target returns the instance's target, configuring it from cfg when this
// process has not seen the instance yet.
func (p *Incident) target(instance string, cfg schema.Config) (*target, error) {
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
	_ saplugin.Output     = (*Incident)(nil)
	_ saplugin.Validator  = (*Incident)(nil)
	_ saplugin.Configurer = (*Incident)(nil)
)
