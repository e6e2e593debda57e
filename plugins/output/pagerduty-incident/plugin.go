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
	instances   httpout.Instances[*target]
}

// target is one configured instance, ready to send. Its Sender masks the
// token and the integration key in any text sent back or logged.
type target struct {
	*httpout.Sender
	descriptor         string
	token              schema.Secret
	integrationKey     schema.Secret
	serviceID          string
	escalationPolicyID string
	emailFrom          string
	api                *url.URL
	eventsURL          *url.URL
}

// New returns a pagerduty-incident output logging to the plugin's
// standard error.
func New() *Incident {
	p := &Incident{log: saplugin.Logger(), now: time.Now, searchDelay: 2 * time.Second}
	p.instances.Build = p.build
	return p
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
	_, _, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (p *Incident) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := p.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	p.log.Info("instance configured", "instance", instance, "api", t.api.Host, "service_id", t.serviceID)
	return nil
}

// build checks cfg and builds its target.
func (p *Incident) build(cfg schema.Config) (*target, error) {
	t, tr, problems := parseTarget(cfg)
	secrets := []string{t.token.Reveal(), t.integrationKey.Reveal()}
	s, err := httpout.NewSender("pagerduty-incident", tr, problems, secrets, func() time.Time { return p.now() })
	t.Sender = s
	return t, err
}

// parseTarget converts and checks cfg; the Sender is left to build.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	api, more := httpout.ParseHTTPSURL(propAPI, cfg.String(propAPI))
	problems = append(problems, more...)
	events, more := httpout.ParseHTTPSURL(propEventsURL, cfg.String(propEventsURL))
	problems = append(problems, more...)
	if api != nil {
		api.Path = strings.TrimRight(api.Path, "/")
	}
	return &target{
		descriptor:         cfg.String(propDescriptor),
		token:              cfg.Secret(propToken),
		integrationKey:     cfg.Secret(propIntegrationKey),
		serviceID:          cfg.String(propServiceID),
		escalationPolicyID: cfg.String(propEscalationPolicyID),
		emailFrom:          cfg.String(propEmailFrom),
		api:                api,
		eventsURL:          events,
	}, tr, problems
}

// Interface guards.
var (
	_ saplugin.Output     = (*Incident)(nil)
	_ saplugin.Validator  = (*Incident)(nil)
	_ saplugin.Configurer = (*Incident)(nil)
)
